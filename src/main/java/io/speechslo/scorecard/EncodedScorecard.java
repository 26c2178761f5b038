package io.speechslo.scorecard;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A scorecard as it goes to the topic: its Kafka key ({@code service/model_version}, the version empty
 * when service-wide) and its Avro binary body, the Confluent wire format without the 5-byte header
 * (the sink prepends the schema id it registered). Engines encode each {@link Scorecard} once, where it
 * is made, so Flink moves an opaque byte array to the sink instead of a graph of Avro objects that
 * would be serialized for the network, read back and encoded again.
 */
public class EncodedScorecard {

    public String key;
    public byte[] body;

    public EncodedScorecard() {}

    public EncodedScorecard(String key, byte[] body) {
        this.key = key;
        this.body = body;
    }

    /** The Kafka key of a scorecard: {@code service/model_version}, the version empty when service-wide. */
    public static String key(Scorecard s) {
        return s.getService() + "/" + (s.getModelVersion() == null ? "" : s.getModelVersion());
    }

    /** The scorecard back from its body (replay's file output, tests). */
    public Scorecard decode() {
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(body, null);
        try {
            return new SpecificDatumReader<>(Scorecard.class).read(null, in);
        } catch (IOException e) {
            throw new UncheckedIOException("not a scorecard body", e);
        }
    }

    /**
     * Encodes scorecards in Avro binary, field by field in the schema's order, exactly as Avro's
     * {@code SpecificDatumWriter} did for the sink (see {@link #asAvroReadsIt} for the slice's order) (its generic interpretation of the schema cost more than the
     * scorecards' roll-ups). Checks when loaded that the schema has the fields it writes, so a field added
     * to {@code Scorecard.avsc} fails every test until it is written here too. Reuses its buffer; not
     * thread-safe: one per task.
     */
    public static final class Encoder {

        static {
            expectFields(Scorecard.getClassSchema(), "kind", "service", "signal", "model_version", "track", "slice",
                    "slo", "window_start", "window_end", "values", "incidents", "rollout");
            expectFields(ScorecardValue.getClassSchema(), "name", "value", "samples", "relative_accuracy");
            expectFields(Incident.getClassSchema(), "decision", "since");
            expectFields(RolloutStage.getClassSchema(), "candidate", "baseline", "since", "canary_share", "decision",
                    "decided_at");
        }

        private byte[] buffer = new byte[2048];
        private int size;

        public EncodedScorecard encode(Scorecard s) {
            size = 0;
            writeLong(s.getKind().ordinal());
            writeString(s.getService());
            writeOptional(s.getSignal());
            writeOptional(s.getModelVersion());
            writeOptional(s.getTrack());
            Map<String, String> slice = asAvroReadsIt(s.getSlice());
            writeCount(slice.size());
            for (Map.Entry<String, String> e : slice.entrySet()) {
                writeString(e.getKey());
                writeString(e.getValue());
            }
            writeEnd();
            writeOptional(s.getSlo());
            writeLong(s.getWindowStart());
            writeLong(s.getWindowEnd());
            List<ScorecardValue> values = s.getValues();
            writeCount(values.size());
            for (ScorecardValue v : values) {
                writeString(v.getName());
                writeOptional(v.getValue());
                writeLong(v.getSamples());
                writeOptional(v.getRelativeAccuracy());
            }
            writeEnd();
            List<Incident> incidents = s.getIncidents();
            writeCount(incidents.size());
            for (Incident i : incidents) {
                writeString(i.getDecision());
                writeLong(i.getSince());
            }
            writeEnd();
            RolloutStage r = s.getRollout();
            if (r == null) {
                writeLong(0);
            } else {
                writeLong(1);
                writeString(r.getCandidate());
                writeOptional(r.getBaseline());
                writeLong(r.getSince());
                writeOptional(r.getCanaryShare());
                writeOptional(r.getDecision());
                writeOptional(r.getDecidedAt());
            }
            return new EncodedScorecard(key(s), Arrays.copyOf(buffer, size));
        }

        /**
         * The slice in the order the topic has always had it: scorecards used to reach the sink through
         * Flink's Avro serializer, and Avro reads a map back into a {@code new HashMap<>(size)} filled in
         * the written order, whose iteration order the sink then wrote.
         */
        private static Map<String, String> asAvroReadsIt(Map<String, String> slice) {
            Map<String, String> read = new HashMap<>(slice.size());
            slice.forEach(read::put);
            return read;
        }

        private static void expectFields(Schema schema, String... names) {
            List<String> actual = schema.getFields().stream().map(Schema.Field::name).toList();
            if (!actual.equals(List.of(names))) {
                throw new IllegalStateException("EncodedScorecard.Encoder writes " + schema.getName() + " as "
                        + List.of(names) + " but the schema has " + actual + ": update the encoder");
            }
        }

        /** An array's or a map's single block: its item count (nothing when empty). */
        private void writeCount(int n) {
            if (n > 0) {
                writeLong(n);
            }
        }

        /** The end of an array or a map: a block of 0 items. */
        private void writeEnd() {
            writeLong(0);
        }

        /** A union of null (branch 0) and a string (branch 1). */
        private void writeOptional(String v) {
            if (v == null) {
                writeLong(0);
            } else {
                writeLong(1);
                writeString(v);
            }
        }

        /** A union of null (branch 0) and a double (branch 1). */
        private void writeOptional(Double v) {
            if (v == null) {
                writeLong(0);
            } else {
                writeLong(1);
                writeDouble(v);
            }
        }

        /** A union of null (branch 0) and a long (branch 1). */
        private void writeOptional(Long v) {
            if (v == null) {
                writeLong(0);
            } else {
                writeLong(1);
                writeLong(v);
            }
        }

        private void writeString(String v) {
            byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
            writeLong(utf8.length);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, buffer, size, utf8.length);
            size += utf8.length;
        }

        /** Zig-zag, then 7 bits a byte, lowest first. */
        private void writeLong(long v) {
            ensure(10);
            long n = (v << 1) ^ (v >> 63);
            while ((n & ~0x7FL) != 0) {
                buffer[size++] = (byte) ((n & 0x7F) | 0x80);
                n >>>= 7;
            }
            buffer[size++] = (byte) n;
        }

        /** The IEEE 754 bits as they are (NaN payload included), little-endian. */
        private void writeDouble(double v) {
            ensure(8);
            long bits = Double.doubleToRawLongBits(v);
            for (int i = 0; i < 8; i++) {
                buffer[size++] = (byte) (bits >>> (8 * i));
            }
        }

        private void ensure(int more) {
            if (size + more > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
            }
        }
    }
}
