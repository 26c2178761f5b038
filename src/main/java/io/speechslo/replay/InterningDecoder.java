package io.speechslo.replay;

import io.speechslo.bytes.Utf8Interner;

import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A container file's decoder with its short strings interned, as the Kafka path's decoder has them:
 * slice values, services and model versions come back as shared String instances with their hash
 * computed, so the pre-aggregator's keys hash and compare them without reading their bytes. Everything
 * else goes to the file's own decoder, which {@link #on} points it at before each record.
 */
final class InterningDecoder extends Decoder {

    private final Utf8Interner strings;
    /** Reused for each string's bytes (a string is encoded as bytes are: a length, then the UTF-8). */
    private ByteBuffer buffer = ByteBuffer.allocate(64);
    private Decoder in;

    /** @param strings the cache to intern into (one per reading thread) */
    InterningDecoder(Utf8Interner strings) {
        this.strings = strings;
    }

    /** Decodes from {@code decoder} from now on. */
    InterningDecoder on(Decoder decoder) {
        this.in = decoder;
        return this;
    }

    @Override
    public String readString() throws IOException {
        buffer = in.readBytes(buffer);
        return strings.string(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
    }

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        return in.readString(old);
    }

    @Override
    public void skipString() throws IOException {
        in.skipString();
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        return in.readBytes(old);
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipBytes();
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public long readArrayStart() throws IOException {
        return in.readArrayStart();
    }

    @Override
    public long arrayNext() throws IOException {
        return in.arrayNext();
    }

    @Override
    public long skipArray() throws IOException {
        return in.skipArray();
    }

    @Override
    public long readMapStart() throws IOException {
        return in.readMapStart();
    }

    @Override
    public long mapNext() throws IOException {
        return in.mapNext();
    }

    @Override
    public long skipMap() throws IOException {
        return in.skipMap();
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }
}
