package io.speechslo.bytes;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ByteWriter and ByteReader speak DataOutputStream's format; varints round-trip every value. */
class BytesTest {

    static void writeAll(DataOutput out) throws IOException {
        out.writeBoolean(true);
        out.writeByte(-3);
        out.writeShort(-12_345);
        out.writeChar('é');
        out.writeInt(0xCAFEBABE);
        out.writeLong(Long.MIN_VALUE + 7);
        out.writeFloat(-1.5f);
        out.writeDouble(Math.PI);
        out.writeUTF("asr-2026.02.0 → nova");
        out.write(new byte[] {1, 2, 3}, 1, 2);
    }

    @Test
    void writesExactlyWhatDataOutputStreamWritesAndReadsItBack() throws IOException {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        writeAll(new DataOutputStream(expected));
        ByteWriter w = new ByteWriter(1); // grows as it goes
        writeAll(w);
        assertThat(w.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(w.size()).isEqualTo(expected.size());

        ByteReader r = new ByteReader(w.toByteArray());
        assertThat(r.readBoolean()).isTrue();
        assertThat(r.readByte()).isEqualTo((byte) -3);
        assertThat(r.readShort()).isEqualTo((short) -12_345);
        assertThat(r.readChar()).isEqualTo('é');
        assertThat(r.readInt()).isEqualTo(0xCAFEBABE);
        assertThat(r.readLong()).isEqualTo(Long.MIN_VALUE + 7);
        assertThat(r.readFloat()).isEqualTo(-1.5f);
        assertThat(r.readDouble()).isEqualTo(Math.PI);
        assertThat(r.readUTF()).isEqualTo("asr-2026.02.0 → nova");
        byte[] two = new byte[2];
        r.readFully(two);
        assertThat(two).containsExactly(2, 3);
        assertThat(r.remaining()).isZero();
        assertThatThrownBy(r::readInt).isInstanceOf(EOFException.class).hasMessageContaining("wanted 4 more bytes, 0 left");
    }

    @Test
    void varintsRoundTripEdgeValuesAndSmallCountsTakeOneByte() throws IOException {
        long[] counts = {0, 1, 127, 128, 300, Integer.MAX_VALUE, Long.MAX_VALUE};
        long[] signed = {0, -1, 1, -64, 63, -65, 64, Long.MIN_VALUE, Long.MAX_VALUE, -1_000_000};
        ByteWriter w = new ByteWriter(8);
        for (long c : counts) {
            Varints.writeUnsigned(w, c);
        }
        for (long s : signed) {
            Varints.writeSigned(w, s);
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(w.toByteArray()));
        for (long c : counts) {
            assertThat(Varints.readUnsigned(in)).isEqualTo(c);
        }
        for (long s : signed) {
            assertThat(Varints.readSigned(in)).isEqualTo(s);
        }
        assertThat(in.available()).isZero();

        ByteWriter small = new ByteWriter(8);
        Varints.writeUnsigned(small, 127);
        Varints.writeSigned(small, -64);
        assertThat(small.size()).isEqualTo(2);
        assertThatThrownBy(() -> Varints.writeUnsigned(small, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTruncatedOrOverlongVarintIsAnErrorNotGarbage() {
        assertThatThrownBy(() -> Varints.readUnsigned(new ByteReader(new byte[] {(byte) 0x80})))
                .isInstanceOf(EOFException.class);
        byte[] overlong = new byte[11];
        java.util.Arrays.fill(overlong, (byte) 0x80);
        assertThatThrownBy(() -> Varints.readUnsigned(new ByteReader(overlong)))
                .isInstanceOf(IOException.class).hasMessageContaining("more than 10 bytes");
    }
}
