package io.speechslo.bytes;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads what a {@link ByteWriter} (or a {@link java.io.DataOutputStream}) wrote, straight from the
 * byte array: no locking, no stream layers. Reading past the end throws {@link EOFException}. Not
 * thread-safe.
 */
public final class ByteReader implements DataInput {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] buf;
    private final int end;
    private int pos;

    public ByteReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public ByteReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    /** Bytes not read yet. */
    public int remaining() {
        return end - pos;
    }

    private int take(int n) throws EOFException {
        if (end - pos < n) {
            throw new EOFException("wanted " + n + " more bytes, " + (end - pos) + " left");
        }
        int at = pos;
        pos += n;
        return at;
    }

    @Override
    public void readFully(byte[] b) throws IOException {
        readFully(b, 0, b.length);
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws IOException {
        System.arraycopy(buf, take(len), b, off, len);
    }

    @Override
    public int skipBytes(int n) {
        int k = Math.max(0, Math.min(n, end - pos));
        pos += k;
        return k;
    }

    @Override
    public boolean readBoolean() throws IOException {
        return buf[take(1)] != 0;
    }

    @Override
    public byte readByte() throws IOException {
        return buf[take(1)];
    }

    @Override
    public int readUnsignedByte() throws IOException {
        return buf[take(1)] & 0xff;
    }

    @Override
    public short readShort() throws IOException {
        int at = take(2);
        return (short) ((buf[at] << 8) | (buf[at + 1] & 0xff));
    }

    @Override
    public int readUnsignedShort() throws IOException {
        return readShort() & 0xffff;
    }

    @Override
    public char readChar() throws IOException {
        return (char) readShort();
    }

    @Override
    public int readInt() throws IOException {
        return (int) INT.get(buf, take(4));
    }

    @Override
    public long readLong() throws IOException {
        return (long) LONG.get(buf, take(8));
    }

    @Override
    public float readFloat() throws IOException {
        return Float.intBitsToFloat(readInt());
    }

    @Override
    public double readDouble() throws IOException {
        return Double.longBitsToDouble(readLong());
    }

    @Override
    public String readLine() {
        throw new UnsupportedOperationException("aggregates hold no text lines");
    }

    @Override
    public String readUTF() throws IOException {
        return DataInputStream.readUTF(this);
    }
}
