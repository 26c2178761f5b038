package io.speechslo.scorecard;

import io.speechslo.kafka.ConfluentWire;

import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

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
                .setIncidents(List.of(new Incident("PAGE", 30_000L)))
                .build();
    }

    @Test
    void isAFlinkPojo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(EncodedScorecard.class);
    }

    @Test
    void framedBodyIsWhatTheWireSerializerWrites() {
        EncodedScorecard.Encoder encoder = new EncodedScorecard.Encoder();
        for (Scorecard s : List.of(slo("asr-2026.02.0"), slo(null), slo("v2"))) {
            EncodedScorecard e = encoder.encode(s);
            assertThat(ConfluentWire.frame(42, e.body)).isEqualTo(new ConfluentWire().encode(42, s));
            assertThat(e.decode()).isEqualTo(s);
        }
    }

    @Test
    void keyIsServiceAndVersionEmptyWhenServiceWide() {
        assertThat(EncodedScorecard.key(slo("v2"))).isEqualTo("asr-assistant/v2");
        assertThat(EncodedScorecard.key(slo(null))).isEqualTo("asr-assistant/");
    }
}
