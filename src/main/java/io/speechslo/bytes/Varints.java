package io.speechslo.bytes;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Variable-length integers (7 bits a byte, low bits first; zig-zag for signed values), for the
 * counts and bin indexes that make up most of an aggregate's bytes: a count under 128 takes one byte
 * instead of eight.
 */
public final class Varints {

    private Varints() {}

    /** Writes a value that is never negative (a count). */
    public static void writeUnsigned(DataOutput out, long v) throws IOException {
        if (v < 0) {
            throw new IllegalArgumentException("not a count: " + v);
        }
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    public static long readUnsigned(DataInput in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.readByte();
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new IOException("malformed varint: more than 10 bytes");
    }

    /** Writes any value; small magnitudes of either sign take few bytes. */
    public static void writeSigned(DataOutput out, long v) throws IOException {
        long zigzag = (v << 1) ^ (v >> 63);
        while ((zigzag & ~0x7FL) != 0) {
            out.writeByte((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.writeByte((int) zigzag);
    }

    public static long readSigned(DataInput in) throws IOException {
        long zigzag = readUnsigned(in);
        return (zigzag >>> 1) ^ -(zigzag & 1);
    }
}
