package io.speechslo.metrics;

import io.speechslo.fixtures.Requests;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Redaction;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class MetricSetTest {

    @Test
    void werIsTotalErrorsOverTotalWordsNotAMeanOfRatios() {
        MetricSet s = new MetricSet(Signal.ASR);
        s.add(Requests.asr().setRefWords(10).setWordErrors(5).build()); // 50%
        s.add(Requests.asr().setRefWords(90).setWordErrors(0).build()); // 0%
        s.add(Requests.asr().build()); // unlabelled: no WER contribution
        assertThat(s.value(Metric.WER)).isEqualTo(0.05); // 5 / 100, not (0.5 + 0) / 2
        assertThat(s.samples(Metric.WER)).isEqualTo(2);
        assertThat(s.requests()).isEqualTo(3);
    }

    @Test
    void outcomesLeaksCostAndChurnCountTheRightRequests() {
        MetricSet s = new MetricSet(Signal.ASR);
        s.add(Requests.asr().setOutcome(Outcome.TIMEOUT).build());
        s.add(Requests.asr().setOutcome(Outcome.ERROR).setPartials(0).build());
        s.add(Requests.asr().setOutcome(Outcome.CANCELLED).setRedaction(Redaction.FAILED).build());
        s.add(Requests.asr().setSensitiveLogged(true).setCostUsd(0.03).setAudioMs(120_000).setFirstPartialMs(null).build());
        assertThat(s.value(Metric.ASR_TIMEOUT_RATE)).isEqualTo(0.25);
        assertThat(s.value(Metric.ASR_ERROR_RATE)).isEqualTo(0.25);
        assertThat(s.value(Metric.SENSITIVE_LOGGING_RATE)).isEqualTo(0.5);
        assertThat(s.value(Metric.COST_PER_AUDIO_MINUTE)).isEqualTo(0.015);
        assertThat(s.samples(Metric.COST_PER_AUDIO_MINUTE)).isEqualTo(1);
        assertThat(s.samples(Metric.FIRST_PARTIAL_P95_MS)).isEqualTo(3);
        assertThat(s.value(Metric.PARTIAL_CHURN)).isEqualTo(6.0 / 24.0);
        assertThat(s.value(Metric.WER)).isNaN();
    }

    @Test
    void ttsMetrics() {
        MetricSet s = new MetricSet(Signal.TTS);
        s.add(Requests.tts().setUnderruns(2).setPreference(4.0f).build());
        s.add(Requests.tts().setInterrupted(true).setPreference(2.0f).setCostUsd(0.01).setGeneratedMs(4000).build());
        s.add(Requests.tts().setAbandoned(true).setChunks(0).setFirstAudioMs(null).build());
        assertThat(s.value(Metric.UNDERRUN_RATE)).isEqualTo(0.5); // the request with no chunks never played
        assertThat(s.value(Metric.INTERRUPTION_RATE)).isCloseTo(1 / 3.0, offset(1e-12));
        assertThat(s.value(Metric.ABANDONMENT_RATE)).isCloseTo(1 / 3.0, offset(1e-12));
        assertThat(s.value(Metric.PREFERENCE)).isEqualTo(3.0);
        assertThat(s.value(Metric.COST_PER_GENERATED_SECOND)).isEqualTo(0.0025);
        assertThat(s.samples(Metric.FIRST_AUDIO_P95_MS)).isEqualTo(2);
        assertThatThrownBy(() -> s.value(Metric.WER)).hasMessageContaining("wer is a ASR metric");
    }

    @Test
    void ratioVarianceMatchesTheSpreadOfResampledEstimates() {
        // the delta-method variance should match the empirical variance of the ratio over repeated samples
        SplittableRandom rnd = new SplittableRandom(5);
        int reps = 400;
        double[] est = new double[reps];
        double meanVar = 0;
        for (int k = 0; k < reps; k++) {
            MetricSet s = new MetricSet(Signal.ASR);
            for (int i = 0; i < 500; i++) {
                int words = 5 + rnd.nextInt(30);
                int errors = 0;
                for (int w = 0; w < words; w++) {
                    errors += rnd.nextDouble() < 0.12 ? 1 : 0;
                }
                s.add(Requests.asr().setRefWords(words).setWordErrors(errors).build());
            }
            RatioStat r = s.ratio(Metric.WER);
            est[k] = r.value();
            meanVar += r.variance() / reps;
        }
        double mean = java.util.Arrays.stream(est).average().orElseThrow();
        double empirical = java.util.Arrays.stream(est).map(e -> (e - mean) * (e - mean)).sum() / (reps - 1);
        assertThat(mean).isCloseTo(0.12, offset(0.002));
        assertThat(meanVar / empirical).isBetween(0.8, 1.25);
    }

    @Test
    void mergeEqualsAddingEverythingToOneAndStateRoundTrips() throws IOException {
        SplittableRandom rnd = new SplittableRandom(9);
        MetricSet all = new MetricSet(Signal.ASR);
        MetricSet a = new MetricSet(Signal.ASR);
        MetricSet b = new MetricSet(Signal.ASR);
        for (int i = 0; i < 2000; i++) {
            var r = Requests.asr().setRefWords(10).setWordErrors(rnd.nextInt(4))
                    .setFirstPartialMs((long) (100 + rnd.nextInt(400))).setCostUsd(rnd.nextDouble() / 100).build();
            all.add(r);
            (i % 3 == 0 ? a : b).add(r);
        }
        a.merge(b);
        for (Metric m : Metric.of(Signal.ASR)) {
            assertThat(a.samples(m)).as(m.id()).isEqualTo(all.samples(m));
            if (!Double.isNaN(all.value(m))) {
                assertThat(a.value(m)).as(m.id()).isCloseTo(all.value(m), offset(1e-12));
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        all.writeTo(new DataOutputStream(bytes));
        MetricSet back = MetricSet.readFrom(Signal.ASR, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        for (Metric m : Metric.of(Signal.ASR)) {
            assertThat(back.samples(m)).isEqualTo(all.samples(m));
            assertThat(Double.valueOf(back.value(m))).as(m.id()).isEqualTo(Double.valueOf(all.value(m)));
        }
        assertThat(back.requests()).isEqualTo(2000);
        assertThat(bytes.size()).as("compact state").isLessThan(8_000);
    }
}
