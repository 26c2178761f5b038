package io.speechslo.kafka;

import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The Confluent wire format: magic byte {@code 0}, the schema id as 4 big-endian bytes, then the
 * record in Avro binary. The constants describe the header; an instance encodes records, reusing its
 * buffer, encoder and one datum writer per schema. Not thread-safe: one per producing thread.
 */
public final class ConfluentWire {

    public static final byte MAGIC_BYTE = 0;
    /** Magic byte plus schema id. */
    public static final int HEADER_LENGTH = 5;

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private final Map<Schema, SpecificDatumWriter<IndexedRecord>> writers = new HashMap<>();
    private BinaryEncoder encoder;

    /**
     * Encodes {@code record} (a generated class or a generic record) with its own schema as the writer
     * schema, registered under {@code schemaId}.
     */
    public byte[] encode(int schemaId, IndexedRecord record) {
        Schema schema = record.getSchema();
        SpecificDatumWriter<IndexedRecord> writer =
                writers.computeIfAbsent(schema, s -> new SpecificDatumWriter<>(s, SpecificData.getForSchema(s)));
        buffer.reset();
        buffer.write(MAGIC_BYTE);
        buffer.write(schemaId >>> 24);
        buffer.write(schemaId >>> 16);
        buffer.write(schemaId >>> 8);
        buffer.write(schemaId);
        encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode " + schema.getFullName() + " with schema id " + schemaId, e);
        }
        return buffer.toByteArray();
    }

    /**
     * A record already encoded in Avro binary ({@code body}), framed: the same bytes as {@link #encode}
     * of that record.
     */
    public static byte[] frame(int schemaId, byte[] body) {
        byte[] framed = new byte[HEADER_LENGTH + body.length];
        framed[0] = MAGIC_BYTE;
        framed[1] = (byte) (schemaId >>> 24);
        framed[2] = (byte) (schemaId >>> 16);
        framed[3] = (byte) (schemaId >>> 8);
        framed[4] = (byte) schemaId;
        System.arraycopy(body, 0, framed, HEADER_LENGTH, body.length);
        return framed;
    }

    /** The schema id in a framed value's header; the caller checks length and magic byte first. */
    static int schemaId(byte[] value) {
        return (value[1] & 0xff) << 24 | (value[2] & 0xff) << 16 | (value[3] & 0xff) << 8 | (value[4] & 0xff);
    }
}
