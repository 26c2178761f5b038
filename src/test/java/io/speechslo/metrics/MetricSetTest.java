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

    @Test
    void latencyComponentsCountTheRequestsThatReportThemMergeExactlyAndRoundTripInEitherFormat() throws IOException {
        SplittableRandom rnd = new SplittableRandom(5);
        MetricSet all = new MetricSet(Signal.ASR);
        MetricSet a = new MetricSet(Signal.ASR);
        MetricSet b = new MetricSet(Signal.ASR);
        double queueSum = 0;
        double queueSquares = 0;
        long queued = 0;
        long finalOfBoth = 0;
        for (int i = 0; i < 3000; i++) {
            // a third report no serving fields at all, a tenth no first partial
            boolean serving = i % 3 != 0;
            long queue = rnd.nextInt(50);
            var r = Requests.asr().setQueueMs(serving ? queue : null).setPreprocessMs(serving ? 4L : null)
                    .setModelMs(serving ? (long) (100 + rnd.nextInt(200)) : null).setBatchSize(serving ? 4 : null)
                    .setFirstPartialMs(i % 10 == 0 ? null : (long) (120 + rnd.nextInt(100)))
                    .setFinalizationMs((long) (300 + rnd.nextInt(100))).build();
            if (r.getFirstPartialMs() != null) {
                finalOfBoth += r.getFinalizationMs();
            }
            if (serving) {
                queued++;
                queueSum += queue;
                queueSquares += queue * queue;
            }
            all.add(r);
            (i % 7 == 0 ? a : b).add(r);
        }
        a.merge(b);
        LatencyComponents l = all.latency();
        assertThat(l.count(LatencyComponents.Part.QUEUE)).isEqualTo(queued).isEqualTo(2000);
        assertThat(l.mean(LatencyComponents.Part.QUEUE)).isCloseTo(queueSum / queued, offset(1e-12));
        assertThat(l.variance(LatencyComponents.Part.QUEUE))
                .isCloseTo((queueSquares - queueSum * queueSum / queued) / (queued - 1), offset(1e-9));
        assertThat(l.mean(LatencyComponents.Part.PREPROCESS)).isEqualTo(4.0);
        assertThat(l.variance(LatencyComponents.Part.PREPROCESS)).isZero();
        assertThat(l.quantile(LatencyComponents.Part.MODEL, 0.95)).isBetween(280.0, 300.0 * 1.01);
        assertThat(l.count(LatencyComponents.Part.FIRST_PARTIAL)).isEqualTo(2700);
        assertThat(l.count(LatencyComponents.Part.FINALIZATION)).isEqualTo(3000);
        assertThat(l.count(LatencyComponents.Part.PARTIAL_OF_BOTH)).isEqualTo(2700);
        // first partial plus the rest of the way is the final result, request by request
        assertThat(l.sum(LatencyComponents.Part.PARTIAL_OF_BOTH) + l.sum(LatencyComponents.Part.FINAL_AFTER_PARTIAL))
                .isEqualTo((double) finalOfBoth);
        assertThat(l.mean(LatencyComponents.Part.BATCH)).isEqualTo(4.0);
        assertThat(l.quantile(LatencyComponents.Part.BATCH, 0.95)).as("no sketch kept").isNaN();
        for (LatencyComponents.Part p : LatencyComponents.Part.values()) {
            assertThat(a.latency().count(p)).as(p.name()).isEqualTo(l.count(p));
            assertThat(a.latency().sum(p)).as(p.name()).isEqualTo(l.sum(p));
            assertThat(Double.valueOf(a.latency().quantile(p, 0.95))).isEqualTo(Double.valueOf(l.quantile(p, 0.95)));
        }

        // format 2 round-trips the components; format 1 (before them) reads with none, the metrics intact
        MetricSet back = MetricSet.readFrom(Signal.ASR, new io.speechslo.bytes.ByteReader(
                io.speechslo.bytes.ByteWriter.bytes(all::writeTo, 4096)));
        for (LatencyComponents.Part p : LatencyComponents.Part.values()) {
            assertThat(back.latency().count(p)).isEqualTo(l.count(p));
            assertThat(back.latency().variance(p)).isEqualTo(l.variance(p));
            assertThat(Double.valueOf(back.latency().quantile(p, 0.5))).isEqualTo(Double.valueOf(l.quantile(p, 0.5)));
        }
        byte[] format1 = io.speechslo.bytes.ByteWriter.bytes(out -> all.writeTo(out, 1), 4096);
        io.speechslo.bytes.ByteReader in = new io.speechslo.bytes.ByteReader(format1);
        MetricSet old = MetricSet.readFrom(Signal.ASR, in, 1);
        assertThat(in.remaining()).isZero();
        for (Metric m : Metric.of(Signal.ASR)) {
            assertThat(old.samples(m)).isEqualTo(all.samples(m));
            assertThat(Double.valueOf(old.value(m))).as(m.id()).isEqualTo(Double.valueOf(all.value(m)));
        }
        for (LatencyComponents.Part p : LatencyComponents.Part.values()) {
            assertThat(old.latency().count(p)).isZero();
        }
        assertThatThrownBy(() -> MetricSet.readFrom(Signal.ASR, new io.speechslo.bytes.ByteReader(format1), 3))
                .isInstanceOf(IOException.class).hasMessageContaining("reads 1 to 2");
    }

    @Test
    void aLatencyWhoseSquareNoLongHoldsStillGivesAPositiveSpread() {
        // schema-valid and accepted by validation: 10^18 ms squares to 10^36, far past a long
        MetricSet m = new MetricSet(Signal.ASR);
        m.add(Requests.asr().setQueueMs(1_000_000_000_000_000_000L).build());
        m.add(Requests.asr().setQueueMs(0L).build());
        double spread = m.latency().variance(LatencyComponents.Part.QUEUE);
        assertThat(spread).isCloseTo(5e35, org.assertj.core.data.Percentage.withPercentage(1e-9));
        assertThat(m.latency().mean(LatencyComponents.Part.QUEUE)).isEqualTo(5e17);
    }
}
