package io.speechslo.scorecard;

import io.speechslo.kafka.ConfluentWire;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EncodedScorecardTest {

    private static Scorecard slo(String version) {
        return Scorecard.newBuilder()
                .setKind(ScorecardKind.SLO)
                .setService("asr-assistant")
                .setSignal("ASR")
                .setModelVersion(version)
                .setSlice(Map.of())
                .setSlo("asr-availability")
                .setWindowStart(60_000)
                .setWindowEnd(120_000)
                .setValues(List.of(new ScorecardValue("sli", 0.999, 1000L, null),
                        new ScorecardValue("burn_rate_5m", null, 0L, null),
                        new ScorecardValue("first_partial_p95_ms", 212.5, 900L, 0.005)))
                .setIncidents(List.of(new Incident("PAGE", 30_000L), new Incident("TICKET", -5L)))
                .build();
    }

    private static Scorecard slice() {
        Map<String, String> slice = new LinkedHashMap<>();
        slice.put("language", "fr-FR");
        slice.put("region", "région-ü-東京"); // multi-byte UTF-8
        List<ScorecardValue> values = new ArrayList<>();
        for (int i = 0; i < 200; i++) { // past the encoder's first buffer
            values.add(new ScorecardValue("v" + i, i % 3 == 0 ? null : i * -1.25e10, (long) i << (i % 60),
                    i % 2 == 0 ? 0.005 : null));
        }
        values.add(new ScorecardValue("nan", Double.NaN, Long.MIN_VALUE, -0.0));
        values.add(new ScorecardValue("", Double.NEGATIVE_INFINITY, Long.MAX_VALUE, Double.MIN_VALUE));
        return Scorecard.newBuilder()
                .setKind(ScorecardKind.SLICE)
                .setService("tts-voice")
                .setSignal(null)
                .setModelVersion("tts-2026.02.0")
                .setTrack("CANARY")
                .setSlice(slice)
                .setWindowStart(Long.MIN_VALUE)
                .setWindowEnd(Long.MAX_VALUE)
                .setValues(values)
                .build();
    }

    private static Scorecard rollout(boolean decided) {
        return Scorecard.newBuilder()
                .setKind(ScorecardKind.ROLLOUT)
                .setService("asr-assistant")
                .setSignal("ASR")
                .setModelVersion("asr-2026.02.0")
                .setSlice(Map.of())
                .setWindowStart(0)
                .setWindowEnd(60_000)
                .setValues(List.of())
                .setRollout(new RolloutStage("asr-2026.02.0", decided ? "asr-2026.01.2" : null, 12_345L,
                        decided ? 0.1 : null, decided ? "PAUSE" : null, decided ? 59_999L : null))
                .build();
    }

    @Test
    void isAFlinkPojo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(EncodedScorecard.class);
    }

    /**
     * What the sink wrote before scorecards were encoded where they are made: the scorecard as Flink's
     * Avro serializer handed it over (written and read back), written by Avro's own writer.
     */
    private static byte[] asTheSinkWroteIt(Scorecard s) throws IOException {
        ByteArrayOutputStream network = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().binaryEncoder(network, null);
        new SpecificDatumWriter<>(Scorecard.class).write(s, out);
        out.flush();
        Scorecard received = new SpecificDatumReader<>(Scorecard.class)
                .read(null, DecoderFactory.get().binaryDecoder(network.toByteArray(), null));
        return new ConfluentWire().encode(42, received);
    }

    @Test
    void framedBodyIsWhatTheSinkWroteBefore() throws IOException {
        EncodedScorecard.Encoder encoder = new EncodedScorecard.Encoder();
        List<Scorecard> cards = new ArrayList<>(List.of(slo("asr-2026.02.0"), slo(null), slice(), rollout(true),
                rollout(false), slo("v2")));
        // slices whose dimensions a HashMap orders otherwise than by name
        for (List<String> dims : List.of(List.of("device", "region"), List.of("acoustic_condition", "language"),
                List.of("language", "voice"), List.of("device", "voice"), List.of("pool"))) {
            Map<String, String> slice = new LinkedHashMap<>();
            dims.forEach(d -> slice.put(d, d + "-value"));
            cards.add(Scorecard.newBuilder(slo("v3")).setKind(ScorecardKind.SLICE).setSlice(slice).build());
        }
        for (Scorecard s : cards) {
            EncodedScorecard e = encoder.encode(s);
            assertThat(ConfluentWire.frame(42, e.body)).isEqualTo(asTheSinkWroteIt(s));
            assertThat(e.decode()).isEqualTo(s);
        }
    }

    @Test
    void keyIsServiceAndVersionEmptyWhenServiceWide() {
        assertThat(EncodedScorecard.key(slo("v2"))).isEqualTo("asr-assistant/v2");
        assertThat(EncodedScorecard.key(slo(null))).isEqualTo("asr-assistant/");
    }
}
