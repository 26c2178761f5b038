package io.speechslo.bytes;

import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A growable byte array to write aggregates into: the big-endian {@link DataOutput} format of
 * {@link DataOutputStream}, without its per-call locking and stream layers (the hot path writes
 * millions of longs a second). Not thread-safe.
 */
public final class ByteWriter implements DataOutput {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int pos;

    public ByteWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    /** What {@code writer} writes, as a byte array of exactly that length. */
    public static byte[] bytes(Writer writer, int sizeHint) {
        ByteWriter w = new ByteWriter(sizeHint);
        try {
            writer.writeTo(w);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteWriter never throws: only the writer itself can
        }
        return w.toByteArray();
    }

    /** Something that writes itself to a DataOutput. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(DataOutput out) throws IOException;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    public int size() {
        return pos;
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    @Override
    public void write(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    @Override
    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    @Override
    public void writeBoolean(boolean v) {
        write(v ? 1 : 0);
    }

    @Override
    public void writeByte(int v) {
        write(v);
    }

    @Override
    public void writeShort(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    @Override
    public void writeChar(int v) {
        writeShort(v);
    }

    @Override
    public void writeInt(int v) {
        ensure(4);
        INT.set(buf, pos, v);
        pos += 4;
    }

    @Override
    public void writeLong(long v) {
        ensure(8);
        LONG.set(buf, pos, v);
        pos += 8;
    }

    @Override
    public void writeFloat(float v) {
        writeInt(Float.floatToIntBits(v));
    }

    @Override
    public void writeDouble(double v) {
        writeLong(Double.doubleToLongBits(v));
    }

    @Override
    public void writeBytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            write(s.charAt(i));
        }
    }

    @Override
    public void writeChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            writeChar(s.charAt(i));
        }
    }

    @Override
    public void writeUTF(String s) throws IOException {
        // the modified UTF-8 of DataOutputStream, so ByteReader (or any DataInput) reads it back
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(s.length() + 2);
        new DataOutputStream(b).writeUTF(s);
        write(b.toByteArray());
    }
}
