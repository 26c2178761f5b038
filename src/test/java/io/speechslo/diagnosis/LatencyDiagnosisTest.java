package io.speechslo.diagnosis;

import io.speechslo.advisory.Hint;
import io.speechslo.fixtures.RandomDraws;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.LatencyComponents;
import io.speechslo.metrics.LatencyComponents.Part;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.policy.load.PolicyLoader;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The latency decomposition on two arms built request by request: the component that moved is named
 * with the share of the mean's rise it accounts for, components that did not move are not, and nothing
 * is named when the requests do not say where their time went.
 */
class LatencyDiagnosisTest {

    /** How one arm's TTS requests spend their time to first audio: queue + model (+ the rest). */
    private record Arm(double queueMean, double modelMean) {}

    /**
     * {@code n} TTS requests; the first {@code reporting} of them report queue and model time, every one
     * its first audio (queue + model + 20 ms of network).
     */
    private static MetricSet tts(long seed, Arm arm, int n, int reporting) {
        SplittableRandom rnd = new SplittableRandom(seed);
        MetricSet s = new MetricSet(Signal.TTS);
        for (int i = 0; i < n; i++) {
            long queue = Math.round(RandomDraws.exponential(rnd, arm.queueMean));
            long model = Math.round(arm.modelMean * (0.8 + 0.4 * rnd.nextDouble()));
            boolean reports = i < reporting;
            s.add(Requests.tts().setQueueMs(reports ? queue : null).setModelMs(reports ? model : null)
                    .setFirstAudioMs(queue + model + 20).build());
        }
        return s;
    }

    @Test
    void aQueueBacklogIsNamedWithTheShareItExplains() {
        MetricSet stable = tts(1, new Arm(6, 100), 20_000, 20_000);
        MetricSet canary = tts(2, new Arm(66, 100), 5_000, 5_000);
        List<Hint> hints = LatencyDiagnosis.hints(Metric.FIRST_AUDIO_P95_MS, "on the whole service", canary, stable);
        assertThat(hints).singleElement().satisfies(h -> {
            assertThat(h.getDriver()).isEqualTo("queue");
            assertThat(h.getMetric()).isEqualTo("queue_ms_mean");
            assertThat(h.getValue()).isBetween(63.0, 69.0);
            assertThat(h.getBaseline()).isBetween(5.5, 6.5);
            assertThat(h.getShareExplained()).isBetween(0.9, 1.1);
            assertThat(h.getEvidence()).startsWith("queue_ms mean ").contains("rise in mean first_audio_ms on the"
                    + " whole service").contains("over the 5000 canary and 20000 stable requests that report queue_ms"
                    + " (of 5000 and 20000)");
        });
    }

    @Test
    void aSlowerModelIsNamedAndAQueueThatDidNotMoveIsNot() {
        MetricSet stable = tts(1, new Arm(6, 100), 20_000, 20_000);
        MetricSet canary = tts(2, new Arm(6, 150), 5_000, 5_000);
        List<Hint> hints = LatencyDiagnosis.hints(Metric.FIRST_AUDIO_P95_MS, "in voice=aria", canary, stable);
        assertThat(hints).singleElement().satisfies(h -> {
            assertThat(h.getDriver()).isEqualTo("model");
            assertThat(h.getShareExplained()).isBetween(0.9, 1.1);
        });
    }

    @Test
    void bothMovingAreOrderedByShare() {
        MetricSet stable = tts(1, new Arm(6, 100), 20_000, 20_000);
        MetricSet canary = tts(2, new Arm(26, 160), 5_000, 5_000);
        List<Hint> hints = LatencyDiagnosis.hints(Metric.FIRST_AUDIO_P95_MS, "on the whole service", canary, stable);
        assertThat(hints).extracting(Hint::getDriver).containsExactly("model", "queue");
        assertThat(hints.get(0).getShareExplained()).isBetween(0.65, 0.85);
        assertThat(hints.get(1).getShareExplained()).isBetween(0.15, 0.35);
    }

    @Test
    void nothingMovedOrTheMeanFellNamesNothing() {
        MetricSet stable = tts(1, new Arm(6, 100), 20_000, 20_000);
        assertThat(LatencyDiagnosis.hints(Metric.FIRST_AUDIO_P95_MS, "on the whole service",
                tts(2, new Arm(6, 100), 5_000, 5_000), stable)).isEmpty();
        assertThat(LatencyDiagnosis.hints(Metric.FIRST_AUDIO_P95_MS, "on the whole service",
                tts(2, new Arm(6, 60), 5_000, 5_000), stable)).isEmpty();
        // a metric that is not made of queue and model time is not decomposed
        assertThat(LatencyDiagnosis.hints(Metric.CHUNK_GAP_P95_MS, "on the whole service",
                tts(2, new Arm(66, 100), 5_000, 5_000), stable)).isEmpty();
        assertThat(LatencyDiagnosis.total(Metric.CHUNK_GAP_P95_MS)).isNull();
    }

    @Test
    void fewRequestsReportingTheirComponentsNameNothingSomeSayHowMany() {
        MetricSet stable = tts(1, new Arm(6, 100), 20_000, 20_000);
        // 20 of 5,000 canary requests say where their time went: too few to name anything
        assertThat(LatencyDiagnosis.hints(Metric.FIRST_AUDIO_P95_MS, "on the whole service",
                tts(2, new Arm(66, 100), 5_000, 20), stable)).isEmpty();
        // 1,000 of them do: the decomposition uses those, and says so
        List<Hint> hints = LatencyDiagnosis.hints(Metric.FIRST_AUDIO_P95_MS, "on the whole service",
                tts(2, new Arm(66, 100), 5_000, 1_000), stable);
        assertThat(hints).singleElement().satisfies(h -> {
            assertThat(h.getDriver()).isEqualTo("queue");
            assertThat(h.getEvidence()).contains("over the 1000 canary and 20000 stable requests that report queue_ms"
                    + " (of 5000 and 20000)");
        });
    }

    @Test
    void aWindowComparedWithTheOneBeforeItReadsTheSame() {
        // what a latency SLO's page would compare: the service's requests of the page's window against
        // those of the window before (not two arms)
        MetricSet before = tts(1, new Arm(6, 100), 20_000, 20_000);
        MetricSet now = tts(2, new Arm(66, 100), 20_000, 20_000);
        assertThat(LatencyDiagnosis.totalOfField("first_audio_ms")).isEqualTo(
                io.speechslo.metrics.LatencyComponents.Part.FIRST_AUDIO);
        assertThat(LatencyDiagnosis.totalOfField("chunks")).isNull();
        List<Hint> hints = LatencyDiagnosis.hints(LatencyDiagnosis.totalOfField("first_audio_ms"), "on the whole service",
                now, before, "this hour's", "the previous hour's");
        assertThat(hints).singleElement().satisfies(h -> {
            assertThat(h.getDriver()).isEqualTo("queue");
            assertThat(h.getShareExplained()).isBetween(0.9, 1.1);
            assertThat(h.getEvidence()).contains("against 5.9 ms the previous hour's (p95")
                    .contains("over the 20000 this hour's and 20000 the previous hour's requests");
        });
    }

    @Test
    void theShippedSlosMapToTheLatencyTheyJudge() {
        Policies policies = PolicyLoader.bundleDefaults().policies();
        java.util.Map<String, Part> byName = new java.util.TreeMap<>();
        for (Signal signal : Signal.values()) {
            for (SloDefinition slo : policies.allSlosFor("any-service", signal)) {
                Part p = LatencyDiagnosis.totalOf(slo);
                byName.put(slo.name(), p);
            }
        }
        assertThat(byName).containsEntry("asr-first-partial-latency", Part.FIRST_PARTIAL)
                .containsEntry("asr-finalization-latency", Part.FINALIZATION)
                .containsEntry("tts-first-audio-latency", Part.FIRST_AUDIO)
                .containsEntry("asr-availability", null)
                .containsEntry("tts-availability", null)
                .containsEntry("tts-smooth-playback", null)
                .containsEntry("asr-wer-per-slice", null);
        // the threshold SLOs on a latency scorecard value
        assertThat(byName.entrySet()).filteredOn(e -> policies.slos().stream().anyMatch(
                        s -> s.name().equals(e.getKey()) && s.isThreshold() && s.threshold().metric().endsWith("_p95_ms")))
                .isNotEmpty().allSatisfy(e -> assertThat(e.getValue()).isIn(Part.FIRST_PARTIAL, Part.FIRST_AUDIO));
    }

    @Test
    void sumsOnlyComponentsDecomposeAlikeWithoutAP95() {
        MetricSet before = tts(1, new Arm(6, 100), 20_000, 20_000);
        MetricSet now = tts(2, new Arm(66, 100), 20_000, 20_000);
        LatencyComponents b = LatencyComponents.sumsOnly();
        b.merge(before.latency());
        LatencyComponents n = LatencyComponents.sumsOnly();
        n.merge(now.latency());
        List<Hint> sketched = LatencyDiagnosis.hints(Part.FIRST_AUDIO, "of v1", now, before, "in 09:00-10:00 UTC",
                "in 08:00-09:00 UTC");
        List<Hint> sums = LatencyDiagnosis.hints(Part.FIRST_AUDIO, "of v1", n, 20_000, b, 20_000, "in 09:00-10:00 UTC",
                "in 08:00-09:00 UTC");
        assertThat(sums).singleElement().satisfies(h -> {
            Hint k = sketched.get(0);
            assertThat(h.getDriver()).isEqualTo(k.getDriver());
            assertThat(h.getValue()).isEqualTo(k.getValue());
            assertThat(h.getBaseline()).isEqualTo(k.getBaseline());
            assertThat(h.getShareExplained()).isEqualTo(k.getShareExplained());
            assertThat(h.getEvidence()).doesNotContain("p95").contains("in 08:00-09:00 UTC (z=")
                    .isEqualTo(k.getEvidence().replaceFirst("\\(p95 [^,]*, ", "("));
        });
        // a sums-only cohort never goes into a sketched one (its sketches would miss values)
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> before.latency().merge(n))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
