package io.speechslo.policy.load;

import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.telemetry.Outcome;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped SLOs classify hand-built requests as good, bad, or not counted. */
class ShippedSlosTest {

    private static final Policies POLICIES = PolicyLoader.loadDefaults();

    private static String classify(String slo, SpecificRecord r) {
        SloDefinition s = POLICIES.slos().stream().filter(d -> d.name().equals(slo)).findFirst().orElseThrow();
        if (!s.total().test(r)) {
            return "excluded";
        }
        return s.good().test(r) ? "good" : "bad";
    }

    @Test
    void asrAvailabilityCountsTimeoutsAndErrorsButNotCancellations() {
        assertThat(classify("asr-availability", Telemetry.asr().build())).isEqualTo("good");
        assertThat(classify("asr-availability", Telemetry.asr().setOutcome(Outcome.CANCELLED).build())).isEqualTo("good");
        assertThat(classify("asr-availability", Telemetry.asr().setOutcome(Outcome.TIMEOUT).build())).isEqualTo("bad");
        assertThat(classify("asr-availability", Telemetry.asr().setOutcome(Outcome.ERROR).build())).isEqualTo("bad");
        // A request without any partial still counts for availability.
        assertThat(classify("asr-availability", Telemetry.asr().setFirstPartialMs(null).build())).isEqualTo("good");
    }

    @Test
    void asrFirstPartialIsGoodUpTo300msAndSkipsRequestsWithoutPartial() {
        String slo = "asr-first-partial-latency";
        assertThat(classify(slo, Telemetry.asr().setFirstPartialMs(300L).build())).isEqualTo("good");
        assertThat(classify(slo, Telemetry.asr().setFirstPartialMs(301L).build())).isEqualTo("bad");
        assertThat(classify(slo, Telemetry.asr().setFirstPartialMs(0L).build())).isEqualTo("good");
        assertThat(classify(slo, Telemetry.asr().setFirstPartialMs(null).build())).isEqualTo("excluded");
        assertThat(classify(slo, Telemetry.asr().setOutcome(Outcome.TIMEOUT).setFirstPartialMs(5_000L).build()))
                .isEqualTo("excluded");
        assertThat(classify(slo, Telemetry.asr().setOutcome(Outcome.CANCELLED).build())).isEqualTo("excluded");
    }

    @Test
    void asrFinalizationIsGoodUpTo800ms() {
        String slo = "asr-finalization-latency";
        assertThat(classify(slo, Telemetry.asr().setFinalizationMs(800L).build())).isEqualTo("good");
        assertThat(classify(slo, Telemetry.asr().setFinalizationMs(801L).build())).isEqualTo("bad");
        assertThat(classify(slo, Telemetry.asr().setFinalizationMs(null).build())).isEqualTo("excluded");
        assertThat(classify(slo, Telemetry.asr().setOutcome(Outcome.ERROR).build())).isEqualTo("excluded");
    }

    @Test
    void ttsAvailability() {
        assertThat(classify("tts-availability", Telemetry.tts().build())).isEqualTo("good");
        assertThat(classify("tts-availability", Telemetry.tts().setOutcome(Outcome.CANCELLED).build())).isEqualTo("good");
        assertThat(classify("tts-availability", Telemetry.tts().setOutcome(Outcome.TIMEOUT).build())).isEqualTo("bad");
        assertThat(classify("tts-availability", Telemetry.tts().setOutcome(Outcome.ERROR).build())).isEqualTo("bad");
    }

    @Test
    void ttsFirstAudioIsGoodUpTo250ms() {
        String slo = "tts-first-audio-latency";
        assertThat(classify(slo, Telemetry.tts().setFirstAudioMs(250L).build())).isEqualTo("good");
        assertThat(classify(slo, Telemetry.tts().setFirstAudioMs(251L).build())).isEqualTo("bad");
        assertThat(classify(slo, Telemetry.tts().setFirstAudioMs(null).build())).isEqualTo("excluded");
    }

    @Test
    void ttsPlaybackIsBadOnAnyUnderrun() {
        String slo = "tts-smooth-playback";
        assertThat(classify(slo, Telemetry.tts().setUnderruns(0).build())).isEqualTo("good");
        assertThat(classify(slo, Telemetry.tts().setUnderruns(1).build())).isEqualTo("bad");
        assertThat(classify(slo, Telemetry.tts().setUnderruns(7).build())).isEqualTo("bad");
        assertThat(classify(slo, Telemetry.tts().setOutcome(Outcome.TIMEOUT).setUnderruns(3).build())).isEqualTo("excluded");
    }
}
