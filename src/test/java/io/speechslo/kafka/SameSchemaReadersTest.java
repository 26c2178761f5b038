package io.speechslo.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;

class SameSchemaReadersTest {

    private static final Schema ASR = AsrRequest.getClassSchema();
    private static final Schema TTS = TtsRequest.getClassSchema();

    @Test
    void readersFollowTheSchemasInSchemasFolder() {
        assertThat(SameSchemaReaders.fingerprint(ASR))
                .as("schemas/AsrRequest.avsc changed: bring SameSchemaReaders.readAsr and ASR_WRITTEN_FOR up to date")
                .isEqualTo(SameSchemaReaders.ASR_WRITTEN_FOR);
        assertThat(SameSchemaReaders.fingerprint(TTS))
                .as("schemas/TtsRequest.avsc changed: bring SameSchemaReaders.readTts and TTS_WRITTEN_FOR up to date")
                .isEqualTo(SameSchemaReaders.TTS_WRITTEN_FOR);
        assertThat(SameSchemaReaders.reads(ASR, ASR)).isTrue();
        assertThat(SameSchemaReaders.reads(TTS, TTS)).isTrue();
        assertThat(SameSchemaReaders.reads(TTS, ASR)).isFalse();
    }

    @Test
    void aWriterSchemaDifferingOnlyInDocsIsReadHereButAnyOtherIsNot() {
        Schema documented = new Schema.Parser().parse(ASR.toString().replace(
                "\"doc\":\"Audio duration received.\"", "\"doc\":\"changed wording\""));
        Schema renamed = new Schema.Parser().parse(ASR.toString().replace(
                "\"name\":\"audio_ms\"", "\"name\":\"audio_millis\""));
        assertThat(documented.getField("audio_ms").doc()).isEqualTo("changed wording");

        assertThat(SameSchemaReaders.reads(documented, ASR)).isTrue();
        assertThat(SameSchemaReaders.reads(renamed, ASR)).isFalse();
    }

    @Test
    void everyFieldReadsAsAvrosOwnReaderReadsIt() throws IOException {
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            AsrRequest asr = randomRecord(AsrRequest::new, random);
            assertThat(SameSchemaReaders.readAsr(wrap(bytes(asr)))).isEqualTo(avroRead(bytes(asr), ASR)).isEqualTo(asr);
            TtsRequest tts = randomRecord(TtsRequest::new, random);
            assertThat(SameSchemaReaders.readTts(wrap(bytes(tts)))).isEqualTo(avroRead(bytes(tts), TTS)).isEqualTo(tts);
        }
    }

    @Test
    void theReaderTakesExactlyTheRecordsBytes() throws IOException {
        byte[] one = bytes(randomRecord(AsrRequest::new, new Random(1)));
        byte[] twice = Arrays.copyOf(one, 2 * one.length);
        System.arraycopy(one, 0, twice, one.length, one.length);
        BoundedBinaryDecoder in = wrap(twice);

        SameSchemaReaders.readAsr(in);

        assertThat(in.remaining()).isEqualTo(one.length);
    }

    @Test
    void malformedDataFailsWithTheReasonNeverAWrongRecord() {
        byte[] good = bytes(randomRecord(TtsRequest::new, new Random(7)));

        assertThatThrownBy(() -> SameSchemaReaders.readTts(wrap(Arrays.copyOf(good, good.length - 1))))
                .isInstanceOf(EOFException.class);

        // request_id "" (length 0), event_time 0, service "", model_version "", then track index 5 (zigzag 10)
        byte[] badTrack = {0, 0, 0, 0, 10};
        assertThatThrownBy(() -> SameSchemaReaders.readTts(wrap(badTrack)))
                .isInstanceOf(IOException.class).hasMessageContaining("enum index 5 of Track");

        AsrRequest asr = randomRecord(AsrRequest::new, new Random(3));
        asr.setFirstPartialMs(null);
        byte[] bytes = bytes(asr);
        int union = unionOffset(bytes);
        bytes[union] = 4; // branch 2 of a [null, long] union
        assertThatThrownBy(() -> SameSchemaReaders.readAsr(wrap(bytes)))
                .isInstanceOf(IOException.class).hasMessageContaining("union branch 2");
    }

    /** Where first_partial_ms's union branch is in {@code bytes} of an ASR record: right after audio_ms. */
    private static int unionOffset(byte[] bytes) {
        BoundedBinaryDecoder in = wrap(bytes);
        try {
            for (Schema.Field f : ASR.getFields()) {
                if (f.name().equals("first_partial_ms")) {
                    return bytes.length - in.remaining();
                }
                switch (f.schema().getType()) {
                    case STRING -> in.readString();
                    case LONG -> in.readLong();
                    case ENUM -> in.readEnum();
                    default -> throw new IllegalStateException("not expected before first_partial_ms: " + f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no first_partial_ms in " + ASR.getFullName());
    }

    /** A record with every field set from its schema: nulls, negative, huge and odd values among them. */
    private static <R extends SpecificRecord> R randomRecord(Supplier<R> make, Random random) {
        R r = make.get();
        for (Schema.Field f : r.getSchema().getFields()) {
            Schema s = f.schema();
            if (s.getType() == Schema.Type.UNION) {
                if (random.nextInt(3) == 0) {
                    r.put(f.pos(), null);
                    continue;
                }
                s = s.getTypes().get(1);
            }
            r.put(f.pos(), value(s, random));
        }
        return r;
    }

    private static Object value(Schema s, Random random) {
        if (s.getLogicalType() != null && s.getLogicalType().getName().equals("timestamp-millis")) {
            return Instant.ofEpochMilli(random.nextLong() >> 20);
        }
        return switch (s.getType()) {
            case STRING -> switch (random.nextInt(4)) {
                case 0 -> "";
                case 1 -> "eu-west-" + random.nextInt(3);
                case 2 -> "ünïcødé-" + random.nextInt(1_000);
                default -> "a-request-id-well-over-thirty-two-bytes-long-" + random.nextLong();
            };
            case LONG -> random.nextBoolean() ? (long) random.nextInt(1_000) : random.nextLong();
            case INT -> random.nextBoolean() ? random.nextInt(100) - 3 : random.nextInt();
            case FLOAT -> random.nextInt(5) == 0 ? Float.NaN : random.nextFloat() * 200 - 100;
            case DOUBLE -> random.nextDouble() * 1e-3;
            case BOOLEAN -> random.nextBoolean();
            case ENUM -> SpecificData.get().createEnum(
                    s.getEnumSymbols().get(random.nextInt(s.getEnumSymbols().size())), s);
            default -> throw new IllegalStateException("no random value for " + s);
        };
    }

    private static byte[] bytes(SpecificRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            var encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static SpecificRecord avroRead(byte[] bytes, Schema schema) throws IOException {
        return new SpecificDatumReader<SpecificRecord>(schema).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }

    private static BoundedBinaryDecoder wrap(byte[] bytes) {
        return new BoundedBinaryDecoder().wrap(bytes, 0, bytes.length);
    }
}
