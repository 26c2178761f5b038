package io.speechslo.generate;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Hint;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped latency scenarios through the whole topology: a canary slower for a known reason is
 * rolled back on a latency metric, and the rollback's first hint names the component that explains
 * the rise (queue for a backlog, model for a slower model), with the share of the mean's rise it
 * accounts for; the null scenario (a canary as fast as stable) gets no latency finding and no hint.
 */
class LatencyScenariosITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /**
     * @param low,high the share of the rise the driver explains: all of it for the backlog and the slower
     *     preprocessing (the wait is added to the latencies), about 0.6 for the model (its time is 55-65%
     *     of a final result)
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "latency-queue-backlog.yaml, queue, queue_ms_mean, 0.8, 1.25",
            "latency-preprocess-slower.yaml, preprocess, preprocess_ms_mean, 0.8, 1.25",
            "latency-model-slower.yaml, model, model_ms_mean, 0.45, 0.8"})
    void theComponentThatMovedIsTheFirstHint(String scenario, String driver, String metric, double low, double high)
            throws Exception {
        ShippedScenariosITCase.Run run = ShippedScenariosITCase.run(scenario);
        List<Advisory> rollbacks = run.of(AdvisoryKind.ROLLOUT).stream()
                .filter(a -> a.getDecision() == Decision.ROLLBACK).toList();
        assertThat(rollbacks).as("the latency regression rolls the canary back").isNotEmpty();
        Advisory first = rollbacks.get(0);
        assertThat(first.getSummary()).containsPattern("(first_partial_p95_ms|finalization_p99_ms) regressed");
        for (Advisory a : rollbacks) {
            assertThat(a.getHints()).as(a.getSummary()).isNotEmpty();
            Hint h = a.getHints().get(0);
            assertThat(h.getDriver()).isEqualTo(driver);
            assertThat(h.getMetric()).isEqualTo(metric);
            assertThat(h.getValue()).isGreaterThan(h.getBaseline());
            assertThat(h.getShareExplained()).isBetween(low, high);
            assertThat(h.getEvidence()).contains("batch size mean").contains("requests that report");
            // the component that did not move is not named
            List<String> others = new java.util.ArrayList<>(List.of("queue", "preprocess", "model"));
            others.remove(driver);
            assertThat(a.getHints()).extracting(Hint::getDriver).doesNotHaveDuplicates()
                    .doesNotContainAnyElementsOf(others);
            // the serving samples: the backlog's canary GPUs run saturated; the slower model's pools look alike
            assertThat(a.getHints()).extracting(Hint::getDriver).doesNotContain("autoscaler");
            if (!driver.equals("queue")) {
                assertThat(a.getHints()).extracting(Hint::getDriver).doesNotContain("gpu_saturation");
            }
        }
        if (driver.equals("queue")) {
            assertThat(rollbacks.get(rollbacks.size() - 1).getHints()).anySatisfy(h -> {
                assertThat(h.getDriver()).isEqualTo("gpu_saturation");
                assertThat(h.getShareExplained()).isNull();
                assertThat(h.getValue()).isGreaterThan(0.85);
                assertThat(h.getBaseline()).isLessThan(0.6);
                assertThat(h.getEvidence()).contains("of canary asr-2026.02.0 in the last hour against ")
                        .contains("of stable asr-2026.01.2");
            });
        }
    }

    @Test
    void aCanaryAsFastAsStableGetsNoLatencyFindingAndNoHint() throws Exception {
        ShippedScenariosITCase.Run run = ShippedScenariosITCase.run("latency-steady.yaml");
        assertThat(run.of(AdvisoryKind.ROLLOUT)).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getDecision()).isNotEqualTo(Decision.ROLLBACK);
            assertThat(a.getFindings()).noneMatch(f -> f.getMetric().endsWith("_ms") && "regression".equals(f.getReason()));
        });
        assertThat(run.advisories()).allSatisfy(a -> assertThat(a.getHints()).isEmpty());
    }
}
