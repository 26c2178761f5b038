package io.speechslo.scorecard;

import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

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

    /** Encodes scorecards, reusing its buffer, encoder and datum writer. Not thread-safe: one per task. */
    public static final class Encoder {

        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(2048);
        private final SpecificDatumWriter<Scorecard> writer =
                new SpecificDatumWriter<>(Scorecard.getClassSchema(), SpecificData.getForSchema(Scorecard.getClassSchema()));
        private BinaryEncoder encoder;

        public EncodedScorecard encode(Scorecard s) {
            buffer.reset();
            encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
            try {
                writer.write(s, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("could not encode a " + s.getKind() + " scorecard of " + s.getService(), e);
            }
            return new EncodedScorecard(key(s), buffer.toByteArray());
        }
    }
}
