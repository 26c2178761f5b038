package io.speechslo.gate;

import io.speechslo.advisory.Action;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Finding;
import io.speechslo.fixtures.GatePolicies;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.GatePolicy;
import io.speechslo.slice.RequestSlices;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Track;
import io.speechslo.telemetry.TtsRequest;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

class ReleaseGateTest {

    private static final GatePolicy POLICY = GatePolicies.standard();

    private static Advisory gate(Signal signal, Map<Slice, MetricSet> canary, Map<Slice, MetricSet> stable) {
        return ReleaseGate.evaluate(new GateInput(signal == Signal.ASR ? "asr-prod" : "tts-prod", signal, "v2", "v1",
                canary, stable, POLICY, 3_600_000L, "test-policy"));
    }

    private static Finding whole(Advisory a, String metric) {
        return a.getFindings().stream()
                .filter(f -> f.getMetric().equals(metric) && f.getSlice().isEmpty())
                .findFirst().orElseThrow(() -> new AssertionError("no whole-service finding for " + metric));
    }

    private static List<Finding> withAction(Advisory a, Action action) {
        return a.getFindings().stream().filter(f -> f.getAction() == action).toList();
    }

    @Test
    void identicalCanaryOverHundredsOfSlicesContinuesForEverySeed() {
        for (long seed = 1; seed <= 25; seed++) {
            Map<Slice, MetricSet> canary = new AsrTraffic(seed * 2).uniform(AsrTraffic.STABLE, Track.CANARY, 20_000).cohorts();
            Map<Slice, MetricSet> stable = new AsrTraffic(seed * 2 + 1).uniform(AsrTraffic.STABLE, Track.STABLE, 20_000).cohorts();
            assertThat(SliceRollup.rollUp(Signal.ASR, canary, 3)).hasSizeGreaterThan(200);

            Advisory a = gate(Signal.ASR, canary, stable);

            assertThat(a.getDecision()).as("seed %d: %s", seed, a.getSummary()).isEqualTo(Decision.CONTINUE);
            assertThat(withAction(a, Action.ROLLBACK)).isEmpty();
            assertThat(withAction(a, Action.PAUSE)).isEmpty();
        }
    }

    private static final Map<String, String> NOISY_MOBILE_EU = Map.of("region", "eu-west-1", "device", "mobile", "acoustic_condition", "noisy");

    /** The canary wins on average (WER x0.95) but its noisy mobile cohort in eu-west-1 is 11% worse. */
    private static Advisory hiddenCohort(GatePolicy policy, int scale) {
        int uniform = 30_000 * scale;
        int cohortRequests = 6_000 * scale;
        AsrTraffic.Model candidate = (l, r, d, c) -> {
            double base = AsrTraffic.STABLE.wer(l, r, d, c);
            boolean cohort = r.equals("eu-west-1") && d.equals("mobile") && c.equals("noisy");
            return cohort ? base * 1.11 : base * 0.95;
        };
        Map<Slice, MetricSet> canary = new AsrTraffic(7).uniform(candidate, Track.CANARY, uniform)
                .cohort(candidate, Track.CANARY, cohortRequests, "eu-west-1", "mobile", "noisy").cohorts();
        Map<Slice, MetricSet> stable = new AsrTraffic(8).uniform(AsrTraffic.STABLE, Track.STABLE, uniform)
                .cohort(AsrTraffic.STABLE, Track.STABLE, cohortRequests, "eu-west-1", "mobile", "noisy").cohorts();
        return ReleaseGate.evaluate(new GateInput("asr-prod", Signal.ASR, "v2", "v1", canary, stable, policy, 3_600_000L,
                "test-policy"));
    }

    private static void assertRollsBackNamingOnlyTheCohort(Advisory a) {
        assertThat(a.getDecision()).isNotEqualTo(Decision.CONTINUE).isEqualTo(Decision.ROLLBACK);
        Finding wer = whole(a, "wer");
        assertThat(wer.getValue()).as("the aggregate is a win").isLessThan(wer.getBaseline());
        assertThat(wer.getAction()).isEqualTo(Action.CONTINUE);
        Map<String, String> cohort = NOISY_MOBILE_EU;
        List<Finding> regressions = a.getFindings().stream()
                .filter(f -> f.getMetric().equals("wer") && f.getAction() == Action.ROLLBACK).toList();
        assertThat(regressions).extracting(Finding::getSlice).contains(cohort);
        for (Finding f : regressions) {
            assertThat(f.getReason()).isEqualTo("regression");
            assertThat(f.getPValue()).isLessThan(0.05);
            assertThat(f.getValue()).isGreaterThan(f.getLimit());
            // nothing outside the broken cohort is blamed
            f.getSlice().forEach((dim, value) -> {
                if (cohort.containsKey(dim)) {
                    assertThat(value).as("slice %s", f.getSlice()).isEqualTo(cohort.get(dim));
                }
            });
        }
        assertThat(a.getSummary()).contains("wer").contains("eu-west-1").contains("noisy").contains("mobile");
        assertThat(a.getRollbackTo()).isEqualTo("v1");
    }

    private static GatePolicy perLook(GatePolicy p) {
        return new GatePolicy(p.falseDiscoveryRate(), p.maxSliceDimensions(), p.rules(), p.promotionMinShare(), false);
    }

    @Test
    void aggregateWerWinDoesNotHideANoisyMobileCohortRegressingInOneRegion() {
        // one evaluation taken on its own (per look): 6,000 cohort requests a side are enough
        assertRollsBackNamingOnlyTheCohort(hiddenCohort(perLook(POLICY), 1));

        // always valid over every look of the rollout (the default), the same evidence is not yet enough:
        // inconclusive, not passed, and the advisory says how much more decides it ...
        assertThat(POLICY.alwaysValid()).isTrue();
        Advisory early = hiddenCohort(POLICY, 1);
        assertThat(early.getDecision()).isEqualTo(Decision.CONTINUE);
        assertThat(early.getPromotable()).isFalse();
        Finding f = early.getFindings().stream()
                .filter(x -> x.getMetric().equals("wer") && x.getSlice().equals(NOISY_MOBILE_EU)).findFirst().orElseThrow();
        assertThat(f.getVerdict()).isEqualTo("inconclusive");
        assertThat(f.getValue()).isGreaterThan(f.getLimit());
        assertThat(f.getSamplesNeeded()).isBetween(f.getSamples() + 1, 2 * f.getSamples());
        assertThat(early.getSummary()).startsWith("CONTINUE asr-prod v2 (vs stable v1), not yet promotable")
                .contains("wer inconclusive in acoustic_condition=noisy, device=mobile, region=eu-west-1");
        // ... and twice the traffic rolls back, naming only the cohort
        assertRollsBackNamingOnlyTheCohort(hiddenCohort(POLICY, 2));
    }

    @Test
    void aRollbackSaysWhatToTakeBackAndWhereTheCandidateIsBetter() {
        // 30% better everywhere but the cohort, 30% worse in it
        AsrTraffic.Model candidate = (l, r, d, c) -> {
            double base = AsrTraffic.STABLE.wer(l, r, d, c);
            boolean cohort = r.equals("eu-west-1") && d.equals("mobile") && c.equals("noisy");
            return cohort ? base * 1.3 : base * 0.7;
        };
        Map<Slice, MetricSet> canary = new AsrTraffic(7).uniform(candidate, Track.CANARY, 60_000)
                .cohort(candidate, Track.CANARY, 12_000, "eu-west-1", "mobile", "noisy").cohorts();
        Map<Slice, MetricSet> stable = new AsrTraffic(8).uniform(AsrTraffic.STABLE, Track.STABLE, 60_000)
                .cohort(AsrTraffic.STABLE, Track.STABLE, 12_000, "eu-west-1", "mobile", "noisy").cohorts();
        Advisory a = gate(Signal.ASR, canary, stable);
        assertThat(a.getDecision()).isEqualTo(Decision.ROLLBACK);
        assertThat(a.getCanaryShare()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
        // a partial rollback is possible: route the cohort (and nothing outside it) back to stable
        assertThat(a.getRollbackScope().getWholeCandidate()).isFalse();
        assertThat(a.getRollbackScope().getCohorts()).isNotEmpty().allSatisfy(c -> {
            assertThat(NOISY_MOBILE_EU.entrySet()).containsAll(c.entrySet());
            assertThat(c).isNotEmpty();
        });
        // no listed cohort lies inside another
        List<Map<String, String>> cohorts = a.getRollbackScope().getCohorts();
        for (Map<String, String> x : cohorts) {
            for (Map<String, String> y : cohorts) {
                if (x != y) {
                    assertThat(x.entrySet().containsAll(y.entrySet())).as(x + " inside " + y).isFalse();
                }
            }
        }
        List<Finding> better = a.getFindings().stream().filter(f -> f.getReason().equals("significantly_better")).toList();
        assertThat(better).as("better on the whole service and outside the cohort").isNotEmpty()
                .anySatisfy(f -> assertThat(f.getSlice()).isEmpty()).allSatisfy(f -> {
                    assertThat(f.getAction()).isEqualTo(Action.CONTINUE);
                    assertThat(f.getPValue()).isLessThan(0.05);
                    assertThat(f.getValue()).isLessThan(f.getBaseline());
                    assertThat(f.getSlice()).isNotEqualTo(NOISY_MOBILE_EU);
                });
        assertThat(better).hasSizeLessThanOrEqualTo(ReleaseGate.MAX_BETTER);

        // worse on the whole service: only the whole candidate will do
        AsrTraffic.Model worse = (l, r, d, c) -> AsrTraffic.STABLE.wer(l, r, d, c) * 1.3;
        Advisory all = gate(Signal.ASR, new AsrTraffic(7).uniform(worse, Track.CANARY, 60_000).cohorts(),
                new AsrTraffic(8).uniform(AsrTraffic.STABLE, Track.STABLE, 60_000).cohorts());
        assertThat(all.getDecision()).isEqualTo(Decision.ROLLBACK);
        assertThat(all.getRollbackScope().getWholeCandidate()).isTrue();
        assertThat(all.getFindings()).noneSatisfy(f -> assertThat(f.getReason()).isEqualTo("significantly_better"));
        // and a CONTINUE carries no scope
        Advisory same = gate(Signal.ASR, new AsrTraffic(7).uniform(AsrTraffic.STABLE, Track.CANARY, 30_000).cohorts(),
                new AsrTraffic(8).uniform(AsrTraffic.STABLE, Track.STABLE, 30_000).cohorts());
        assertThat(same.getRollbackScope()).isNull();
    }

    @Test
    void aCohortRollbackSaysWhetherEntityErrorsAgreeAndWhetherTheArmsAreLabelledAlike() {
        AsrTraffic.Model candidate = new AsrTraffic.Model() {
            @Override
            public double wer(String l, String r, String d, String c) {
                return AsrTraffic.STABLE.wer(l, r, d, c) * (cohort(r, d, c) ? 1.3 : 1.0);
            }

            @Override
            public double entityErrorRate(String l, String r, String d, String c) {
                return cohort(r, d, c) ? 0.16 : 0.08;
            }

            private boolean cohort(String r, String d, String c) {
                return r.equals("eu-west-1") && d.equals("mobile") && c.equals("noisy");
            }
        };
        AsrTraffic canaryTraffic = new AsrTraffic(7);
        Map<Slice, MetricSet> canary = canaryTraffic.uniform(candidate, Track.CANARY, 60_000)
                .cohort(candidate, Track.CANARY, 12_000, "eu-west-1", "mobile", "noisy").cohorts();
        Map<Slice, MetricSet> stable = new AsrTraffic(8).uniform(AsrTraffic.STABLE, Track.STABLE, 60_000)
                .cohort(AsrTraffic.STABLE, Track.STABLE, 12_000, "eu-west-1", "mobile", "noisy").cohorts();
        Advisory a = gate(Signal.ASR, canary, stable);
        assertThat(a.getDecision()).isEqualTo(Decision.ROLLBACK);
        assertThat(a.getHints()).singleElement().satisfies(h -> {
            assertThat(h.getDriver()).isEqualTo("model");
            assertThat(h.getMetric()).isEqualTo("entity_error_rate");
            assertThat(h.getValue()).isGreaterThan(h.getBaseline());
            assertThat(h.getShareExplained()).isNull();
        });

        // the canary's arm labelled at a fifth of stable's rate: the comparison is doubtful, and says so
        AsrTraffic sparse = new AsrTraffic(7);
        sparse.labelledRate = 0.1;
        Map<Slice, MetricSet> sparseCanary = sparse.uniform(candidate, Track.CANARY, 60_000)
                .cohort(candidate, Track.CANARY, 60_000, "eu-west-1", "mobile", "noisy").cohorts();
        Map<Slice, MetricSet> stable2 = new AsrTraffic(8).uniform(AsrTraffic.STABLE, Track.STABLE, 60_000)
                .cohort(AsrTraffic.STABLE, Track.STABLE, 60_000, "eu-west-1", "mobile", "noisy").cohorts();
        Advisory b = gate(Signal.ASR, sparseCanary, stable2);
        assertThat(b.getDecision()).isEqualTo(Decision.ROLLBACK);
        assertThat(b.getHints()).anySatisfy(h -> {
            assertThat(h.getDriver()).isEqualTo("labels");
            assertThat(h.getValue()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(0.02));
            assertThat(h.getBaseline()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.02));
        });

        // a regression with no supporting evidence gets no hint: none is invented
        AsrTraffic.Model werOnly = (l, r, d, c) -> AsrTraffic.STABLE.wer(l, r, d, c)
                * (r.equals("eu-west-1") && d.equals("mobile") && c.equals("noisy") ? 1.3 : 1.0);
        Advisory plain = gate(Signal.ASR, new AsrTraffic(7).uniform(werOnly, Track.CANARY, 60_000)
                .cohort(werOnly, Track.CANARY, 12_000, "eu-west-1", "mobile", "noisy").cohorts(), stable);
        assertThat(plain.getDecision()).isEqualTo(Decision.ROLLBACK);
        assertThat(plain.getHints()).isEmpty();
        // but the summary still says how much of the comparison rests on labels, on both sides
        assertThat(plain.getSummary()).containsPattern("; in that cohort labelled \\S+% of the canary's requests"
                + " \\(\\d+\\) against \\S+% of stable's \\(\\d+\\)\\.$");
    }

    @Test
    void latencyWinWithEntityErrorRegressionRollsBack() {
        AsrTraffic.Model candidate = new AsrTraffic.Model() {
            @Override
            public double wer(String l, String r, String d, String c) {
                return AsrTraffic.STABLE.wer(l, r, d, c);
            }

            @Override
            public double entityErrorRate(String l, String r, String d, String c) {
                return 0.12;
            }

            @Override
            public double firstPartialMs(SplittableRandom rnd) {
                return 80 + AsrTraffic.exponential(rnd, 25);
            }
        };
        Map<Slice, MetricSet> canary = new AsrTraffic(11).uniform(candidate, Track.CANARY, 20_000).cohorts();
        Map<Slice, MetricSet> stable = new AsrTraffic(12).uniform(AsrTraffic.STABLE, Track.STABLE, 20_000).cohorts();

        Advisory a = gate(Signal.ASR, canary, stable);

        assertThat(a.getDecision()).isEqualTo(Decision.ROLLBACK);
        assertThat(whole(a, "entity_error_rate").getAction()).isEqualTo(Action.ROLLBACK);
        Finding latency = whole(a, "first_partial_p95_ms");
        assertThat(latency.getAction()).isEqualTo(Action.CONTINUE);
        assertThat(latency.getValue()).isLessThan(latency.getBaseline());
        assertThat(a.getSummary()).startsWith("ROLLBACK asr-prod v2").contains("entity_error_rate");
    }

    @Test
    void aLatencyRegressionNamesTheComponentThatExplainsIt() {
        // the canary's requests wait 150 ms longer in the queue in eu-west-1; model time is unchanged
        AsrTraffic.Model queued = new AsrTraffic.Model() {
            @Override
            public double wer(String l, String r, String d, String c) {
                return AsrTraffic.STABLE.wer(l, r, d, c);
            }
        };
        AsrTraffic canaryTraffic = new AsrTraffic(31);
        canaryTraffic.reportsServing = true;
        AsrTraffic backlog = new AsrTraffic(33);
        backlog.reportsServing = true;
        AsrTraffic.Model slowQueue = new AsrTraffic.Model() {
            @Override
            public double wer(String l, String r, String d, String c) {
                return AsrTraffic.STABLE.wer(l, r, d, c);
            }

            @Override
            public double queueMs(SplittableRandom rnd) {
                return 150 + AsrTraffic.exponential(rnd, 8);
            }
        };
        Map<Slice, MetricSet> canary = merged(canaryTraffic.uniform(queued, Track.CANARY, 20_000).cohorts(),
                backlog.cohort(slowQueue, Track.CANARY, 4_000, "eu-west-1", "mobile", "quiet").cohorts());
        AsrTraffic stableTraffic = new AsrTraffic(32);
        stableTraffic.reportsServing = true;
        Map<Slice, MetricSet> stable = stableTraffic.uniform(AsrTraffic.STABLE, Track.STABLE, 20_000)
                .cohort(AsrTraffic.STABLE, Track.STABLE, 4_000, "eu-west-1", "mobile", "quiet").cohorts();

        Advisory a = gate(Signal.ASR, canary, stable);

        assertThat(a.getDecision()).isEqualTo(Decision.ROLLBACK);
        assertThat(a.getHints()).isNotEmpty();
        assertThat(a.getHints().get(0)).satisfies(h -> {
            assertThat(h.getDriver()).isEqualTo("queue");
            assertThat(h.getMetric()).isEqualTo("queue_ms_mean");
            // read where the gate's worst latency check is (here the whole service: a sixth of the canary's
            // requests waited 150 ms longer, so its mean queue is about 25 ms longer)
            assertThat(h.getValue()).isGreaterThan(h.getBaseline() + 15);
            assertThat(h.getShareExplained()).isBetween(0.9, 1.1);
            assertThat(h.getEvidence()).contains("first_partial_ms").contains("batch size mean")
                    .contains("first partial +").contains("on the whole service");
        });
        assertThat(a.getHints()).noneMatch(h -> h.getDriver().equals("model") || h.getDriver().equals("preprocess"));

        // the same regression, no request reporting where its time went: no driver is invented
        Map<Slice, MetricSet> silent = merged(new AsrTraffic(31).uniform(queued, Track.CANARY, 20_000).cohorts(),
                new AsrTraffic(33).cohort(new AsrTraffic.Model() {
                    @Override
                    public double wer(String l, String r, String d, String c) {
                        return AsrTraffic.STABLE.wer(l, r, d, c);
                    }

                    @Override
                    public double firstPartialMs(SplittableRandom rnd) {
                        return 270 + AsrTraffic.exponential(rnd, 40);
                    }
                }, Track.CANARY, 4_000, "eu-west-1", "mobile", "quiet").cohorts());
        Advisory b = gate(Signal.ASR, silent, stable);
        assertThat(b.getDecision()).isEqualTo(Decision.ROLLBACK);
        assertThat(b.getHints()).isEmpty();
    }

    private static Map<Slice, MetricSet> merged(Map<Slice, MetricSet> a, Map<Slice, MetricSet> b) {
        Map<Slice, MetricSet> m = new TreeMap<>();
        for (Map<Slice, MetricSet> part : List.of(a, b)) {
            part.forEach((k, v) -> m.computeIfAbsent(k, x -> new MetricSet(v.signal())).merge(v));
        }
        return m;
    }

    @Test
    void missingCriticalMetricPausesNeverPasses() {
        AsrTraffic unlabelled = new AsrTraffic(21);
        unlabelled.labelledRate = 0;
        Map<Slice, MetricSet> canary = unlabelled.uniform(AsrTraffic.STABLE, Track.CANARY, 10_000).cohorts();
        Map<Slice, MetricSet> stable = new AsrTraffic(22).uniform(AsrTraffic.STABLE, Track.STABLE, 10_000).cohorts();

        Advisory a = gate(Signal.ASR, canary, stable);

        assertThat(a.getDecision()).isEqualTo(Decision.PAUSE);
        Finding wer = whole(a, "wer");
        assertThat(wer.getAction()).isEqualTo(Action.PAUSE);
        assertThat(wer.getReason()).isEqualTo("missing");
        assertThat(wer.getSamples()).isZero();
        assertThat(whole(a, "entity_error_rate").getReason()).isEqualTo("missing");
        assertThat(a.getSummary()).contains("has no data");
    }

    @Test
    void tooFewSamplesOfACriticalMetricOnTheWholeServicePauses() {
        AsrTraffic sparse = new AsrTraffic(23);
        sparse.labelledRate = 0.02; // ~200 labelled requests, policy needs 500
        Map<Slice, MetricSet> canary = sparse.uniform(AsrTraffic.STABLE, Track.CANARY, 10_000).cohorts();
        Map<Slice, MetricSet> stable = new AsrTraffic(24).uniform(AsrTraffic.STABLE, Track.STABLE, 10_000).cohorts();

        Advisory a = gate(Signal.ASR, canary, stable);

        assertThat(a.getDecision()).isEqualTo(Decision.PAUSE);
        assertThat(whole(a, "wer").getReason()).isEqualTo("insufficient_data");
        assertThat(whole(a, "wer").getSamples()).isBetween(100L, 499L);
    }

    @Test
    void noncriticalCostRegressionPausesButDoesNotRollBack() {
        AsrTraffic.Model pricey = new AsrTraffic.Model() {
            @Override
            public double wer(String l, String r, String d, String c) {
                return AsrTraffic.STABLE.wer(l, r, d, c);
            }

            @Override
            public double costPerMinute() {
                return 0.012;
            }
        };
        // a true cost regression is significant in hundreds of slices; it must not lower the bar a
        // critical metric has to clear (critical and noncritical tests are separate families)
        for (long seed = 31; seed < 51; seed += 2) {
            Map<Slice, MetricSet> canary = new AsrTraffic(seed).uniform(pricey, Track.CANARY, 20_000).cohorts();
            Map<Slice, MetricSet> stable = new AsrTraffic(seed + 1).uniform(AsrTraffic.STABLE, Track.STABLE, 20_000).cohorts();

            Advisory a = gate(Signal.ASR, canary, stable);

            assertThat(a.getDecision()).as("seed %d: %s", seed, a.getSummary()).isEqualTo(Decision.PAUSE);
            assertThat(whole(a, "cost_per_audio_minute").getAction()).isEqualTo(Action.PAUSE);
            assertThat(whole(a, "cost_per_audio_minute").getValue()).isCloseTo(0.012, org.assertj.core.data.Offset.offset(0.0005));
            assertThat(withAction(a, Action.ROLLBACK)).isEmpty();
            assertThat(withAction(a, Action.PAUSE).size()).isGreaterThan(100);
        }
    }

    /** Identical requests: no spread, so the verdict rests on the limit alone. */
    private static Map<Slice, MetricSet> same(int n, Consumer<AsrRequest.Builder> edit) {
        Map<Slice, MetricSet> m = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            AsrRequest.Builder b = Requests.asr().setCostUsd(0.0004);
            edit.accept(b);
            AsrRequest r = b.build();
            m.computeIfAbsent(RequestSlices.of(r), k -> new MetricSet(Signal.ASR)).add(r);
        }
        return m;
    }

    @Test
    void exactlyOnTheLimitPassesAndJustBeyondFails() {
        Map<Slice, MetricSet> stable = same(2_000, b -> b.setRefWords(20).setWordErrors(4).setEntityTotal(10)
                .setEntityErrors(1).setFirstPartialMs(200L));
        // wer 0.21 = 0.20 * 1.05 exactly; first partial p95 = 300 ms exactly on the absolute limit
        Map<Slice, MetricSet> onLimit = same(2_000, b -> b.setRefWords(100).setWordErrors(21).setEntityTotal(10)
                .setEntityErrors(1).setFirstPartialMs(300L));
        Advisory a = gate(Signal.ASR, onLimit, stable);
        assertThat(a.getDecision()).as(a.getSummary()).isEqualTo(Decision.CONTINUE);
        assertThat(whole(a, "wer").getReason()).isEqualTo("within_limit");
        assertThat(whole(a, "first_partial_p95_ms").getReason()).isEqualTo("within_limit");

        Map<Slice, MetricSet> beyond = same(2_000, b -> b.setRefWords(100).setWordErrors(22).setEntityTotal(10)
                .setEntityErrors(1).setFirstPartialMs(200L));
        Advisory b = gate(Signal.ASR, beyond, stable);
        assertThat(b.getDecision()).isEqualTo(Decision.ROLLBACK);
        assertThat(whole(b, "wer").getAction()).isEqualTo(Action.ROLLBACK);

        Map<Slice, MetricSet> slow = same(2_000, b2 -> b2.setRefWords(20).setWordErrors(4).setEntityTotal(10)
                .setEntityErrors(1).setFirstPartialMs(330L));
        assertThat(whole(gate(Signal.ASR, slow, stable), "first_partial_p95_ms").getAction()).isEqualTo(Action.ROLLBACK);
    }

    @Test
    void timeoutDeltaExactlyOnTheLimitContinues() {
        int[] i = {0};
        Map<Slice, MetricSet> stable = same(10_000, b -> b.setRefWords(20).setWordErrors(2).setEntityTotal(5)
                .setEntityErrors(0).setOutcome(i[0]++ % 100 == 0 ? Outcome.TIMEOUT : Outcome.OK));
        int[] j = {0};
        // 110 timeouts in 10,000 = 1.1% = 1.0% + the 0.1 point delta
        Map<Slice, MetricSet> canary = same(10_000, b -> b.setRefWords(20).setWordErrors(2).setEntityTotal(5)
                .setEntityErrors(0).setOutcome(j[0]++ < 110 ? Outcome.TIMEOUT : Outcome.OK));
        Advisory a = gate(Signal.ASR, canary, stable);
        Finding timeouts = whole(a, "timeout_rate");
        assertThat(timeouts.getValue()).isEqualTo(0.011);
        assertThat(timeouts.getAction()).isEqualTo(Action.CONTINUE);
        assertThat(a.getDecision()).isEqualTo(Decision.CONTINUE);
    }

    @Test
    void anyIncreaseInSensitiveLoggingRollsBack() {
        Map<Slice, MetricSet> stable = same(10_000, b -> b.setRefWords(20).setWordErrors(2));
        int[] i = {0};
        Map<Slice, MetricSet> canary = same(10_000, b -> b.setRefWords(20).setWordErrors(2)
                .setSensitiveLogged(i[0]++ % 400 == 0));
        Advisory a = gate(Signal.ASR, canary, stable);
        assertThat(a.getDecision()).isEqualTo(Decision.ROLLBACK);
        Finding f = whole(a, "sensitive_logging_rate");
        assertThat(f.getBaseline()).isZero();
        assertThat(f.getValue()).isEqualTo(25 / 10_000.0);
        assertThat(f.getAction()).isEqualTo(Action.ROLLBACK);
    }

    @Test
    void aSmallSliceIsListedUnjudgedAndNeverPauses() {
        Map<Slice, MetricSet> canary = new AsrTraffic(41).uniform(AsrTraffic.STABLE, Track.CANARY, 20_000).cohorts();
        Map<Slice, MetricSet> stable = new AsrTraffic(42).uniform(AsrTraffic.STABLE, Track.STABLE, 20_000).cohorts();
        AsrTraffic awful = new AsrTraffic(43);
        awful.labelledRate = 1;
        awful.cohort((l, r, d, c) -> 0.5, Track.CANARY, 40, "af-south-1", "web", "quiet");
        awful.cohorts().forEach((k, v) -> canary.merge(k, v, (x, y) -> {
            x.merge(y);
            return x;
        }));

        Advisory a = gate(Signal.ASR, canary, stable);

        assertThat(a.getDecision()).as(a.getSummary()).isEqualTo(Decision.CONTINUE);
        assertThat(a.getFindings()).anySatisfy(f -> {
            assertThat(f.getAction()).isEqualTo(Action.UNJUDGED);
            assertThat(f.getSlice()).containsEntry("region", "af-south-1");
            assertThat(f.getReason()).isIn("missing", "insufficient_data");
        });
    }

    private static Map<Slice, MetricSet> tts(long seed, int n, long firstAudioMean, double preference) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<Slice, MetricSet> m = new TreeMap<>();
        String[] regions = {"us-east-1", "eu-west-1"};
        String[] voices = {"aria", "kai"};
        for (int i = 0; i < n; i++) {
            TtsRequest.Builder b = Requests.tts("tts-prod", "v", Track.STABLE, "en-US", regions[rnd.nextInt(2)], "mobile",
                    voices[rnd.nextInt(2)]);
            b.setFirstAudioMs(Math.round(firstAudioMean * 0.6 + AsrTraffic.exponential(rnd, firstAudioMean * 0.4)));
            b.setCostUsd(0.00002 * b.getGeneratedMs() / 1000.0);
            if (rnd.nextDouble() < 0.2) {
                b.setPreference((float) Math.max(1, Math.min(5, preference + rnd.nextGaussian() * 0.8)));
            }
            TtsRequest r = b.build();
            m.computeIfAbsent(RequestSlices.of(r), k -> new MetricSet(Signal.TTS)).add(r);
        }
        return m;
    }

    @Test
    void ttsVoicePreferredByListenersButSlowToFirstAudioRollsBackAndThePreferenceWinDoesNotCount() {
        Map<Slice, MetricSet> stable = tts(51, 10_000, 150, 3.8);
        Map<Slice, MetricSet> canary = tts(52, 10_000, 260, 4.3);

        Advisory a = gate(Signal.TTS, canary, stable);

        assertThat(a.getDecision()).isEqualTo(Decision.ROLLBACK);
        assertThat(whole(a, "first_audio_p95_ms").getAction()).isEqualTo(Action.ROLLBACK);
        Finding preference = whole(a, "preference");
        assertThat(preference.getAction()).isEqualTo(Action.UNJUDGED);
        assertThat(preference.getReason()).isEqualTo("tier_one_not_passed");
        assertThat(a.getSummary()).contains("tier-two metrics not counted");
    }

    @Test
    void ttsPreferenceRegressionCountsOnceTierOnePassesAndOnlyPauses() {
        Map<Slice, MetricSet> stable = tts(61, 10_000, 120, 4.0);
        Map<Slice, MetricSet> canary = tts(62, 10_000, 120, 3.6);

        Advisory a = gate(Signal.TTS, canary, stable);

        assertThat(a.getDecision()).isEqualTo(Decision.PAUSE);
        assertThat(whole(a, "preference").getAction()).isEqualTo(Action.PAUSE);
        assertThat(whole(a, "first_audio_p95_ms").getAction()).isEqualTo(Action.CONTINUE);
    }

    @Test
    void sameEvidenceGivesTheSameAdvisoryAndId() {
        Advisory a = gate(Signal.ASR, new AsrTraffic(71).uniform(AsrTraffic.STABLE, Track.CANARY, 5_000).cohorts(),
                new AsrTraffic(72).uniform(AsrTraffic.STABLE, Track.STABLE, 5_000).cohorts());
        Advisory b = gate(Signal.ASR, new AsrTraffic(71).uniform(AsrTraffic.STABLE, Track.CANARY, 5_000).cohorts(),
                new AsrTraffic(72).uniform(AsrTraffic.STABLE, Track.STABLE, 5_000).cohorts());
        Advisory c = gate(Signal.ASR, new AsrTraffic(73).uniform(AsrTraffic.STABLE, Track.CANARY, 5_000).cohorts(),
                new AsrTraffic(72).uniform(AsrTraffic.STABLE, Track.STABLE, 5_000).cohorts());

        assertThat(a).isEqualTo(b);
        assertThat(a.getAdvisoryId()).hasSize(32).isEqualTo(b.getAdvisoryId()).isNotEqualTo(c.getAdvisoryId());
        assertThat(a.getKind()).isEqualTo(AdvisoryKind.ROLLOUT);
        assertThat(a.getModelVersion()).isEqualTo("v2");
        assertThat(a.getBaselineVersion()).isEqualTo("v1");
        assertThat(a.getPolicyVersion()).isEqualTo("test-policy");
    }

    @Test
    void noSliceIsJudgedBeforeTheWholeServiceHasItsMinimumSamples() {
        // all traffic in one cohort: the full slice is the whole service. 300 labelled requests, twice
        // stable's WER: plenty for the slice minimum (200), not for the service minimum (500).
        Map<Slice, MetricSet> stable = same(300, b -> b.setRefWords(20).setWordErrors(2).setEntityTotal(5).setEntityErrors(0));
        Map<Slice, MetricSet> canary = same(300, b -> b.setRefWords(20).setWordErrors(4).setEntityTotal(5).setEntityErrors(0));

        Advisory a = gate(Signal.ASR, canary, stable);

        assertThat(a.getDecision()).isEqualTo(Decision.PAUSE);
        assertThat(whole(a, "wer").getReason()).isEqualTo("insufficient_data");
        assertThat(withAction(a, Action.ROLLBACK)).isEmpty();
        assertThat(a.getFindings()).filteredOn(f -> f.getMetric().equals("wer") && !f.getSlice().isEmpty())
                .isNotEmpty().allSatisfy(f -> assertThat(f.getAction()).isEqualTo(Action.UNJUDGED));
    }
}
