package io.speechslo.gate;

import io.speechslo.advisory.Hint;
import io.speechslo.drift.AudioFeature;
import io.speechslo.drift.DriftStats;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.scorecard.RequestStats;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Track;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The evidence on a cohort the gate names: input drift when the arms (or the canary against its first
 * hour) heard different audio, model when the other quality signals agree with the regression, labels
 * when the arms are labelled unlike; nothing for arms that differ only by sampling noise.
 */
class CohortEvidenceTest {

    static final Slice SLICE = Slice.of(Map.of("region", "eu-west-1"));

    /** One arm's requests in the slice: what the gate holds of them, metrics and cohort sums. */
    static final class Arm {
        final MetricSet metrics = new MetricSet(Signal.ASR);
        final CohortSums cohort = new CohortSums();

        /**
         * Adds {@code n} requests with word and entity error rates, snr mean and label rate, in one pane
         * folded into {@code period}; confidence and corrections follow each request's errors as they do
         * in real traffic.
         */
        Arm add(long seed, int n, double wer, double entityErrors, double snr, double labelled, int period) {
            SplittableRandom random = new SplittableRandom(seed);
            RequestStats stats = new RequestStats();
            DriftStats drift = new DriftStats();
            for (int i = 0; i < n; i++) {
                double requestWer = Math.min(1, wer * Math.exp(0.35 * gaussian(random) - 0.06));
                AsrRequest.Builder b = Requests.asr("asr-prod", "v", Track.STABLE, "en-US", "eu-west-1", "mobile",
                        "noisy")
                        .setConfidence((float) Math.max(0, Math.min(1, 0.97 - 1.5 * requestWer + 0.02 * gaussian(random))))
                        .setCorrections(random.nextDouble() < requestWer * 0.3 ? 1 : 0)
                        .setSnrDb((float) (snr + 4 * gaussian(random)))
                        .setSilenceRatio((float) (0.2 + 0.06 * gaussian(random)))
                        .setSpeechLevelDbfs((float) (-26 + 3 * gaussian(random)))
                        .setClippingRatio((float) (0.0005 * -Math.log(1 - random.nextDouble())));
                if (random.nextDouble() < labelled) {
                    int words = 20;
                    int errors = 0;
                    for (int w = 0; w < words; w++) {
                        errors += random.nextDouble() < requestWer ? 1 : 0;
                    }
                    int entityErrs = 0;
                    for (int e = 0; e < 4; e++) {
                        entityErrs += random.nextDouble() < entityErrors ? 1 : 0;
                    }
                    b.setRefWords(words).setWordErrors(errors).setEntityTotal(4).setEntityErrors(entityErrs);
                }
                AsrRequest r = b.build();
                metrics.add(r);
                stats.add(r);
                drift.add(r);
            }
            cohort.addPane(CohortSums.ofPane(stats, drift), period);
            return this;
        }

        Arm add(long seed, int n, double wer, double entityErrors, double snr, double labelled) {
            return add(seed, n, wer, entityErrors, snr, labelled, CohortSums.FIRST_HOUR)
                    .add(seed + 1000, n, wer, entityErrors, snr, labelled, CohortSums.LATER);
        }
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    private static List<Hint> hints(Arm canary, Arm stable) {
        return CohortEvidence.hints(Signal.ASR, Metric.WER, SLICE, canary.metrics, stable.metrics, canary.cohort,
                stable.cohort);
    }

    @Test
    void aCanaryRoutedNoisierAudioNamesInputDriftAndNotTheModel() {
        // the canary's share of the region hears 10 dB less signal-to-noise, and its errors rise with it
        Arm canary = new Arm().add(1, 3000, 0.2, 0.16, 12, 0.3);
        Arm stable = new Arm().add(2, 3000, 0.15, 0.1, 22, 0.3);
        List<Hint> hints = hints(canary, stable);
        assertThat(hints).isNotEmpty();
        Hint first = hints.get(0);
        assertThat(first.getDriver()).isEqualTo("input_drift");
        assertThat(first.getMetric()).isEqualTo("snr_db_mean");
        assertThat(first.getValue()).isCloseTo(12, org.assertj.core.data.Offset.offset(0.5));
        assertThat(first.getBaseline()).isCloseTo(22, org.assertj.core.data.Offset.offset(0.5));
        assertThat(first.getShareExplained()).isNull();
        assertThat(first.getEvidence()).startsWith("snr_db of the audio in region=eu-west-1: canary mean 12")
                .contains(" dB against stable's 22").contains("against the slice's own baseline (the rollout's first hour)")
                .contains("labelled ").contains("of the canary's requests").contains("the arms did not hear the same audio");
        // the input differs: the quality signals agreeing does not make it the model's
        assertThat(hints).extracting(Hint::getDriver).containsExactly("input_drift");
    }

    @Test
    void theModelIsNamedWhenEntityErrorsCorrectionsAndConfidenceAgreeOnUnchangedInput() {
        Arm canary = new Arm().add(1, 3000, 0.25, 0.16, 22, 0.3);
        Arm stable = new Arm().add(2, 3000, 0.15, 0.1, 22, 0.3);
        List<Hint> hints = hints(canary, stable);
        assertThat(hints).extracting(Hint::getDriver).containsExactly("model");
        Hint h = hints.get(0);
        assertThat(h.getMetric()).isEqualTo("entity_error_rate");
        assertThat(h.getValue()).isGreaterThan(h.getBaseline());
        assertThat(h.getShareExplained()).isNull();
        assertThat(h.getEvidence()).contains("entity_error_rate ").contains("correction rate ")
                .contains("mean confidence ").contains("(z=").contains("agree with the wer regression")
                .doesNotContain("within noise")
                .contains("labelled ");
    }

    @Test
    void correctionsAndConfidenceAloneSupportTheModelWithoutEntityLabels() {
        // entity errors unchanged (within noise), but users correct more and confidence drops
        Arm canary = new Arm().add(1, 3000, 0.2, 0.1, 22, 0.3);
        Arm stable = new Arm().add(2, 3000, 0.15, 0.1, 22, 0.3);
        List<Hint> hints = hints(canary, stable);
        assertThat(hints).extracting(Hint::getDriver).containsExactly("model");
        assertThat(hints.get(0).getMetric()).isIn("correction_rate", "confidence_mean");
    }

    @Test
    void armsAlikeGiveNoHint() {
        for (long seed = 1; seed <= 20; seed++) {
            Arm canary = new Arm().add(seed, 2000, 0.15, 0.1, 22, 0.3);
            Arm stable = new Arm().add(seed + 100, 3000, 0.15, 0.1, 22, 0.3);
            assertThat(hints(canary, stable)).as("seed " + seed).isEmpty();
        }
    }

    @Test
    void aCanaryWhoseInputChangedAfterItsFirstHourNamesInputDriftAgainstItsOwnBaseline() {
        Arm canary = new Arm().add(1, 3000, 0.15, 0.1, 22, 0.3, CohortSums.FIRST_HOUR)
                .add(3, 3000, 0.2, 0.1, 16, 0.3, CohortSums.LATER);
        Arm stable = new Arm().add(2, 6000, 0.15, 0.1, 22, 0.3);
        List<Hint> hints = hints(canary, stable);
        assertThat(hints).isNotEmpty();
        Hint first = hints.get(0);
        assertThat(first.getDriver()).isEqualTo("input_drift");
        assertThat(first.getMetric()).isEqualTo("snr_db_mean");
        // the larger effect is against its first hour (6 dB) rather than against stable (3 dB over the rollout)
        assertThat(first.getValue()).isCloseTo(16, org.assertj.core.data.Offset.offset(0.5));
        assertThat(first.getBaseline()).isCloseTo(22, org.assertj.core.data.Offset.offset(0.5));
        assertThat(first.getEvidence()).contains("the canary's input changed during the rollout");
    }

    @Test
    void inputThatMovedForBothArmsAlikeIsNotInputDrift() {
        Arm canary = new Arm().add(1, 3000, 0.15, 0.1, 22, 0.3, CohortSums.FIRST_HOUR)
                .add(3, 3000, 0.15, 0.1, 16, 0.3, CohortSums.LATER);
        Arm stable = new Arm().add(2, 3000, 0.15, 0.1, 22, 0.3, CohortSums.FIRST_HOUR)
                .add(4, 3000, 0.15, 0.1, 16, 0.3, CohortSums.LATER);
        assertThat(hints(canary, stable)).isEmpty();
    }

    @Test
    void labelRatesThatDifferAreNamedWithBothSidesSamples() {
        Arm canary = new Arm().add(1, 3000, 0.15, 0.1, 22, 0.1);
        Arm stable = new Arm().add(2, 3000, 0.15, 0.1, 22, 0.4);
        List<Hint> hints = hints(canary, stable);
        assertThat(hints).extracting(Hint::getDriver).containsExactly("labels");
        Hint h = hints.get(0);
        assertThat(h.getValue()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(0.02));
        assertThat(h.getBaseline()).isCloseTo(0.4, org.assertj.core.data.Offset.offset(0.02));
        assertThat(h.getEvidence()).containsPattern("labelled \\S+% of the canary's requests \\(\\d+\\) against \\S+%"
                + " of stable's \\(\\d+\\) in region=eu-west-1");
    }

    @Test
    void withoutCohortSumsOnlyTheErrorMetricsAndLabelsAreRead() {
        Arm canary = new Arm().add(1, 3000, 0.2, 0.1, 12, 0.3);
        Arm stable = new Arm().add(2, 3000, 0.15, 0.1, 22, 0.3);
        assertThat(CohortEvidence.hints(Signal.ASR, Metric.WER, SLICE, canary.metrics, stable.metrics, null, null))
                .isEmpty();
    }

    @Test
    void cohortSumsAreExactWhateverTheOrderAndGroupingOfPanes() throws Exception {
        Arm a = new Arm().add(1, 500, 0.2, 0.1, 12, 0.3);
        Arm b = new Arm().add(2, 700, 0.15, 0.1, 22, 0.3);
        Arm c = new Arm().add(3, 300, 0.15, 0.1, 18, 0.3);
        CohortSums left = new CohortSums();
        left.merge(a.cohort);
        left.merge(b.cohort);
        left.merge(c.cohort);
        CohortSums bc = new CohortSums();
        bc.merge(c.cohort);
        bc.merge(b.cohort);
        CohortSums right = new CohortSums();
        right.merge(bc);
        right.merge(a.cohort);
        assertThat(bytes(left)).isEqualTo(bytes(right));
        // a handful of numbers per arm and full slice (issue 14's budget is 16 KB per active slice)
        assertThat(bytes(left).length).as("bytes of one slice's cohort sums").isLessThan(600);
        CohortSums back = CohortSums.readFrom(new io.speechslo.bytes.ByteReader(bytes(left)));
        assertThat(bytes(back)).isEqualTo(bytes(left));
        CohortSums.Moments snr = back.feature(AudioFeature.SNR_DB);
        assertThat(snr.n()).isEqualTo(3000);
        assertThat(back.feature(AudioFeature.SNR_DB, CohortSums.FIRST_HOUR).n()).isEqualTo(1500);
        assertThat(back.confidence().n()).isEqualTo(3000);
        assertThat(back.correctionRequests()).isEqualTo(3000);
        assertThat(snr.mean()).isCloseTo((12 * 1000 + 22 * 1400 + 18 * 600) / 3000.0,
                org.assertj.core.data.Offset.offset(0.3));
    }

    private static byte[] bytes(CohortSums s) {
        return io.speechslo.bytes.ByteWriter.bytes(s::writeTo, 512);
    }
}
