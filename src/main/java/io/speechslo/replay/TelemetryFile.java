package io.speechslo.replay;

import io.speechslo.bytes.Utf8Interner;
import io.speechslo.kafka.SameSchemaReaders;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileConstants;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * One Avro object container file of telemetry (what Kafka Connect's S3 and HDFS sinks write), checked
 * before a replay starts: the header schema names one of {@link #RECORD_CLASSES} (a request, a serving
 * sample or a privacy event), our generated class can read it with Avro schema resolution (an older or newer compatible writer), the
 * codec is available, and every block is intact. The record count comes from the block headers, so
 * counting costs a skim of the file, not a decode.
 *
 * @param path the file, absolute and normalized
 * @param recordClass which telemetry record the file holds
 * @param writerSchema the schema in the file header
 * @param records how many records the file holds
 */
public record TelemetryFile(Path path, Class<? extends SpecificRecord> recordClass, Schema writerSchema, long records) {

    /** The records a telemetry file may hold, told apart by the full name of the header schema. */
    public static final List<Class<? extends SpecificRecord>> RECORD_CLASSES =
            List.of(AsrRequest.class, TtsRequest.class, ServingSample.class, PrivacyEvent.class);

    /** Reads the header and skims the blocks; {@link TelemetryFileException} names the file and the problem. */
    public static TelemetryFile inspect(Path file) {
        Path path = file.toAbsolutePath().normalize();
        try (InputStream in = Files.newInputStream(path)) {
            BinaryDecoder d = DecoderFactory.get().binaryDecoder(in, null);
            byte[] magic = new byte[DataFileConstants.MAGIC.length];
            d.readFixed(magic);
            if (!Arrays.equals(magic, DataFileConstants.MAGIC)) {
                throw new TelemetryFileException(path, "not an Avro object container file");
            }
            String schemaJson = null;
            String codec = DataFileConstants.NULL_CODEC;
            for (long n = d.readMapStart(); n != 0; n = d.mapNext()) {
                for (long i = 0; i < n; i++) {
                    String key = d.readString();
                    ByteBuffer value = d.readBytes(null);
                    String text = StandardCharsets.UTF_8.decode(value).toString();
                    if (key.equals(DataFileConstants.SCHEMA)) {
                        schemaJson = text;
                    } else if (key.equals(DataFileConstants.CODEC)) {
                        codec = text;
                    }
                }
            }
            byte[] sync = new byte[DataFileConstants.SYNC_SIZE];
            d.readFixed(sync);
            if (schemaJson == null) {
                throw new TelemetryFileException(path, "the header has no avro.schema");
            }
            Schema writer;
            try {
                writer = new Schema.Parser().parse(schemaJson);
            } catch (SchemaParseException e) {
                throw new TelemetryFileException(path, "the header schema does not parse: " + e.getMessage());
            }
            Class<? extends SpecificRecord> type = recordClass(path, writer);
            try {
                CodecFactory.fromString(codec);
            } catch (AvroRuntimeException e) {
                throw new TelemetryFileException(path, "codec '" + codec + "' is not available: " + e.getMessage());
            }
            long records = 0;
            byte[] blockSync = new byte[DataFileConstants.SYNC_SIZE];
            for (long block = 0; !d.isEnd(); block++) {
                long count = d.readLong();
                long size = d.readLong();
                if (count < 0 || size < 0) {
                    throw new TelemetryFileException(path, "block " + block + " has a negative count or size (corrupt)");
                }
                for (long left = size; left > 0; left -= Integer.MAX_VALUE) {
                    d.skipFixed((int) Math.min(left, Integer.MAX_VALUE));
                }
                d.readFixed(blockSync);
                if (!Arrays.equals(sync, blockSync)) {
                    throw new TelemetryFileException(path, "block " + block + " does not end with the file's sync marker (corrupt)");
                }
                records += count;
            }
            return new TelemetryFile(path, type, writer, records);
        } catch (EOFException e) {
            throw new TelemetryFileException(path, "truncated: ends inside the header or a block");
        } catch (IOException e) {
            throw new TelemetryFileException(path, "cannot read: " + e);
        } catch (AvroRuntimeException e) {
            throw new TelemetryFileException(path, "malformed Avro container: " + e.getMessage());
        }
    }

    /**
     * The generated class for a file's writer schema, by full name, after checking that the class can
     * read what that schema wrote.
     */
    static Class<? extends SpecificRecord> recordClass(Path path, Schema writer) {
        Class<? extends SpecificRecord> type = null;
        for (Class<? extends SpecificRecord> c : RECORD_CLASSES) {
            if (writer.getFullName().equals(c.getName())) {
                type = c;
            }
        }
        if (type == null) {
            StringBuilder names = new StringBuilder();
            for (int i = 0; i < RECORD_CLASSES.size(); i++) {
                names.append(i == 0 ? "" : i == RECORD_CLASSES.size() - 1 ? " or " : ", ")
                        .append(RECORD_CLASSES.get(i).getName());
            }
            throw new TelemetryFileException(path, "holds " + writer.getFullName() + " records, not " + names);
        }
        Schema reader = SpecificData.getForClass(type).getSchema(type);
        SchemaCompatibility.SchemaPairCompatibility check = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            List<SchemaCompatibility.Incompatibility> problems = check.getResult().getIncompatibilities();
            SchemaCompatibility.Incompatibility first = problems.get(0);
            throw new TelemetryFileException(path, "its " + writer.getFullName() + " schema cannot be read as ours: field "
                    + fieldAt(reader, first.getLocation()) + ": " + first.getType() + ": " + first.getMessage()
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
        }
        return type;
    }


    /** Turns a location like {@code /fields/5/type} into {@code 'language'}, keeping the pointer when it cannot. */
    static String fieldAt(Schema reader, String location) {
        String[] parts = location.split("/");
        StringBuilder name = new StringBuilder();
        Schema at = reader;
        for (int i = 1; i + 1 < parts.length; i++) {
            if (!parts[i].equals("fields") || at.getType() != Schema.Type.RECORD) {
                continue;
            }
            int index;
            try {
                index = Integer.parseInt(parts[i + 1]);
            } catch (NumberFormatException e) {
                break;
            }
            if (index < 0 || index >= at.getFields().size()) {
                break;
            }
            Schema.Field f = at.getFields().get(index);
            name.append(name.length() == 0 ? "" : ".").append(f.name());
            at = f.schema();
            i++;
        }
        return name.length() == 0 ? location : "'" + name + "' (" + location + ")";
    }

    /**
     * Reads each record of a telemetry container file into its generated class, resolving the file's
     * writer schema against the class schema. The file header decides the class when the reader opens it.
     * Files of requests written with exactly our schema are read field by field; serving samples and
     * privacy events always go through Avro (see {@link SameSchemaReaders#readerFor}).
     */
    static final class TelemetryDatumReader implements DatumReader<SpecificRecord> {

        private final Path path;
        private final InterningDecoder interning;
        private SpecificDatumReader<SpecificRecord> delegate;
        /** Reads field by field when the file was written with exactly our schema; else null. */
        private SameSchemaReaders.RecordReader same;

        /** @param strings shared by every file one reader thread reads, so their values are shared too */
        TelemetryDatumReader(Path path, Utf8Interner strings) {
            this.path = path;
            this.interning = new InterningDecoder(strings);
        }

        @Override
        public void setSchema(Schema writer) {
            Class<? extends SpecificRecord> type = recordClass(path, writer);
            SpecificData model = SpecificData.getForClass(type);
            model.setFastReaderEnabled(true); // resolution planned once per schema pair, not walked per record
            Schema target = model.getSchema(type);
            delegate = new SpecificDatumReader<>(writer, target, model);
            same = SameSchemaReaders.readerFor(writer, target);
        }

        /** Whether the file's records are read by {@link SameSchemaReaders} (its schema is exactly ours), for tests. */
        boolean readsFieldByField() {
            return same != null;
        }

        @Override
        public SpecificRecord read(SpecificRecord reuse, Decoder in) throws IOException {
            return same != null ? same.read(interning.on(in)) : delegate.read(reuse, interning.on(in));
        }
    }
}
