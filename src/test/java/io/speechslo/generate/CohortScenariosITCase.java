package io.speechslo.generate;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Hint;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cohort regressions through the whole topology: a cohort whose input changed for the canary only
 * (cohort-input-drift: noisier audio in one region) is rolled back with {@code input_drift} as its first
 * hint and no {@code model}; a cohort whose model regressed on unchanged input (hidden-cohort-regression)
 * with {@code model} first, naming no input drift; one whose canary labels a quarter as much in the cohort
 * (cohort-label-skew) with {@code labels} first; a healthy canary gets no cohort hint at all.
 */
class CohortScenariosITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static List<Advisory> rollbacks(ShippedScenariosITCase.Run run) {
        return run.of(AdvisoryKind.ROLLOUT).stream().filter(a -> a.getDecision() == Decision.ROLLBACK).toList();
    }

    @Test
    void aCanaryRoutedNoisierAudioInOneRegionIsInputDriftNotTheModel() throws Exception {
        List<Advisory> rollbacks = rollbacks(ShippedScenariosITCase.run("cohort-input-drift.yaml"));
        assertThat(rollbacks).as("the cohort's regression rolls the canary back").isNotEmpty();
        for (Advisory a : rollbacks) {
            assertThat(a.getSummary()).contains("regressed in ").contains("region=eu-west-1");
            assertThat(a.getHints()).as(a.getSummary()).isNotEmpty();
            Hint first = a.getHints().get(0);
            assertThat(first.getDriver()).isEqualTo("input_drift");
            assertThat(first.getMetric()).isEqualTo("snr_db_mean");
            assertThat(first.getValue()).as("the canary's audio is noisier").isLessThan(first.getBaseline() - 3);
            assertThat(first.getEvidence()).contains("the arms did not hear the same audio").contains("labelled ");
            assertThat(a.getHints()).extracting(Hint::getDriver).doesNotContain("model", "labels");
        }
    }

    @Test
    void aModelThatRegressesOneCohortOnUnchangedInputIsTheModel() throws Exception {
        List<Advisory> rollbacks = rollbacks(ShippedScenariosITCase.run("hidden-cohort-regression.yaml"));
        assertThat(rollbacks).isNotEmpty();
        for (Advisory a : rollbacks) {
            assertThat(a.getSummary()).contains("wer regressed in ")
                    .containsPattern("; in that cohort labelled \\S+% of the canary's requests \\(\\d+\\) against");
            assertThat(a.getHints()).as(a.getSummary()).isNotEmpty();
            Hint first = a.getHints().get(0);
            assertThat(first.getDriver()).isEqualTo("model");
            assertThat(first.getValue()).isNotEqualTo(first.getBaseline());
            assertThat(first.getEvidence()).contains("correction rate ").contains("mean confidence ")
                    .containsPattern("agrees? with the wer regression").contains("labelled ");
            assertThat(a.getHints()).extracting(Hint::getDriver).doesNotContain("input_drift", "labels");
            // its canary pool runs hot, but a quality regression carries no capacity evidence
            assertThat(a.getHints()).extracting(Hint::getDriver).doesNotContain("gpu_saturation", "autoscaler");
        }
    }

    @Test
    void aCohortLabelledAQuarterAsMuchOnTheCanaryIsLabelsFirst() throws Exception {
        List<Advisory> rollbacks = rollbacks(ShippedScenariosITCase.run("cohort-label-skew.yaml"));
        assertThat(rollbacks).as("the cohort's regression rolls the canary back").isNotEmpty();
        for (Advisory a : rollbacks) {
            assertThat(a.getSummary()).contains("wer regressed in ").contains("region=eu-west-1");
            assertThat(a.getHints()).as(a.getSummary()).isNotEmpty();
            Hint first = a.getHints().get(0);
            assertThat(first.getDriver()).isEqualTo("labels");
            // the canary's label rate there is a quarter of stable's
            assertThat(first.getValue()).isBetween(0.15 * first.getBaseline(), 0.4 * first.getBaseline());
            assertThat(first.getEvidence()).contains("check the label source");
            assertThat(a.getHints()).extracting(Hint::getDriver).doesNotContain("input_drift");
        }
    }

    @Test
    void aHealthyCanaryGetsNoCohortHint() throws Exception {
        ShippedScenariosITCase.Run run = ShippedScenariosITCase.run("healthy-canary.yaml");
        assertThat(run.of(AdvisoryKind.ROLLOUT)).isNotEmpty();
        assertThat(run.advisories()).allSatisfy(a -> assertThat(a.getHints()).extracting(Hint::getDriver)
                .doesNotContainAnyElementsOf(Set.of("model", "input_drift", "labels")));
        assertThat(run.advisories()).allSatisfy(a -> assertThat(a.getHints()).isEmpty());
    }
}
