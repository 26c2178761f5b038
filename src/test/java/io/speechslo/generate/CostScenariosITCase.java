package io.speechslo.generate;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Hint;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped cost scenarios through the whole topology: a stable-only service whose cost per unit rises
 * for a known reason gets one COST INVESTIGATE whose first hint names that reason, with the share of the
 * rise it explains; the null scenario (nothing changes) gets no COST advisory and no hint anywhere.
 */
class CostScenariosITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "cost-batching-collapse.yaml, batching, cost_per_audio_minute",
            "cost-retry-storm.yaml, retries, cost_per_audio_minute",
            "cost-language-mix.yaml, request_mix, cost_per_audio_minute",
            "cost-model-slower.yaml, model, cost_per_audio_minute",
            "cost-fallback-storm.yaml, fallback, cost_per_audio_minute",
            "cost-short-audio.yaml, audio_length, cost_per_audio_minute",
            "cost-pool-shift.yaml, pool, cost_per_audio_minute",
            "cost-precision-fp32.yaml, precision, cost_per_audio_minute",
            "cost-gpu-starved.yaml, gpu_saturation, cost_per_audio_minute",
            "cost-warm-pool.yaml, autoscaler, cost_per_audio_minute",
            "tts-cache-loss.yaml, cache, cost_per_generated_second"})
    void aKnownCauseIsTheFirstHint(String scenario, String driver, String metric) throws Exception {
        ShippedScenariosITCase.Run run = ShippedScenariosITCase.run(scenario);
        List<Advisory> cost = run.of(AdvisoryKind.COST);
        assertThat(cost).as("one COST advisory, in the third hour").singleElement().satisfies(a -> {
            assertThat(a.getDecision()).isEqualTo(Decision.INVESTIGATE);
            assertThat(a.getModelVersion()).isNotNull();
            assertThat(a.getFindings()).singleElement().satisfies(f -> {
                assertThat(f.getMetric()).isEqualTo(metric);
                assertThat(f.getValue()).isGreaterThan(f.getLimit());
                assertThat(f.getLimit()).isGreaterThan(f.getBaseline());
                assertThat(f.getSamples()).isGreaterThan(1000);
                assertThat(f.getCritical()).isFalse();
            });
            Hint first = a.getHints().get(0);
            assertThat(first.getDriver()).isEqualTo(driver);
            // the scenario's cause is the whole rise: the hint says so, within sampling noise
            assertThat(first.getShareExplained()).isBetween(0.8, 1.25);
            assertThat(first.getValue()).isNotEqualTo(first.getBaseline());
            assertThat(a.getSummary()).contains("first driver: " + driver);
        });
        // cost is noncritical and no rollout is under way: nothing else fires
        assertThat(run.of(AdvisoryKind.ROLLOUT)).isEmpty();
        assertThat(run.of(AdvisoryKind.BURN_RATE)).isEmpty();
        assertThat(run.advisories()).allSatisfy(a -> {
            if (a.getKind() != AdvisoryKind.COST) {
                assertThat(a.getHints()).isEmpty();
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cost-steady.yaml", "healthy-canary.yaml", "gpu-cost-doubling.yaml"})
    void nothingChangedNoCostAdvisory(String scenario) throws Exception {
        // gpu-cost-doubling: the canary costs twice stable from its first minute, so against its own
        // history nothing changed (the release gate is what pauses it)
        ShippedScenariosITCase.Run run = ShippedScenariosITCase.run(scenario);
        assertThat(run.of(AdvisoryKind.COST)).isEmpty();
        assertThat(run.advisories()).allSatisfy(a -> assertThat(a.getHints()).isEmpty());
    }
}
