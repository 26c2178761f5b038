package io.speechslo.generate;

import io.speechslo.advisory.Action;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Finding;
import io.speechslo.deadletter.DeadLetter;
import io.speechslo.fixtures.Pipelines;
import io.speechslo.job.Ingested;
import io.speechslo.policy.load.PolicyLoader;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every shipped scenario, generated with seed 1 and run through the whole topology on a MiniCluster at
 * parallelism 2 with the shipped default policies, gives the decision it was written for, and
 * nothing else fires.
 */
class ShippedScenariosITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final long SEED = 1;

    record Run(List<Advisory> advisories, List<io.speechslo.scorecard.Scorecard> scorecards, List<DeadLetter> deadLetters) {

        List<Advisory> of(AdvisoryKind kind) {
            return advisories.stream().filter(a -> a.getKind() == kind)
                    .sorted(Comparator.comparingLong(Advisory::getWindowEnd)).toList();
        }

        Advisory lastRollout() {
            List<Advisory> rollouts = of(AdvisoryKind.ROLLOUT);
            assertThat(rollouts).isNotEmpty();
            return rollouts.get(rollouts.size() - 1);
        }
    }

    static Run run(String scenario) throws Exception {
        Path file = Path.of("job/scenarios", scenario);
        byte[] bytes = Files.readAllBytes(file);
        TelemetryGenerator generator = new TelemetryGenerator(ScenarioLoader.parse(file.toString(), bytes), SEED);
        // serving samples too where the scenario has them, in their place in time, as replay reads them
        boolean serving = generator.hasServing();
        long count = serving ? countOf(generator.everything()) : generator.count();
        TypeInformation<Ingested> type = TypeInformation.of(Ingested.class);
        DataGeneratorSource<Ingested> source = new DataGeneratorSource<>(
                new ScenarioGeneratorFunction(file.toString(), bytes, SEED, serving), count, type);
        Pipelines.Run p = Pipelines.run(source, PolicyLoader.bundleDefaults(), "scenario " + scenario);
        Run run = new Run(p.advisories(), p.scorecards(), p.deadLetters());
        assertThat(run.deadLetters()).as("generated telemetry is valid and on time").isEmpty();
        return run;
    }

    private static long countOf(java.util.Iterator<?> records) {
        long n = 0;
        for (; records.hasNext(); records.next()) {
            n++;
        }
        return n;
    }

    private static boolean onSlice(Finding f, Map<String, String> slice) {
        return f.getSlice().equals(slice);
    }

    @Test
    void healthyCanaryContinuesAndNothingFires() throws Exception {
        Run run = run("healthy-canary.yaml");
        assertThat(run.of(AdvisoryKind.ROLLOUT)).extracting(Advisory::getDecision).doesNotContain(Decision.ROLLBACK);
        assertThat(run.lastRollout().getDecision()).isEqualTo(Decision.CONTINUE);
        assertThat(run.of(AdvisoryKind.BURN_RATE)).isEmpty();
        assertThat(run.of(AdvisoryKind.DRIFT)).isEmpty();
    }

    @Test
    void hiddenCohortRegressionRollsBackNamingTheCohort() throws Exception {
        Run run = run("hidden-cohort-regression.yaml");
        Map<String, String> cohort = Map.of("acoustic_condition", "noisy", "device", "mobile", "region", "eu-west-1");
        Advisory rollback = run.lastRollout();
        assertThat(rollback.getDecision()).isEqualTo(Decision.ROLLBACK);
        assertThat(rollback.getFindings()).anySatisfy(f -> {
            assertThat(f.getMetric()).isEqualTo("wer");
            assertThat(f.getSlice()).isEqualTo(cohort);
            assertThat(f.getAction()).isEqualTo(Action.ROLLBACK);
            assertThat(f.getReason()).isEqualTo("regression");
        });
        // the canary wins on the whole service: only the cohort gives it away
        assertThat(rollback.getFindings()).anySatisfy(f -> {
            assertThat(f.getMetric()).isEqualTo("wer");
            assertThat(f.getSlice()).isEmpty();
            assertThat(f.getValue()).isLessThan(f.getBaseline());
        });
        // where the candidate is significantly better (if anywhere), it never regressed
        java.util.Set<Map<String, String>> rolledBack = new java.util.HashSet<>();
        rollback.getFindings().stream().filter(f -> f.getAction() == Action.ROLLBACK).forEach(f -> rolledBack.add(f.getSlice()));
        assertThat(rollback.getFindings()).filteredOn(f -> f.getReason().equals("significantly_better"))
                .allSatisfy(f -> assertThat(rolledBack).doesNotContain(f.getSlice()));
        // the scope: not the whole candidate, only cohorts inside the broken one (none inside another)
        assertThat(rollback.getRollbackScope().getWholeCandidate()).isFalse();
        assertThat(rollback.getRollbackScope().getCohorts()).isNotEmpty().allSatisfy(c ->
                assertThat(cohort.entrySet()).containsAll(c.entrySet()));
        assertThat(rollback.getCanaryShare()).isBetween(0.45, 0.55); // the scenario's canary share: 0.5
        assertThat(run.of(AdvisoryKind.BURN_RATE)).isEmpty();
        assertThat(run.of(AdvisoryKind.DRIFT)).isEmpty();
    }

    @Test
    void gpuCostDoublingPausesWithoutRollingBack() throws Exception {
        Run run = run("gpu-cost-doubling.yaml");
        assertThat(run.of(AdvisoryKind.ROLLOUT)).extracting(Advisory::getDecision).doesNotContain(Decision.ROLLBACK);
        Advisory last = run.lastRollout();
        assertThat(last.getDecision()).isEqualTo(Decision.PAUSE);
        assertThat(last.getFindings()).anySatisfy(f -> {
            assertThat(f.getMetric()).isEqualTo("cost_per_audio_minute");
            assertThat(f.getSlice()).isEmpty();
            assertThat(f.getAction()).isEqualTo(Action.PAUSE);
            assertThat(f.getReason()).isEqualTo("regression");
            assertThat(f.getValue() / f.getBaseline()).isBetween(1.9, 2.1);
        });
        // every critical metric was judged and passed: the pause is the cost's alone
        assertThat(last.getFindings()).filteredOn(f -> f.getSlice().isEmpty() && f.getCritical())
                .isNotEmpty().allSatisfy(f -> assertThat(f.getAction()).isEqualTo(Action.CONTINUE));
        assertThat(run.of(AdvisoryKind.BURN_RATE)).isEmpty();
        assertThat(run.of(AdvisoryKind.DRIFT)).isEmpty();
    }

    @Test
    void endpointingThatClipsQuietSpeakersRollsBackAndDrifts() throws Exception {
        Run run = run("endpointing-clips-quiet-speakers.yaml");
        Map<String, String> quiet = Map.of("acoustic_condition", "quiet");
        assertThat(run.of(AdvisoryKind.ROLLOUT)).filteredOn(a -> a.getDecision() == Decision.ROLLBACK)
                .anySatisfy(a -> assertThat(a.getFindings()).anySatisfy(f -> {
                    assertThat(f.getMetric()).isEqualTo("wer");
                    assertThat(onSlice(f, quiet)).isTrue();
                    assertThat(f.getReason()).isEqualTo("regression");
                }));
        assertThat(run.of(AdvisoryKind.DRIFT)).anySatisfy(a -> {
            assertThat(a.getDecision()).isEqualTo(Decision.INVESTIGATE);
            assertThat(a.getFindings()).anySatisfy(f -> {
                assertThat(f.getMetric()).isEqualTo("clipping_ratio");
                assertThat(onSlice(f, quiet)).isTrue();
                assertThat(f.getValue()).isGreaterThan(f.getBaseline());
            });
        });
        assertThat(run.of(AdvisoryKind.BURN_RATE)).isEmpty();
    }

    @Test
    void preferredButSlowVoiceRollsBackAndItsPreferenceWinIsNotCounted() throws Exception {
        Run run = run("tts-preferred-but-slow.yaml");
        Advisory last = run.lastRollout();
        assertThat(last.getDecision()).isEqualTo(Decision.ROLLBACK);
        assertThat(last.getFindings()).anySatisfy(f -> {
            assertThat(f.getMetric()).isEqualTo("first_audio_p95_ms");
            assertThat(f.getSlice()).isEmpty();
            assertThat(f.getAction()).isEqualTo(Action.ROLLBACK);
            assertThat(f.getReason()).isEqualTo("regression");
            assertThat(f.getValue()).isGreaterThan(250.0);
        });
        assertThat(last.getFindings()).anySatisfy(f -> {
            assertThat(f.getMetric()).isEqualTo("preference");
            assertThat(f.getSlice()).isEmpty();
            assertThat(f.getAction()).isEqualTo(Action.UNJUDGED);
            assertThat(f.getReason()).isEqualTo("tier_one_not_passed");
            assertThat(f.getValue()).isGreaterThan(f.getBaseline()); // listeners do prefer it
        });
        // the slow canary burns its own latency budget; the service as a whole stays within its SLOs
        assertThat(run.of(AdvisoryKind.BURN_RATE)).allSatisfy(a -> {
            assertThat(a.getModelVersion()).isEqualTo("tts-2026.02.0");
            assertThat(a.getSlo()).isEqualTo("tts-first-audio-latency");
        });
        assertThat(run.of(AdvisoryKind.DRIFT)).isEmpty();
    }

    @Test
    void regionalOutageBurnsTheAvailabilitySloFastEnoughToPage() throws Exception {
        Run run = run("slo-burning-fast.yaml");
        assertThat(run.of(AdvisoryKind.BURN_RATE)).anySatisfy(a -> {
            assertThat(a.getDecision()).isEqualTo(Decision.PAGE);
            assertThat(a.getService()).isEqualTo("asr-dictation");
            assertThat(a.getSlo()).isEqualTo("asr-availability");
            assertThat(a.getLongBurnRate()).isGreaterThan(14.4);
        });
        assertThat(run.of(AdvisoryKind.BURN_RATE)).allSatisfy(a -> assertThat(a.getSlo()).isEqualTo("asr-availability"));
        // every page names the failing region first (page attribution), and nothing else: no invented slice
        assertThat(run.of(AdvisoryKind.BURN_RATE)).filteredOn(a -> a.getDecision() == Decision.PAGE).allSatisfy(a ->
                assertThat(a.getHints()).extracting(h -> h.getDriver() + " " + h.getMetric())
                        .containsExactly("slice bad_request_share{region=eu-west-1}"));
        assertThat(run.of(AdvisoryKind.ROLLOUT)).isEmpty();
        assertThat(run.of(AdvisoryKind.DRIFT)).isEmpty();
    }

    @Test
    void serviceWideOutagePagesNamingNoSlice() throws Exception {
        Run run = run("page-service-wide-outage.yaml");
        assertThat(run.of(AdvisoryKind.BURN_RATE)).anySatisfy(a -> {
            assertThat(a.getDecision()).isEqualTo(Decision.PAGE);
            assertThat(a.getService()).isEqualTo("asr-dictation");
            assertThat(a.getLongBurnRate()).isGreaterThan(14.4);
        });
        assertThat(run.of(AdvisoryKind.BURN_RATE)).allSatisfy(a -> {
            assertThat(a.getSlo()).isEqualTo("asr-availability");
            assertThat(a.getHints()).as("every cohort fails alike: no slice holds more than its share").isEmpty();
        });
        assertThat(run.of(AdvisoryKind.ROLLOUT)).isEmpty();
        assertThat(run.of(AdvisoryKind.DRIFT)).isEmpty();
    }

    @Test
    void stableOnlyServicePagesOnTheCohortWhoseQualityDropped() throws Exception {
        Run run = run("stable-cohort-quality-drop.yaml");
        Map<String, String> cohort = Map.of("language", "de-DE", "device", "phone-line", "model_version", "asr-2026.01.2");
        List<Advisory> burns = run.of(AdvisoryKind.BURN_RATE);
        assertThat(burns).extracting(Advisory::getSlo).containsOnly("asr-wer-per-slice", "asr-entity-error-per-slice")
                .contains("asr-wer-per-slice", "asr-entity-error-per-slice");
        // one advisory per SLO and evaluation, the worst slice first: the cohort itself
        assertThat(burns).allSatisfy(a -> {
            assertThat(a.getDecision()).isEqualTo(Decision.PAGE);
            assertThat(a.getModelVersion()).isEqualTo("asr-2026.01.2");
            assertThat(a.getFindings().get(0).getSlice()).isEqualTo(cohort);
            assertThat(a.getSummary()).contains("on device=phone-line, language=de-DE is burning");
        });
        assertThat(burns).filteredOn(a -> a.getSlo().equals("asr-wer-per-slice")).anySatisfy(a -> {
            assertThat(a.getLongWindow()).isEqualTo(3_600_000L);
            assertThat(a.getLongBurnRate()).isGreaterThanOrEqualTo(14.4);
        });
        // the language alone, the device alone and the whole service stay within their floors
        assertThat(burns).flatExtracting(Advisory::getFindings).extracting(f -> f.getSlice().size())
                .allSatisfy(n -> assertThat(n).isEqualTo(3));
        // the change came at minute 40: no page before it
        long start = java.time.Instant.parse("2026-01-05T08:40:00Z").toEpochMilli();
        assertThat(burns).allSatisfy(a -> assertThat(a.getWindowEnd()).isGreaterThan(start));
        assertThat(run.of(AdvisoryKind.ROLLOUT)).isEmpty();
    }
}
