package io.speechslo.gate;

import io.speechslo.advisory.Action;
import io.speechslo.advisory.Advisory;
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

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Three verdicts per check, samples needed, promotable and the honest CONTINUE summary. */
class ReleaseGateVerdictTest {

    private static final GatePolicy POLICY = GatePolicies.standard();
    private static final long HOUR = 3_600_000L;

    private static Advisory gate(GatePolicy policy, Map<Slice, MetricSet> canary, Map<Slice, MetricSet> stable) {
        // the rollout started an hour before this evaluation
        return ReleaseGate.evaluate(new GateInput("asr-prod", Signal.ASR, "v2", "v1", canary, stable, policy,
                2 * HOUR, "test-policy", HOUR));
    }

    private static Finding find(Advisory a, String metric, Map<String, String> slice) {
        return a.getFindings().stream().filter(f -> f.getMetric().equals(metric) && f.getSlice().equals(slice))
                .findFirst().orElseThrow(() -> new AssertionError("no finding for " + metric + " " + slice + ": " + a.getSummary()));
    }

    private static GatePolicy withMinShare(double share) {
        return new GatePolicy(POLICY.falseDiscoveryRate(), POLICY.maxSliceDimensions(), POLICY.rules(), share);
    }

    static final Map<String, String> COHORT = Map.of("region", "eu-west-1", "device", "mobile", "acoustic_condition", "noisy");

    /** The case: the cohort's WER 8% above stable (limit 5%), about 4,000 labelled requests a side. */
    private static Advisory noisyCohortEightPercentWorse() {
        AsrTraffic.Model candidate = (l, r, d, c) -> {
            double base = AsrTraffic.STABLE.wer(l, r, d, c);
            return r.equals("eu-west-1") && d.equals("mobile") && c.equals("noisy") ? base * 1.08 : base;
        };
        Map<Slice, MetricSet> canary = new AsrTraffic(101).uniform(candidate, Track.CANARY, 30_000)
                .cohort(candidate, Track.CANARY, 8_000, "eu-west-1", "mobile", "noisy").cohorts();
        Map<Slice, MetricSet> stable = new AsrTraffic(102).uniform(AsrTraffic.STABLE, Track.STABLE, 30_000)
                .cohort(AsrTraffic.STABLE, Track.STABLE, 8_000, "eu-west-1", "mobile", "noisy").cohorts();
        return gate(POLICY, canary, stable);
    }

    @Test
    void aCohortBeyondItsLimitWithoutSignificanceIsInconclusiveNotWithinLimits() {
        Advisory a = noisyCohortEightPercentWorse();

        assertThat(a.getDecision()).as(a.getSummary()).isEqualTo(Decision.CONTINUE);
        assertThat(a.getPromotable()).isFalse();
        Finding f = find(a, "wer", COHORT);
        assertThat(f.getAction()).isEqualTo(Action.CONTINUE);
        assertThat(f.getReason()).isEqualTo("not_significant");
        assertThat(f.getVerdict()).isEqualTo("inconclusive");
        assertThat(f.getValue()).isGreaterThan(f.getLimit());
        assertThat(f.getSamples()).isBetween(4_200L, 4_600L);
        assertThat(f.getConfidenceBound()).isGreaterThan(f.getLimit());
        // the p-value is always valid (over every look of the rollout): the same z taken as the only look
        // would give p < 0.05, before any correction for the slices tested alongside
        double n = f.getSamples();
        double se = (f.getConfidenceBound() - f.getValue()) / Stats.alwaysValidZ(0.05, n, 200);
        double zNow = (f.getValue() - f.getLimit()) / se;
        assertThat(f.getPValue()).isCloseTo(Stats.alwaysValidP(zNow, n, 200), within(1e-9)).isGreaterThan(0.05);
        assertThat(Stats.upperTail(zNow)).isLessThan(0.05);
        // more samples decide it; an hour gave f.getSamples(), so the rest takes proportionally long
        assertThat(f.getSamplesNeeded()).isGreaterThan(f.getSamples());
        assertThat(f.getTimeNeededMs()).isCloseTo((f.getSamplesNeeded() - f.getSamples()) * HOUR / f.getSamples(), within(1L));
        assertThat(f.getTrafficShare()).isBetween(0.2, 0.3);

        assertThat(a.getSummary()).doesNotContain("within limits")
                .startsWith("CONTINUE asr-prod v2 (vs stable v1), not yet promotable (keep the canary where it is): wer inconclusive in ")
                .contains("region=eu-west-1").contains("vs limit " + io.speechslo.advisory.Advisories.fmt(f.getLimit()))
                .contains("about " + f.getSamplesNeeded() + " canary samples would decide it")
                .containsPattern("\\d+ critical checks safe")
                .containsPattern("\\d+ critical estimates? (is|are) beyond the limit without significance")
                .containsPattern("\\d+ smaller slices? \\(under 2%\\) unverified");
    }

    @Test
    void samplesNeededIsTheSampleSizeAtWhichTheObservedDifferenceClearsTheLimitWithPower() {
        Advisory a = noisyCohortEightPercentWorse();
        double zPower = Stats.zForUpperTail(0.2);
        assertThat(Stats.zForUpperTail(0.05)).isCloseTo(1.6449, within(1e-4));
        assertThat(zPower).isCloseTo(0.8416, within(1e-4));
        Map<String, io.speechslo.policy.GateRule> rules = new java.util.HashMap<>();
        POLICY.rulesFor(Signal.ASR).forEach(r -> rules.put(r.metric().id(), r));
        List<Finding> withNeeds = a.getFindings().stream()
                .filter(f -> "inconclusive".equals(f.getVerdict()) && f.getSamplesNeeded() != null
                        && !f.getMetric().endsWith("_ms") && f.getValue() < f.getLimit()).toList();
        assertThat(withNeeds).hasSizeGreaterThan(3);
        for (Finding f : withNeeds) {
            // within the limit: enough samples for the always-valid bound, at 80% power, to come inside it
            io.speechslo.policy.GateRule rule = rules.get(f.getMetric());
            double n0 = f.getSlice().isEmpty() ? rule.minSamples() : rule.minSliceSamples();
            double n = f.getSamples();
            double se = Math.abs(f.getConfidenceBound() - f.getValue()) / Stats.alwaysValidZ(0.05, n, n0);
            double excess = Math.abs(f.getValue() - f.getLimit());
            java.util.function.LongPredicate decides = k -> excess * Math.sqrt(k / n) / se >= Stats.alwaysValidZ(0.05, k, n0) + zPower;
            long k = f.getSamplesNeeded();
            assertThat(decides.test(k)).as("%s %s at %d", f.getMetric(), f.getSlice(), k).isTrue();
            assertThat(decides.test(k - Math.max(2, k / 100_000))).as("%s %s just below %d", f.getMetric(), f.getSlice(), k).isFalse();
            assertThat(f.getCritical()).isTrue();
        }
        // beyond the limit, the regression has to clear the Benjamini-Hochberg bar of this evaluation (at
        // most q, at least q/m with m the critical checks tested), always valid at the projected size
        Finding cohort = find(a, "wer", COHORT);
        double n = cohort.getSamples();
        double se = (cohort.getConfidenceBound() - cohort.getValue()) / Stats.alwaysValidZ(0.05, n, 200);
        double zNow = (cohort.getValue() - cohort.getLimit()) / se;
        long k = cohort.getSamplesNeeded();
        double zAtK = Math.sqrt(k / n) * zNow - zPower;
        assertThat(zAtK).isBetween(Stats.alwaysValidZ(0.05, k, 200), Stats.alwaysValidZ(0.05 / 2_000, k, 200));
    }

    @Test
    void identicalCanaryWithPlentyOfTrafficIsPromotableWhereItsBigSlicesAreShownSafe() {
        Map<Slice, MetricSet> canary = new AsrTraffic(201).uniform(AsrTraffic.STABLE, Track.CANARY, 360_000).cohorts();
        Map<Slice, MetricSet> stable = new AsrTraffic(202).uniform(AsrTraffic.STABLE, Track.STABLE, 360_000).cohorts();

        // only the whole service and the one-dimension slices of a third of the traffic must be shown safe
        Advisory a = gate(withMinShare(0.3), canary, stable);

        assertThat(a.getDecision()).isEqualTo(Decision.CONTINUE);
        assertThat(a.getPromotable()).as(a.getSummary()).isTrue();
        assertThat(a.getSummary()).startsWith("CONTINUE asr-prod v2 (vs stable v1), promotable: every critical metric "
                + "shown safe on the whole service and in every slice with at least 30% of the canary's traffic (")
                .doesNotContain("within limits");
        Finding wer = find(a, "wer", Map.of());
        assertThat(wer.getVerdict()).isEqualTo("safe");
        assertThat(wer.getConfidenceBound()).isGreaterThan(wer.getValue()).isLessThanOrEqualTo(wer.getLimit());
        assertThat(wer.getTrafficShare()).isEqualTo(1.0);
        assertThat(wer.getSamplesNeeded()).isNull();
        // smaller slices are not verified at that share, and are listed
        assertThat(a.getUnverifiedSlices()).isNotEmpty().hasSizeLessThanOrEqualTo(ReleaseGate.MAX_UNVERIFIED)
                .allSatisfy(s -> assertThat(s.size()).isBetween(1, 3));
        assertThat(a.getUnverifiedSlices()).doesNotContain(Map.of("language", "en-US"));

        // the same evidence at the default 2%: the three-dimension slices hold about 1/36 of the requests,
        // too few to show every critical metric within its limit: keep the canary where it is, and say what it needs
        Advisory strict = gate(POLICY, canary, stable);
        assertThat(strict.getDecision()).isEqualTo(Decision.CONTINUE);
        assertThat(strict.getPromotable()).isFalse();
        assertThat(strict.getSummary()).contains("not yet promotable").contains(" inconclusive in ")
                .doesNotContain("within limits");
        assertThat(strict.getFindings()).filteredOn(f -> "inconclusive".equals(f.getVerdict()) && f.getCritical())
                .isNotEmpty().allSatisfy(f -> {
                    assertThat(f.getTrafficShare()).isGreaterThanOrEqualTo(0.02);
                    assertThat(f.getSamplesNeeded()).isGreaterThan(f.getSamples());
                    assertThat(f.getTimeNeededMs()).isPositive();
                });
    }

    /** Identical requests: no spread on either side. */
    private static Map<Slice, MetricSet> same(int n, Consumer<AsrRequest.Builder> edit) {
        Map<Slice, MetricSet> m = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            AsrRequest.Builder b = Requests.asr().setCostUsd(0.0004).setRefWords(20).setWordErrors(2)
                    .setEntityTotal(5).setEntityErrors(0).setFirstPartialMs(150L).setFinalizationMs(400L);
            edit.accept(b);
            AsrRequest r = b.build();
            m.computeIfAbsent(RequestSlices.of(r), k -> new MetricSet(Signal.ASR)).add(r);
        }
        return m;
    }

    @Test
    void zeroVarianceOnBothSidesIsDecidedFromTheCountsWithoutDividingByZero() {
        Map<Slice, MetricSet> stable = same(12_000, b -> {});
        Advisory a = gate(POLICY, same(12_000, b -> {}), stable);
        Finding timeouts = find(a, "timeout_rate", Map.of());
        assertThat(timeouts.getValue()).isZero();
        assertThat(timeouts.getConfidenceBound()).isZero();
        assertThat(timeouts.getVerdict()).isEqualTo("safe");
        Finding wer = find(a, "wer", Map.of());
        assertThat(wer.getValue()).isEqualTo(0.1);
        assertThat(wer.getConfidenceBound()).isEqualTo(0.1);
        assertThat(wer.getVerdict()).isEqualTo("safe");
        assertThat(a.getPromotable()).as(a.getSummary()).isTrue();

        // exactly on the limit is within it; one word more per request is a regression, decided by the counts
        Advisory onLimit = gate(POLICY, same(12_000, b -> b.setRefWords(100).setWordErrors(21)), same(12_000, b -> b.setRefWords(20).setWordErrors(4)));
        assertThat(find(onLimit, "wer", Map.of()).getVerdict()).isEqualTo("safe");
        Advisory beyond = gate(POLICY, same(12_000, b -> b.setRefWords(100).setWordErrors(22)), same(12_000, b -> b.setRefWords(20).setWordErrors(4)));
        Finding w = find(beyond, "wer", Map.of());
        assertThat(w.getVerdict()).isEqualTo("regression");
        assertThat(w.getPValue()).isZero();
        assertThat(beyond.getDecision()).isEqualTo(Decision.ROLLBACK);
        assertThat(beyond.getPromotable()).isFalse();
    }

    @Test
    void aZeroLimitRuleIsSafeOnceJudgedWithoutARegressionAndNeverBlocksPromotionOnItsOwn() {
        // both sides log 1 request in 400: no increase at all, which no confidence bound can ever show
        int[] i = {0};
        int[] j = {0};
        Map<Slice, MetricSet> stable = same(12_000, b -> b.setSensitiveLogged(i[0]++ % 400 == 0));
        Map<Slice, MetricSet> canary = same(12_000, b -> b.setSensitiveLogged(j[0]++ % 400 == 0));
        Advisory a = gate(POLICY, canary, stable);
        Finding f = find(a, "sensitive_logging_rate", Map.of());
        assertThat(f.getLimit()).isEqualTo(f.getBaseline());
        assertThat(f.getConfidenceBound()).isGreaterThan(f.getLimit());
        assertThat(f.getVerdict()).isEqualTo("safe");
        assertThat(a.getPromotable()).as(a.getSummary()).isTrue();

        // below its minimum samples it is not judged, so not safe: the whole service pauses
        Advisory few = gate(POLICY, same(800, b -> {}), same(800, b -> {}));
        assertThat(find(few, "sensitive_logging_rate", Map.of()).getVerdict()).isNull();
        assertThat(few.getPromotable()).isFalse();
    }

    @Test
    void anUnderSampledBigSliceBlocksPromotionAndSaysHowManySamplesItNeeds() {
        // 8% of the traffic in eu-west-1 on the web, a twentieth of it labelled: 100 labelled requests,
        // the slice minimum for wer is 200
        Consumer<AsrRequest.Builder> small = b -> b.setRegion("eu-west-1").setDevice("web");
        Map<Slice, MetricSet> stable = same(24_000, b -> {});
        Map<Slice, MetricSet> canary = same(24_000, b -> {});
        int[] k = {0};
        Consumer<AsrRequest.Builder> sparseLabels = b -> {
            small.accept(b);
            if (k[0]++ % 20 != 0) {
                b.setRefWords(null).setWordErrors(null);
            }
        };
        same(2_000, sparseLabels).forEach(canary::put);
        k[0] = 0;
        same(2_000, sparseLabels).forEach(stable::put);

        Advisory a = gate(POLICY, canary, stable);

        assertThat(a.getDecision()).isEqualTo(Decision.CONTINUE);
        assertThat(a.getPromotable()).isFalse();
        Finding f = find(a, "wer", Map.of("region", "eu-west-1"));
        assertThat(f.getReason()).isEqualTo("insufficient_data");
        assertThat(f.getVerdict()).isNull();
        assertThat(f.getSamples()).isEqualTo(100L);
        assertThat(f.getTrafficShare()).isCloseTo(2_000 / 26_000.0, within(1e-12));
        assertThat(f.getSamplesNeeded()).isEqualTo(200L);
        assertThat(f.getTimeNeededMs()).isEqualTo(HOUR); // 100 more at 100 an hour
        assertThat(a.getSummary()).contains("not yet promotable (keep the canary where it is): wer not judged in ")
                .contains("(100 canary, 100 stable samples; 200 needed, 60 min more at the current rate)");
        // the 11 slices that hold only that cohort lack wer samples; every other critical check is safe
        // (identical requests: decided by the counts)
        assertThat(a.getFindings()).filteredOn(x -> x.getCritical() && !"safe".equals(x.getVerdict()) && !x.getSlice().isEmpty())
                .hasSize(11).allSatisfy(x -> {
                    assertThat(x.getMetric()).isEqualTo("wer");
                    assertThat(x.getReason()).isEqualTo("insufficient_data");
                });
        assertThat(a.getSummary()).contains("; 8 more critical checks not shown safe;");
    }

    @Test
    void durationsReadAsMinutesThenHours() {
        assertThat(ReleaseGate.duration(59_000)).isEqualTo("1 min");
        assertThat(ReleaseGate.duration(45 * 60_000)).isEqualTo("45 min");
        assertThat(ReleaseGate.duration(150 * 60_000)).isEqualTo("2.5 h");
    }
}
