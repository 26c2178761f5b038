package io.speechslo.kafka;

import io.speechslo.bytes.Utf8Interner;

import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Avro binary decoding over one byte array that never trusts a length it reads.
 *
 * <p>Avro's own {@code BinaryDecoder} allocates a string or bytes buffer of the declared length
 * before reading it (limit ~2 GB), so five garbage bytes can ask for a gigabyte and take a task
 * manager down on every restart. Here every length and item count is checked against the bytes that
 * are actually left, so garbage fails fast with an {@link IOException} instead. Reusable: call
 * {@link #wrap} per record. Not thread-safe.
 */
final class BoundedBinaryDecoder extends Decoder {

    private byte[] buf = new byte[0];
    private int pos;
    private int limit;

    BoundedBinaryDecoder wrap(byte[] bytes, int offset, int length) {
        this.buf = bytes;
        this.pos = offset;
        this.limit = offset + length;
        return this;
    }

    int remaining() {
        return limit - pos;
    }

    private void need(long n) throws IOException {
        if (n < 0) {
            throw new IOException("malformed Avro data: negative length " + n);
        }
        if (n > limit - pos) {
            throw new EOFException("Avro data truncated: needs " + n + " more bytes, " + (limit - pos) + " left");
        }
    }

    @Override
    public void readNull() {}

    @Override
    public boolean readBoolean() throws IOException {
        need(1);
        byte b = buf[pos++];
        if (b != 0 && b != 1) {
            throw new IOException("malformed Avro data: boolean byte " + b);
        }
        return b == 1;
    }

    @Override
    public int readInt() throws IOException {
        long value = readLong();
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IOException("malformed Avro data: int out of range " + value);
        }
        return (int) value;
    }

    @Override
    public long readLong() throws IOException {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            need(1);
            int b = buf[pos++] & 0xff;
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new IOException("malformed Avro data: varint longer than 10 bytes");
    }

    @Override
    public float readFloat() throws IOException {
        need(4);
        int bits = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    @Override
    public double readDouble() throws IOException {
        need(8);
        long bits = 0;
        for (int i = 7; i >= 0; i--) {
            bits = bits << 8 | (buf[pos + i] & 0xff);
        }
        pos += 8;
        return Double.longBitsToDouble(bits);
    }

    private int readLength() throws IOException {
        long length = readLong();
        need(length);
        return (int) length;
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = readLength();
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        System.arraycopy(buf, pos, result.getBytes(), 0, length);
        pos += length;
        return result;
    }

    /** Short strings (slice values, services, versions) come back as shared instances. */
    private final Utf8Interner strings = new Utf8Interner();

    @Override
    public String readString() throws IOException {
        int length = readLength();
        String s = strings.string(buf, pos, length);
        pos += length;
        return s;
    }

    @Override
    public void skipString() throws IOException {
        int length = readLength(); // before touching pos: readLength moves it
        pos += length;
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = readLength();
        ByteBuffer result = old != null && old.capacity() >= length ? old.clear() : ByteBuffer.allocate(length);
        result.put(buf, pos, length).flip();
        pos += length;
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        int length = readLength(); // before touching pos: readLength moves it
        pos += length;
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        need(length);
        System.arraycopy(buf, pos, bytes, start, length);
        pos += length;
    }

    @Override
    public void skipFixed(int length) throws IOException {
        need(length);
        pos += length;
    }

    @Override
    public int readEnum() throws IOException {
        return readInt();
    }

    @Override
    public int readIndex() throws IOException {
        return readInt();
    }

    /** A block's item count; each item takes at least one byte here, so more items than bytes is garbage. */
    private long readItemCount() throws IOException {
        long count = readLong();
        if (count < 0) {
            count = -count;
            readLong(); // block size in bytes, not needed when reading item by item
        }
        if (count > limit - pos) {
            throw new EOFException("Avro data truncated: block of " + count + " items, " + (limit - pos) + " bytes left");
        }
        return count;
    }

    /** Skips blocks that carry their byte size; returns the item count of the first one that does not. */
    private long skipItems() throws IOException {
        long count = readLong();
        while (count < 0) {
            long size = readLong();
            need(size);
            pos += (int) size;
            count = readLong();
        }
        return count;
    }

    @Override
    public long readArrayStart() throws IOException {
        return readItemCount();
    }

    @Override
    public long arrayNext() throws IOException {
        return readItemCount();
    }

    @Override
    public long skipArray() throws IOException {
        return skipItems();
    }

    @Override
    public long readMapStart() throws IOException {
        return readItemCount();
    }

    @Override
    public long mapNext() throws IOException {
        return readItemCount();
    }

    @Override
    public long skipMap() throws IOException {
        return skipItems();
    }
}
