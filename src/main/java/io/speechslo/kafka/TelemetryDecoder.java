package io.speechslo.kafka;

import io.speechslo.registry.SchemaLookup;
import io.speechslo.registry.SchemaRegistryException;
import io.speechslo.registry.UnknownSchemaIdException;
import io.speechslo.registry.UnreadableSchemaException;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes Confluent-framed Kafka record values into one of the {@link #TARGETS}: request telemetry
 * ({@link AsrRequest}, {@link TtsRequest}) or the optional inputs ({@link ServingSample},
 * {@link PrivacyEvent}).
 *
 * <p>The writer schema comes from the registry by the id in the header; its full name picks our
 * generated reader class, and Avro schema resolution bridges the two, so records written with an
 * older or newer compatible schema decode. Which record a topic carries is therefore not configured
 * anywhere: the schema a producer registered under {@code <topic>-value} says it, and any topic may
 * carry any of the targets. Every record-level failure comes back as a
 * {@link Decoded} with a reason ({@code bad_magic_byte}, {@code unknown_schema_id},
 * {@code undecodable}), never as an exception. A {@link SchemaRegistryException} (registry down, auth
 * refused) is not about the record and is thrown.
 *
 * <p>Hot path: records written with exactly our schema (nearly all of them) are read field by field by
 * {@link SameSchemaReaders}; the only allocations per record are the record itself, its event time, its
 * long strings and boxed optional fields (short strings come back as shared instances). Records of any
 * other writer schema are read by one resolving reader per schema id, with Avro's fast reader (the
 * resolution between writer and reader schema is planned once, not walked per record); it is switched
 * on in the generated classes' own SpecificData, which every reader of those classes shares. Not thread-safe: one per consuming thread.
 */
public final class TelemetryDecoder {

    /**
     * The records this decoder reads, each by the full name of its schema. Only the request schemas
     * have same-schema readers: the optional inputs are a few records a second, where Avro's resolving
     * reader costs nothing worth a hand-written one.
     */
    public static final List<Schema> TARGETS = List.of(AsrRequest.getClassSchema(), TtsRequest.getClassSchema(),
            ServingSample.getClassSchema(), PrivacyEvent.getClassSchema());
    private static final Map<String, Schema> TARGET_BY_NAME = byName(TARGETS);
    private static final Pattern TOP_LEVEL_FIELD = Pattern.compile("/fields/(\\d+)");

    /**
     * A ready reader for one writer schema id, or why records with that id cannot be read. {@code same}
     * reads them field by field when they were written with exactly our schema ({@link SameSchemaReaders});
     * null otherwise.
     */
    private record Reader(SpecificDatumReader<SpecificRecord> reader, SameSchemaReaders.RecordReader same,
            String failure) {}

    private final SchemaLookup registry;
    private final Map<Integer, Reader> readers = new HashMap<>();
    private final BoundedBinaryDecoder in = new BoundedBinaryDecoder();
    /** The reader of the schema id seen last: consecutive records nearly always share one. */
    private int lastSchemaId;
    private Reader lastReader;

    public TelemetryDecoder(SchemaLookup registry) {
        this.registry = registry;
    }

    /** Decodes one record value ({@code null} for a tombstone). */
    public Decoded decode(byte[] value) {
        if (value == null || value.length == 0) {
            return Decoded.failed(DeadLetterReason.BAD_MAGIC_BYTE, "value is empty, expected the Confluent magic byte 0", null);
        }
        if (value[0] != ConfluentWire.MAGIC_BYTE) {
            return Decoded.failed(DeadLetterReason.BAD_MAGIC_BYTE,
                    String.format("first byte is 0x%02x, expected the Confluent magic byte 0x00", value[0] & 0xff), null);
        }
        if (value.length < ConfluentWire.HEADER_LENGTH) {
            return Decoded.failed(DeadLetterReason.UNDECODABLE, "value has " + value.length
                    + " bytes, fewer than the " + ConfluentWire.HEADER_LENGTH + "-byte Confluent header", null);
        }
        int schemaId = ConfluentWire.schemaId(value);
        Reader reader = schemaId == lastSchemaId ? lastReader : readers.get(schemaId);
        if (reader == null) {
            Schema writer;
            try {
                writer = registry.schemaById(schemaId);
            } catch (UnknownSchemaIdException e) {
                return Decoded.failed(DeadLetterReason.UNKNOWN_SCHEMA_ID, e.getMessage(), schemaId);
            } catch (UnreadableSchemaException e) {
                reader = new Reader(null, null, e.getMessage());
                readers.put(schemaId, reader);
                return Decoded.failed(DeadLetterReason.UNDECODABLE, reader.failure(), schemaId);
            }
            reader = readerFor(schemaId, writer);
            readers.put(schemaId, reader);
        }
        lastSchemaId = schemaId;
        lastReader = reader;
        if (reader.failure() != null) {
            return Decoded.failed(DeadLetterReason.UNDECODABLE, reader.failure(), schemaId);
        }
        try {
            in.wrap(value, ConfluentWire.HEADER_LENGTH, value.length - ConfluentWire.HEADER_LENGTH);
            SpecificRecord record = reader.same() != null ? reader.same().read(in) : reader.reader().read(null, in);
            if (in.remaining() != 0) {
                return Decoded.failed(DeadLetterReason.UNDECODABLE, in.remaining()
                        + " bytes left over after the record: the data does not match writer schema id " + schemaId, schemaId);
            }
            return Decoded.ok(record, schemaId);
        } catch (IOException | RuntimeException e) {
            return Decoded.failed(DeadLetterReason.UNDECODABLE,
                    "Avro data does not decode with writer schema id " + schemaId + ": " + e, schemaId);
        }
    }

    /** Incompatibilities with the top-level field named, e.g. {@code audio_ms: reader type: LONG not ...}. */
    private static String describe(SchemaCompatibility.SchemaCompatibilityResult result, Schema target) {
        StringJoiner joined = new StringJoiner("; ");
        for (SchemaCompatibility.Incompatibility problem : result.getIncompatibilities()) {
            Matcher m = TOP_LEVEL_FIELD.matcher(problem.getLocation());
            String where = m.lookingAt() ? target.getFields().get(Integer.parseInt(m.group(1))).name() : problem.getLocation();
            joined.add(where + ": " + problem.getMessage());
        }
        return joined.toString();
    }

    private static Map<String, Schema> byName(List<Schema> targets) {
        Map<String, Schema> m = new HashMap<>();
        for (Schema t : targets) {
            m.put(t.getFullName(), t);
        }
        return m;
    }

    /** The full names of the targets, for messages: {@code a, b, c or d}. */
    static String targetNames() {
        StringJoiner names = new StringJoiner(", ");
        for (int i = 0; i < TARGETS.size() - 1; i++) {
            names.add(TARGETS.get(i).getFullName());
        }
        return names + " or " + TARGETS.get(TARGETS.size() - 1).getFullName();
    }

    private static Reader readerFor(int schemaId, Schema writer) {
        Schema target = writer.getType() == Schema.Type.RECORD ? TARGET_BY_NAME.get(writer.getFullName()) : null;
        if (target == null) {
            return new Reader(null, null, "schema id " + schemaId + " is " + writer.getFullName()
                    + ", not a telemetry record (" + targetNames() + ")");
        }
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(target, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return new Reader(null, null, "writer schema id " + schemaId + " of " + writer.getFullName()
                    + " cannot be read with our schema: " + describe(compatibility.getResult(), target));
        }
        SpecificData model = SpecificData.getForSchema(target);
        model.setFastReaderEnabled(true); // resolution planned once per schema pair, not walked per record
        return new Reader(new SpecificDatumReader<>(writer, target, model), SameSchemaReaders.readerFor(writer, target),
                null);
    }
}
