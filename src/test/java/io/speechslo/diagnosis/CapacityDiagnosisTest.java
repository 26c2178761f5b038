package io.speechslo.diagnosis;

import io.speechslo.advisory.Hint;
import io.speechslo.serving.ServingStats;
import io.speechslo.testing.TelemetrySamples;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The capacity evidence of a latency alert against hand-made pool-minutes of serving samples. */
class CapacityDiagnosisTest {

    private static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");

    /**
     * {@code n} pool-minutes of 4 samples each; every {@code pendingEvery}-th minute (0: none) with a
     * scale-up pending for 90 s; utilisation around {@code util}.
     */
    private static CapacityDiagnosis.Window window(int n, int pendingEvery, double util) {
        CapacityDiagnosis.Window w = new CapacityDiagnosis.Window();
        for (int m = 0; m < n; m++) {
            ServingStats minute = new ServingStats();
            boolean pending = pendingEvery > 0 && m % pendingEvery == 0;
            for (int k = 0; k < 4; k++) {
                Instant t = T0.plusSeconds(60L * m + 15L * k);
                minute.add(TelemetrySamples.serving(k, t).setGpuUtil((float) (util + 0.02 * (m % 3 - 1)))
                        .setScaleUpRequestedAt(pending ? t.minusSeconds(90) : null).build());
            }
            w.add(minute);
        }
        return w;
    }

    @Test
    void scaleUpsPendingMoreOftenAreTheAutoscaler() {
        List<Hint> hints = CapacityDiagnosis.hints("of v1 in 09:00-10:00 UTC", window(60, 2, 0.6),
                "in 08:00-09:00 UTC", window(60, 20, 0.6));
        assertThat(hints).singleElement().satisfies(h -> {
            assertThat(h.getDriver()).isEqualTo("autoscaler");
            assertThat(h.getValue()).isEqualTo(0.5);
            assertThat(h.getBaseline()).isEqualTo(0.05);
            assertThat(h.getShareExplained()).isNull();
            assertThat(h.getEvidence()).startsWith("replicas the autoscaler asked for were not ready in 30 of 60"
                    + " pool-minutes of v1 in 09:00-10:00 UTC (longest wait 90 s) against 3 of 60 in 08:00-09:00 UTC");
        });
    }

    @Test
    void gpusBusierToSaturationAreGpuSaturation() {
        List<Hint> hints = CapacityDiagnosis.hints("of v1 now", window(60, 0, 0.95), "before", window(60, 0, 0.6));
        assertThat(hints).extracting(Hint::getDriver).containsExactly("gpu_saturation");
        assertThat(hints.get(0).getEvidence()).startsWith("GPUs 95% busy (mean of 60 pool-minutes) of v1 now against"
                + " 60% before");
        // busier, but not saturated: nothing
        assertThat(CapacityDiagnosis.hints("now", window(60, 0, 0.7), "before", window(60, 0, 0.5)))
                .isEmpty();
    }

    @Test
    void steadyPoolsOrTooFewMinutesNameNothing() {
        assertThat(CapacityDiagnosis.hints("now", window(60, 20, 0.9), "before", window(60, 20, 0.9)))
                .isEmpty();
        assertThat(CapacityDiagnosis.hints("now", window(9, 1, 0.95), "before", window(60, 0, 0.5)))
                .isEmpty();
        assertThat(CapacityDiagnosis.hints("now", window(60, 1, 0.95), "before", window(0, 0, 0.5)))
                .isEmpty();
    }

    @Test
    void trafficMovedToAnotherPoolIsThePool() {
        java.util.Map<String, Long> before = java.util.Map.of("gpu-us", 1000L);
        java.util.Map<String, Long> now = java.util.Map.of("gpu-us", 700L, "gpu-us-overflow", 300L);
        List<Hint> hints = CapacityDiagnosis.poolHints("of v1 now", now, 1000, "before", before, 1000);
        assertThat(hints).singleElement().satisfies(h -> {
            assertThat(h.getDriver()).isEqualTo("pool");
            assertThat(h.getMetric()).isEqualTo("pool_share{gpu-us-overflow}");
            assertThat(h.getValue()).isEqualTo(0.3);
            assertThat(h.getBaseline()).isEqualTo(0.0);
            assertThat(h.getShareExplained()).isNull();
            assertThat(h.getEvidence()).startsWith("pool gpu-us-overflow answered 30.0% of the requests that name their"
                    + " pool of v1 now against 0.0% before");
        });
        // too few requests name their pool on one side, or the pools did not move: nothing
        assertThat(CapacityDiagnosis.poolHints("now", now, 3000, "before", before, 1000)).isEmpty();
        assertThat(CapacityDiagnosis.poolHints("now", before, 1000, "before", before, 1000)).isEmpty();
        assertThat(CapacityDiagnosis.poolHints("now", now, 1000, "before", java.util.Map.of(), 1000)).isEmpty();
    }
}
