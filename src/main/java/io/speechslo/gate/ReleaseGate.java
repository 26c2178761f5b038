package io.speechslo.gate;

import io.speechslo.advisory.Action;
import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Direction;
import io.speechslo.advisory.Finding;
import io.speechslo.advisory.RollbackScope;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.MetricKind;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.QuantileSketch;
import io.speechslo.metrics.RatioStat;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.GatePolicy;
import io.speechslo.policy.GateRule;
import io.speechslo.policy.LimitMode;
import io.speechslo.slice.Slice;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.Set;
import java.util.TreeSet;

/**
 * The canary-versus-stable release gate.
 *
 * <p>Every rule's metric is judged on the whole service and on every slice of up to
 * {@code maxSliceDimensions} dimensions. A slice regresses only when its value is beyond the limit
 * <em>and</em> that is statistically significant, with Benjamini-Hochberg controlling false alarms
 * across every slice and metric tested in the evaluation (critical and noncritical rules as two
 * separate families), so a canary identical to stable does not roll back. Then:
 *
 * <ul>
 *   <li>a critical regression anywhere gives ROLLBACK (critical metrics override noncritical wins);
 *   <li>a critical metric missing or under-sampled on the whole service gives PAUSE (missing data
 *       never passes), as does a noncritical regression;
 *   <li>otherwise CONTINUE. Exactly on the limit passes.
 * </ul>
 *
 * A slice with too few samples is left unjudged and listed as such; it never pauses. No slice of a
 * metric is judged before the whole service has that metric's minimum samples. Tier-2 rules
 * (for TTS: preference) count only when every tier-1 rule passes.
 *
 * <p>Not significant is not safe. Every judged check also gets a verdict: {@code regression} (as
 * above), {@code safe} (its confidence bound at level 1 - falseDiscoveryRate is within the limit:
 * non-inferiority shown) or {@code inconclusive} (neither); an inconclusive critical check says how
 * many canary samples would decide it and how long that takes at the rate so far. The advisory is
 * {@code promotable} only when it is CONTINUE and every critical check is safe on the whole service and
 * in every slice with at least {@code promotionMinShare} of the canary's requests; smaller slices are
 * listed as unverified. Promotion is an intersection of one-sided tests (every required check must be
 * shown safe), so it needs no multiplicity correction. A rule with a zero limit ("no increase at all")
 * can never be shown safe by a confidence bound: it is safe once judged (its minimum samples reached)
 * without a regression. With no spread on either side (identical requests) the bound is the value
 * itself: the verdict follows from the counts.
 */
public final class ReleaseGate {

    /** Findings kept per advisory for tests that passed but were beyond the limit without significance. */
    static final int MAX_NOT_SIGNIFICANT = 20;
    /** Unjudged slice findings kept per advisory (largest canary samples first); the rest are counted. */
    static final int MAX_UNJUDGED = 20;
    /** Regression findings kept per advisory (smallest p-values first); the rest are counted. */
    static final int MAX_REGRESSIONS = 100;
    /** Inconclusive critical findings within their limit kept per advisory (largest slices first). */
    static final int MAX_INCONCLUSIVE = 20;
    /** Unverified slices listed per advisory (largest first); the rest are counted. */
    static final int MAX_UNVERIFIED = 50;
    /** Power at which {@code samples_needed} projects a decision. */
    static final double POWER = 0.8;
    /** z a cohort's supporting evidence must exceed before it becomes a hint. */
    static final double EVIDENCE_Z = 3.29;
    /** Significantly better slices listed at most. */
    static final int MAX_BETTER = 20;

    private ReleaseGate() {}

    private enum Status { TESTED, MISSING, INSUFFICIENT }

    /** What a judged check showed. */
    enum Verdict {
        REGRESSION, SAFE, INCONCLUSIVE;

        String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One (rule, slice) judgement. */
    private static final class Check {
        final GateRule rule;
        final Slice slice;
        final Status status;
        final long samples;
        final long baselineSamples;
        double value = Double.NaN;
        double baseline = Double.NaN;
        double bound = Double.NaN;
        boolean beyond;
        double p = Double.NaN;
        boolean significant;
        /** How far beyond the limit the estimate is, in the units {@link #se} is in (negative: within). */
        double excess = Double.NaN;
        /** Standard error of {@link #excess}. */
        double se = Double.NaN;
        /** The worst value the data allow at the gate's confidence level. */
        double confidenceBound = Double.NaN;
        boolean boundWithinLimit;
        /** Share of the canary's requests in this slice. */
        double share = Double.NaN;
        Verdict verdict;
        long samplesNeeded = -1;
        long timeNeededMs = -1;
        /** The samples the check was first judged at: the spread the always-valid mixture is tuned to. */
        long n0;
        /** One-sided p-value that the canary is better than stable (ratio metrics with a baseline), else NaN. */
        double pBetter = Double.NaN;
        boolean better;

        Check(GateRule rule, Slice slice, Status status, long samples, long baselineSamples) {
            this.rule = rule;
            this.slice = slice;
            this.status = status;
            this.samples = samples;
            this.baselineSamples = baselineSamples;
        }

        boolean regression() {
            return status == Status.TESTED && beyond && significant;
        }

        boolean safe() {
            return verdict == Verdict.SAFE;
        }
    }

    public static Advisory evaluate(GateInput in) {
        int maxDims = in.policy().maxSliceDimensions();
        return evaluate(in, SliceRollup.rollUp(in.signal(), in.canary(), maxDims),
                SliceRollup.rollUp(in.signal(), in.stable(), maxDims),
                slice -> SliceRollup.gather(in.signal(), in.canary(), Function.identity(), slice),
                slice -> SliceRollup.gather(in.signal(), in.stable(), Function.identity(), slice));
    }

    /**
     * Evaluates with the roll-ups of {@code in}'s full slices already made (sorted maps, as
     * {@link SliceRollup#rollUp} makes them, to the policy's maximum slice dimensions): a caller that
     * keeps them up to date as traffic arrives saves rolling everything up again at every evaluation.
     * Roll-ups carry only what the gate judges; {@code canaryDetail} and {@code stableDetail} give a
     * slice's full metric sets (its latency components included), asked only for a finding's hints.
     */
    public static Advisory evaluate(GateInput in, Map<Slice, MetricSet> canary, Map<Slice, MetricSet> stable,
            Function<Slice, MetricSet> canaryDetail, Function<Slice, MetricSet> stableDetail) {
        return evaluate(in, canary, stable, canaryDetail, stableDetail, null);
    }

    /**
     * As {@link #evaluate(GateInput, Map, Map, Function, Function)}, with the arms' {@link CohortSums}
     * (null: none) for the evidence on the cohort a ROLLBACK or PAUSE names ({@link CohortEvidence}).
     */
    public static Advisory evaluate(GateInput in, Map<Slice, MetricSet> canary, Map<Slice, MetricSet> stable,
            Function<Slice, MetricSet> canaryDetail, Function<Slice, MetricSet> stableDetail,
            CohortSums.Source cohorts) {
        List<GateRule> rules = new ArrayList<>(in.policy().rulesFor(in.signal()));
        rules.sort(Comparator.comparingInt(GateRule::tier)); // stable sort keeps policy order within a tier

        GatePolicy policy = in.policy();
        double z = Stats.zForUpperTail(policy.falseDiscoveryRate());
        double minShare = policy.promotionMinShare();
        List<Check> whole = new ArrayList<>();
        List<Check> sliceChecks = new ArrayList<>();
        List<Check> tested = new ArrayList<>();
        MetricSet emptyCanary = new MetricSet(in.signal());
        long canaryRequests = canary.getOrDefault(Slice.ALL, emptyCanary).requests();
        // big slices where the canary never produced a critical metric: nothing to test, nothing shown safe
        Set<Slice> requiredWithoutData = new TreeSet<>();
        for (GateRule rule : rules) {
            Check w = check(rule, Slice.ALL, canary.getOrDefault(Slice.ALL, emptyCanary),
                    stable.get(Slice.ALL), rule.minSamples(), policy, z);
            w.share = 1;
            whole.add(w);
            if (w.status == Status.TESTED) {
                tested.add(w);
            }
            // Slices are judged only once the whole service has the metric's minimum samples: a slice
            // that holds all the traffic must not roll back on fewer samples than the service may.
            long sliceMinimum = w.status == Status.TESTED ? rule.minSliceSamples() : Long.MAX_VALUE;
            for (Map.Entry<Slice, MetricSet> e : canary.entrySet()) {
                if (e.getKey().isAll()) {
                    continue;
                }
                Check c = check(rule, e.getKey(), e.getValue(), stable.get(e.getKey()), sliceMinimum, policy, z);
                c.share = canaryRequests == 0 ? 0 : (double) e.getValue().requests() / canaryRequests;
                if (c.samples == 0) {
                    if (rule.critical() && c.share >= minShare) {
                        requiredWithoutData.add(c.slice);
                    }
                    continue; // the canary never produced this metric in that slice: nothing to say
                }
                sliceChecks.add(c);
                if (c.status == Status.TESTED) {
                    tested.add(c);
                }
            }
        }

        double regressionLevel = policy.falseDiscoveryRate();
        // Two families, critical and noncritical: many true noncritical regressions (a cost change shows
        // in every slice) must not loosen the bar a critical metric has to clear to roll back.
        for (boolean critical : new boolean[] {true, false}) {
            List<Check> family = tested.stream().filter(c -> c.rule.critical() == critical).toList();
            double[] p = new double[family.size()];
            for (int i = 0; i < p.length; i++) {
                p[i] = family.get(i).p;
            }
            boolean[] rejected = BenjaminiHochberg.reject(p, policy.falseDiscoveryRate());
            for (int i = 0; i < p.length; i++) {
                family.get(i).significant = rejected[i];
            }
            if (critical && p.length > 0) {
                // the bar a critical regression has to clear in this family: the Benjamini-Hochberg cut
                // where something was rejected, else the first step (q/m)
                double cut = BenjaminiHochberg.threshold(p, policy.falseDiscoveryRate());
                regressionLevel = Math.max(cut, policy.falseDiscoveryRate() / p.length);
            }
        }
        // where the candidate is better than stable, at the same false-discovery rate (its own family)
        List<Check> betterTested = tested.stream().filter(c -> !Double.isNaN(c.pBetter)).toList();
        double[] pb = new double[betterTested.size()];
        for (int i = 0; i < pb.length; i++) {
            pb[i] = betterTested.get(i).pBetter;
        }
        boolean[] betterRejected = BenjaminiHochberg.reject(pb, policy.falseDiscoveryRate());
        for (int i = 0; i < pb.length; i++) {
            betterTested.get(i).better = betterRejected[i];
        }
        long elapsed = in.elapsedMillis();
        for (Check c : tested) {
            verdict(c, policy, regressionLevel, elapsed);
        }

        boolean tierOnePassed = true;
        for (Check w : whole) {
            if (w.rule.tier() == 1 && (!passes(w) || hasSliceRegression(sliceChecks, w.rule))) {
                tierOnePassed = false;
            }
        }

        List<Finding> findings = new ArrayList<>();
        List<Check> regressions = new ArrayList<>();
        List<Check> notSignificant = new ArrayList<>();
        List<Check> unjudged = new ArrayList<>();
        boolean rollback = false;
        boolean pause = false;
        Check worst = null;
        for (Check w : whole) {
            boolean counted = w.rule.tier() == 1 || tierOnePassed;
            Action action;
            String reason;
            if (!counted) {
                action = Action.UNJUDGED;
                reason = "tier_one_not_passed";
            } else if (w.status != Status.TESTED) {
                action = w.rule.critical() ? Action.PAUSE : Action.UNJUDGED;
                reason = w.status == Status.MISSING ? "missing" : "insufficient_data";
                if (w.rule.critical()) {
                    pause = true;
                    worst = worse(worst, w);
                }
            } else if (w.regression()) {
                action = w.rule.critical() ? Action.ROLLBACK : Action.PAUSE;
                reason = "regression";
                rollback |= w.rule.critical();
                pause |= !w.rule.critical();
                worst = worse(worst, w);
            } else {
                action = Action.CONTINUE;
                reason = w.beyond ? "not_significant" : "within_limit";
            }
            findings.add(toFinding(w, action, reason));
        }
        int judgedSlices = 0;
        int unjudgedSlices = 0;
        for (Check c : sliceChecks) {
            if (c.rule.tier() == 2 && !tierOnePassed) {
                continue;
            }
            if (c.status != Status.TESTED) {
                unjudgedSlices++;
                unjudged.add(c);
            } else {
                judgedSlices++;
                if (c.regression()) {
                    regressions.add(c);
                    rollback |= c.rule.critical();
                    pause |= !c.rule.critical();
                    worst = worse(worst, c);
                } else if (c.beyond) {
                    notSignificant.add(c);
                }
            }
        }
        regressions.sort(Comparator.<Check>comparingDouble(c -> c.p).thenComparing(c -> c.slice));
        notSignificant.sort(Comparator.<Check>comparingDouble(c -> c.p).thenComparing(c -> c.slice));
        // Unjudged slices worth a look first: cohorts only the canary serves (no stable baseline can
        // ever judge them), then those whose canary value is past the limit, then the largest.
        unjudged.sort(Comparator.<Check>comparingInt(c -> Double.isNaN(c.baseline) ? 0 : c.beyond ? 1 : 2)
                .thenComparingLong(c -> -c.samples).thenComparing(c -> c.slice).thenComparing(c -> c.rule.metric()));
        for (Check c : head(regressions, MAX_REGRESSIONS)) {
            findings.add(toFinding(c, c.rule.critical() ? Action.ROLLBACK : Action.PAUSE, "regression"));
        }
        for (Check c : head(notSignificant, MAX_NOT_SIGNIFICANT)) {
            findings.add(toFinding(c, Action.CONTINUE, "not_significant"));
        }
        // significantly better, in slices without a critical regression: where a partial rollout could keep
        // the candidate
        Set<Slice> regressed = new TreeSet<>();
        for (Check c : regressions) {
            if (c.rule.critical()) {
                regressed.add(c.slice);
            }
        }
        List<Check> better = new ArrayList<>();
        for (Check c : whole) {
            if (c.better && (c.rule.tier() == 1 || tierOnePassed) && !c.regression()) {
                better.add(c);
            }
        }
        for (Check c : sliceChecks) {
            if (c.better && (c.rule.tier() == 1 || tierOnePassed) && !regressed.contains(c.slice)) {
                better.add(c);
            }
        }
        better.sort(Comparator.<Check>comparingDouble(c -> c.pBetter).thenComparing(c -> c.slice)
                .thenComparing(c -> c.rule.metric()));
        for (Check c : head(better, MAX_BETTER)) {
            Finding f = toFinding(c, Action.CONTINUE, "significantly_better");
            f.setPValue(Advisories.num(c.pBetter));
            findings.add(f);
        }

        // Promotion: every counted critical check shown safe on the whole service and in every slice
        // holding promotionMinShare of the canary's requests; smaller slices are unverified.
        Decision decision = rollback ? Decision.ROLLBACK : pause ? Decision.PAUSE : Decision.CONTINUE;
        Promotion pr = new Promotion();
        pr.requiredWithoutData = requiredWithoutData.size();
        for (Check w : whole) {
            if (w.rule.critical() && (w.rule.tier() == 1 || tierOnePassed)) {
                pr.require(w);
            }
        }
        Map<Slice, Double> unverified = new HashMap<>();
        for (Check c : sliceChecks) {
            if (!c.rule.critical() || (c.rule.tier() == 2 && !tierOnePassed)) {
                continue;
            }
            if (c.share >= minShare) {
                pr.require(c);
            } else {
                pr.smallChecks++;
                if (!c.safe()) {
                    unverified.merge(c.slice, c.share, Math::max);
                }
            }
            if (c.status == Status.TESTED && c.beyond && !c.regression()) {
                pr.beyondNotSignificant++;
            }
        }
        for (Check w : whole) {
            if (w.rule.critical() && w.status == Status.TESTED && w.beyond && !w.regression()) {
                pr.beyondNotSignificant++;
            }
        }
        for (Check c : pr.blocking) {
            if (c.status != Status.TESTED) {
                needMinimum(c, elapsed);
            }
        }
        pr.promotable = decision == Decision.CONTINUE && pr.blocking.isEmpty() && pr.requiredWithoutData == 0;
        // the ones a reader must see first: estimates beyond the limit (strongest evidence first), then the
        // whole service, then the largest slices
        pr.blocking.sort(Comparator.<Check>comparingInt(c -> c.status == Status.TESTED && c.beyond ? 0 : 1)
                .thenComparingDouble(c -> c.status == Status.TESTED && c.beyond ? c.p : 0)
                .thenComparingInt(c -> c.slice.isAll() ? 0 : 1)
                .thenComparingInt(c -> c.status == Status.TESTED ? 0 : 1)
                .thenComparingDouble(c -> -c.share).thenComparing(c -> c.slice).thenComparing(c -> c.rule.metric()));
        List<Check> inconclusiveWithin = pr.blocking.stream()
                .filter(c -> !c.slice.isAll() && c.status == Status.TESTED && !c.beyond).toList();
        for (Check c : head(inconclusiveWithin, MAX_INCONCLUSIVE)) {
            findings.add(toFinding(c, Action.CONTINUE, "within_limit"));
        }
        for (Check c : head(unjudged, MAX_UNJUDGED)) {
            findings.add(toFinding(c, Action.UNJUDGED,
                    c.status == Status.MISSING ? "missing" : "insufficient_data"));
        }
        List<Map.Entry<Slice, Double>> small = new ArrayList<>(unverified.entrySet());
        small.sort(Map.Entry.<Slice, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        pr.unverifiedSlices = small.size();
        List<Map<String, String>> unverifiedList = new ArrayList<>();
        for (Map.Entry<Slice, Double> e : head(small, MAX_UNVERIFIED)) {
            unverifiedList.add(new java.util.LinkedHashMap<>(e.getKey().toMap()));
        }

        String summary = summary(in, decision, worst, regressions.size(), whole, judgedSlices, unjudgedSlices,
                tierOnePassed, pr);
        if (worst != null && worst.regression() && !worst.slice.isAll()) {
            summary = CohortEvidence.withLabelHealth(summary, in.signal(), canary.get(worst.slice),
                    stable.get(worst.slice));
        }
        Advisory advisory = Advisory.newBuilder()
                .setAdvisoryId("")
                .setKind(AdvisoryKind.ROLLOUT)
                .setDecision(decision)
                .setService(in.service())
                .setModelVersion(in.candidateVersion())
                .setBaselineVersion(in.stableVersion())
                .setRollbackTo(in.stableVersion())
                .setSlo(null)
                .setWindowEnd(in.windowEnd())
                .setPolicyVersion(in.policyVersion())
                .setSummary(summary)
                .setFindings(findings)
                .setPromotable(pr.promotable)
                .setUnverifiedSlices(unverifiedList)
                .setCanaryShare(canaryShare(canary, stable, canaryRequests))
                .setRollbackScope(decision == Decision.ROLLBACK ? rollbackScope(whole, regressions) : null)
                .setHints(hints(in.signal(), worst, whole, regressions, canary, stable, canaryDetail, stableDetail,
                        cohorts))
                .build();
        return Advisories.withId(advisory);
    }

    /** The promotion picture of one evaluation. */
    private static final class Promotion {
        /** Counted critical checks on the whole service and the slices at or above the share, not shown safe. */
        final List<Check> blocking = new ArrayList<>();
        int safe;
        int requiredWithoutData;
        /** Critical checks in slices under the share, and how many distinct such slices are not shown safe. */
        int smallChecks;
        int unverifiedSlices;
        /** Critical estimates beyond their limit without significance, anywhere. */
        int beyondNotSignificant;
        boolean promotable;

        void require(Check c) {
            if (c.safe()) {
                safe++;
            } else {
                blocking.add(c);
            }
        }
    }

    /**
     * The verdict of a judged check, after the regression tests: regression, safe (bound within the
     * limit, or a zero-limit rule judged without a regression) or inconclusive; for an inconclusive
     * critical one, the samples that would decide it.
     */
    private static void verdict(Check c, GatePolicy policy, double regressionLevel, long elapsed) {
        if (c.regression()) {
            c.verdict = Verdict.REGRESSION;
        } else if (c.rule.limit() == 0 || c.boundWithinLimit) {
            c.verdict = Verdict.SAFE;
        } else {
            c.verdict = Verdict.INCONCLUSIVE;
        }
        if (c.verdict != Verdict.INCONCLUSIVE || !c.rule.critical() || !(c.se > 0) || !(c.excess != 0)) {
            return;
        }
        // Beyond the limit: enough samples to show the regression (at the bar the false-discovery control
        // sets in this evaluation); within it: enough to show it safe (at the confidence level). Either
        // way the difference has to stand (z + z_power) standard errors clear of the limit, and the
        // standard error shrinks with the square root of the samples (stable growing alongside); an
        // always-valid test's z itself grows slowly with the samples, so the size is searched for.
        double level = c.excess > 0 ? regressionLevel : policy.falseDiscoveryRate();
        double zPower = Stats.zForUpperTail(1 - POWER);
        double zFixed = Stats.zForUpperTail(level);
        double n = c.samples;
        java.util.function.DoublePredicate decides = k -> Math.abs(c.excess) * Math.sqrt(k / n) / c.se
                >= (policy.alwaysValid() ? Stats.alwaysValidZ(level, k, c.n0) : zFixed) + zPower;
        double lo = n;
        double hi = n;
        while (!decides.test(hi) && hi < 1e15) {
            lo = hi;
            hi *= 2;
        }
        if (!decides.test(hi)) {
            c.samplesNeeded = Long.MAX_VALUE;
        } else {
            while (hi - lo > Math.max(1, lo * 1e-9)) {
                double mid = (lo + hi) / 2;
                if (decides.test(mid)) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            c.samplesNeeded = (long) Math.ceil(hi);
        }
        c.timeNeededMs = timeFor(c.samplesNeeded, c.samples, elapsed);
    }

    /** An unjudged required check needs its rule's minimum samples on both sides. */
    private static void needMinimum(Check c, long elapsed) {
        long min = c.slice.isAll() ? c.rule.minSamples() : c.rule.minSliceSamples();
        c.samplesNeeded = min;
        long canaryTime = timeFor(min, c.samples, elapsed);
        long stableTime = c.rule.mode() == LimitMode.ABSOLUTE ? 0 : timeFor(min, c.baselineSamples, elapsed);
        c.timeNeededMs = canaryTime < 0 || stableTime < 0 ? -1 : Math.max(canaryTime, stableTime);
    }

    /** Event time to grow from {@code have} to {@code need} samples at the rate so far, or -1 when unknown. */
    private static long timeFor(long need, long have, long elapsed) {
        if (need <= have) {
            return 0;
        }
        if (elapsed <= 0 || have <= 0) {
            return -1;
        }
        double t = (double) (need - have) * elapsed / have;
        return t >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(t);
    }

    private static boolean passes(Check w) {
        if (w.status != Status.TESTED) {
            return !w.rule.critical();
        }
        return !w.regression();
    }

    private static boolean hasSliceRegression(List<Check> slices, GateRule rule) {
        for (Check c : slices) {
            if (c.rule == rule && c.regression()) {
                return true;
            }
        }
        return false;
    }

    private static <T> List<T> head(List<T> l, int n) {
        return l.size() <= n ? l : l.subList(0, n);
    }

    /** The check the summary leads with: critical before noncritical, regressions before gaps, then smallest p. */
    private static Check worse(Check a, Check b) {
        if (a == null) {
            return b;
        }
        Comparator<Check> order = Comparator.<Check, Boolean>comparing(c -> !c.rule.critical())
                .thenComparing(c -> !c.regression())
                .thenComparingDouble(c -> Double.isNaN(c.p) ? 1 : c.p)
                .thenComparing(c -> c.slice)
                .thenComparing(c -> c.rule.metric());
        return order.compare(a, b) <= 0 ? a : b;
    }

    private static Check check(GateRule rule, Slice slice, MetricSet canary, MetricSet stable, long minSamples,
            GatePolicy policy, double zPerLook) {
        Metric m = rule.metric();
        boolean needsBaseline = rule.mode() != LimitMode.ABSOLUTE;
        long cs = canary.samples(m);
        long ss = stable == null ? 0 : stable.samples(m);
        Status status = cs == 0 || (needsBaseline && ss == 0) ? Status.MISSING
                : cs < minSamples || (needsBaseline && ss < minSamples) ? Status.INSUFFICIENT
                : Status.TESTED;
        Check c = new Check(rule, slice, status, cs, ss);
        c.n0 = minSamples;
        // value, baseline and bound are reported even when unjudged, so every finding explains itself
        c.value = cs == 0 ? Double.NaN : canary.value(m);
        c.baseline = ss == 0 ? Double.NaN : stable.value(m);
        c.bound = rule.bound(c.baseline);
        boolean lowerBetter = rule.direction() == Direction.LOWER_IS_BETTER;
        if (m.kind() == MetricKind.QUANTILE && cs > 0 && !Double.isNaN(c.bound)) {
            // A quantile is beyond its bound when more requests than the quantile allows lie past the
            // bound (p95 above 300 ms = more than 5% of requests above 300 ms). Counting against the
            // bound itself keeps "exactly on the limit passes" exact despite the sketch's rounding.
            QuantileSketch sk = canary.sketch(m);
            long above = sk.countAbove(c.bound);
            double shareBeyond = lowerBetter ? (double) above / cs : (double) (cs - above) / cs;
            c.beyond = lowerBetter ? shareBeyond > 1 - m.quantile() : shareBeyond > m.quantile();
        } else {
            c.beyond = rule.beyond(c.value, c.bound);
        }
        if (status != Status.TESTED) {
            return c;
        }
        // always valid: the bound widens and the test tightens with the samples, so that looking at the
        // growing data every interval keeps the error rates over the whole rollout
        double z = policy.alwaysValid() ? Stats.alwaysValidZ(policy.falseDiscoveryRate(), cs, minSamples) : zPerLook;
        if (m.kind() == MetricKind.RATIO) {
            RatioStat cr = canary.ratio(m);
            double slope;
            switch (rule.mode()) {
                case RELATIVE:
                    slope = lowerBetter ? 1 + rule.limit() : 1 - rule.limit();
                    break;
                case DELTA:
                    slope = 1;
                    break;
                default:
                    slope = 0;
            }
            double varStable = stable == null || slope == 0 ? 0 : stable.ratio(m).variance();
            double se = Math.sqrt(cr.variance() + slope * slope * varStable);
            c.p = lowerBetter ? Stats.pAbove(c.value, c.bound, se) : Stats.pAbove(c.bound, c.value, se);
            if (policy.alwaysValid() && se > 0) {
                c.p = Stats.alwaysValidP((lowerBetter ? c.value - c.bound : c.bound - c.value) / se, cs, minSamples);
            }
            // With no spread on either side (every request alike) se is 0: the bound is the value itself,
            // so the counts decide, and exactly on the limit is within it.
            c.excess = lowerBetter ? c.value - c.bound : c.bound - c.value;
            c.se = se;
            if (stable != null && ss > 0) {
                // better than stable itself (not than the limit): the difference against both spreads
                double seDiff = Math.sqrt(cr.variance() + stable.ratio(m).variance());
                double gain = lowerBetter ? c.baseline - c.value : c.value - c.baseline;
                if (!(seDiff > 0)) {
                    c.pBetter = gain > 0 ? 0 : 1;
                } else {
                    c.pBetter = policy.alwaysValid() ? Stats.alwaysValidP(gain / seDiff, cs, minSamples)
                            : Stats.upperTail(gain / seDiff);
                }
            }
            c.confidenceBound = lowerBetter ? c.value + z * se : c.value - z * se;
            c.boundWithinLimit = !rule.beyond(c.confidenceBound, c.bound);
        } else {
            // p(quantile beyond bound): the share of canary requests past the bound against the share
            // the quantile allows (a p95 above 300 ms means more than 5% of requests above 300 ms).
            QuantileSketch sk = canary.sketch(m);
            double q = m.quantile();
            long n = sk.count();
            long above = sk.countAbove(c.bound);
            double se = Math.sqrt(q * (1 - q) / n);
            c.p = lowerBetter
                    ? Stats.pAbove((double) above / n, 1 - q, se)
                    : Stats.pAbove((double) (n - above) / n, q, se);
            if (policy.alwaysValid()) {
                double zq = lowerBetter ? ((double) above / n - (1 - q)) / se : ((double) (n - above) / n - q) / se;
                c.p = Stats.alwaysValidP(zq, n, minSamples);
            }
            // in shares: the share past the bound against the share the quantile allows
            double share = lowerBetter ? (double) above / n : (double) (n - above) / n;
            double allowed = lowerBetter ? 1 - q : q;
            c.excess = share - allowed;
            c.se = se;
            c.boundWithinLimit = c.excess + z * se <= 0;
            // reported in the metric's unit: the quantile at the rank the bound allows
            c.confidenceBound = lowerBetter ? sk.quantile(Math.min(1, q + z * se)) : sk.quantile(Math.max(0, q - z * se));
        }
        return c;
    }

    /** Names at most this many blocking checks in a summary; the rest are counted. */
    private static final int NAMED_IN_SUMMARY = 3;

    /**
     * A CONTINUE summary never says "within limits": it says whether the candidate is promotable and, when
     * not, names what stands in the way first (estimate, limit, what is needed), then counts what is safe,
     * unverified and beyond its limit without significance.
     */
    private static String continueSummary(GateInput in, String head, int judgedSlices, int unjudgedSlices,
            Promotion pr) {
        String pct = Advisories.fmt(in.policy().promotionMinShare() * 100) + "%";
        StringBuilder sb = new StringBuilder(head);
        if (pr.promotable) {
            sb.append(", promotable: every critical metric shown safe on the whole service and in every slice with at least ")
                    .append(pct).append(" of the canary's traffic (").append(pr.safe).append(" checks)");
        } else {
            sb.append(", not yet promotable (keep the canary where it is): ");
            List<Check> named = head(pr.blocking, NAMED_IN_SUMMARY);
            for (int i = 0; i < named.size(); i++) {
                sb.append(i == 0 ? "" : "; ").append(describeBlocking(named.get(i)));
            }
            int more = pr.blocking.size() - named.size();
            if (more > 0) {
                sb.append("; ").append(more).append(" more critical check").append(more == 1 ? "" : "s")
                        .append(" not shown safe");
            }
            if (pr.requiredWithoutData > 0) {
                sb.append(named.isEmpty() ? "" : "; ").append(pr.requiredWithoutData).append(" slice")
                        .append(pr.requiredWithoutData == 1 ? "" : "s").append(" with at least ").append(pct)
                        .append(" of the traffic but no samples of a critical metric");
            }
            sb.append("; ").append(pr.safe).append(" critical checks safe");
        }
        if (pr.beyondNotSignificant > 0) {
            sb.append("; ").append(pr.beyondNotSignificant).append(" critical estimate")
                    .append(pr.beyondNotSignificant == 1 ? " is" : "s are")
                    .append(" beyond the limit without significance");
        }
        sb.append("; ").append(pr.unverifiedSlices).append(" smaller slice").append(pr.unverifiedSlices == 1 ? "" : "s")
                .append(" (under ").append(pct).append(") unverified");
        sb.append("; ").append(judgedSlices).append(" slice checks judged");
        if (unjudgedSlices > 0) {
            sb.append(", ").append(unjudgedSlices).append(" with too few samples");
        }
        return sb.append('.').toString();
    }

    private static String describeBlocking(Check c) {
        String where = c.slice.isAll() ? "on the whole service" : "in " + c.slice.describe();
        StringBuilder sb = new StringBuilder(c.rule.metric().id());
        if (c.status != Status.TESTED) {
            sb.append(" not judged ").append(where).append(" (").append(c.samples).append(" canary, ")
                    .append(c.baselineSamples).append(" stable samples; ").append(c.samplesNeeded).append(" needed");
        } else {
            sb.append(" inconclusive ").append(where).append(": ").append(Advisories.fmt(c.value))
                    .append(" vs limit ").append(Advisories.fmt(c.bound)).append(" (stable ")
                    .append(Advisories.fmt(c.baseline)).append(", bound ").append(Advisories.fmt(c.confidenceBound))
                    .append(", n=").append(c.samples);
            if (c.samplesNeeded >= 0) {
                sb.append("; about ").append(c.samplesNeeded).append(" canary samples would decide it");
            }
        }
        if (c.timeNeededMs > 0) {
            sb.append(", ").append(duration(c.timeNeededMs)).append(" more at the current rate");
        }
        return sb.append(')').toString();
    }

    /** A readable span: minutes below two hours, else hours with one decimal. */
    static String duration(long millis) {
        double minutes = millis / 60_000.0;
        if (minutes < 120) {
            return Math.max(1, Math.round(minutes)) + " min";
        }
        return Advisories.fmt(Math.round(minutes / 6) / 10.0) + " h";
    }

    /**
     * The advisory's hints: where a latency metric regressed, which of queue, preprocessing and model
     * time explains it ({@link io.speechslo.diagnosis.LatencyDiagnosis}, for the worst regression when it
     * is a latency one, else the whole service's, else the slice with the smallest p-value); for a slice
     * regression, the cohort's supporting evidence ({@link CohortEvidence}). Shares first, evidence after.
     */
    private static List<io.speechslo.advisory.Hint> hints(Signal signal, Check worst, List<Check> whole,
            List<Check> regressions, Map<Slice, MetricSet> canary, Map<Slice, MetricSet> stable,
            Function<Slice, MetricSet> canaryDetail, Function<Slice, MetricSet> stableDetail,
            CohortSums.Source cohorts) {
        List<io.speechslo.advisory.Hint> out = new ArrayList<>();
        Check latency = null;
        if (worst != null && worst.regression() && decomposes(worst)) {
            latency = worst;
        }
        for (List<Check> checks : List.of(whole, regressions)) {
            for (Check c : checks) {
                if (latency == null && c.regression() && decomposes(c)) {
                    latency = c;
                }
            }
        }
        if (latency != null) {
            out.addAll(io.speechslo.diagnosis.LatencyDiagnosis.hints(latency.rule.metric(),
                    latency.slice.isAll() ? "on the whole service" : "in " + latency.slice.describe(),
                    canaryDetail.apply(latency.slice), stableDetail.apply(latency.slice)));
        }
        if (worst != null && worst.regression() && !worst.slice.isAll()) {
            CohortSums[] sums = cohorts == null ? null : cohorts.of(worst.slice);
            out.addAll(CohortEvidence.hints(signal, worst.rule.metric(), worst.slice, canary.get(worst.slice),
                    stable.get(worst.slice), sums == null ? null : sums[0], sums == null ? null : sums[1]));
        }
        return out;
    }

    private static boolean decomposes(Check c) {
        return io.speechslo.diagnosis.LatencyDiagnosis.total(c.rule.metric()) != null;
    }

    /** The canary's share of the compared requests, or null before either side has any. */
    private static Double canaryShare(Map<Slice, MetricSet> canary, Map<Slice, MetricSet> stable, long canaryRequests) {
        MetricSet s = stable.get(Slice.ALL);
        long total = canaryRequests + (s == null ? 0 : s.requests());
        return total == 0 ? null : (double) canaryRequests / total;
    }

    /**
     * What a ROLLBACK has to take back: the whole candidate when a critical metric regressed on the whole
     * service; in any case the regressing slices, coarsest first, none inside another listed one (routing
     * {language=de-DE} back covers {language=de-DE, device=mobile}).
     */
    private static RollbackScope rollbackScope(List<Check> whole, List<Check> regressions) {
        boolean wholeCandidate = whole.stream().anyMatch(w -> w.rule.critical() && w.regression());
        List<Slice> slices = new ArrayList<>(new TreeSet<>(regressions.stream()
                .filter(c -> c.rule.critical()).map(c -> c.slice).toList()));
        slices.sort(Comparator.comparingInt(Slice::size).thenComparing(Comparator.naturalOrder()));
        List<Slice> kept = new ArrayList<>();
        for (Slice s : slices) {
            if (kept.stream().noneMatch(k -> s.toMap().entrySet().containsAll(k.toMap().entrySet()))) {
                kept.add(s);
            }
        }
        List<Map<String, String>> cohorts = new ArrayList<>();
        for (Slice s : kept) {
            cohorts.add(new java.util.LinkedHashMap<>(s.toMap()));
        }
        return RollbackScope.newBuilder().setWholeCandidate(wholeCandidate).setCohorts(cohorts).build();
    }

    private static Finding toFinding(Check c, Action action, String reason) {
        Finding f = Advisories.finding(c.rule.metric().id(), c.slice, action, reason, c.value, c.baseline, c.bound,
                c.rule.direction(), c.rule.critical(), c.samples, c.baselineSamples, c.p);
        f.setVerdict(c.verdict == null ? null : c.verdict.id());
        f.setConfidenceBound(c.verdict == null ? null : Advisories.num(c.confidenceBound));
        f.setSamplesNeeded(c.samplesNeeded < 0 ? null : c.samplesNeeded);
        f.setTimeNeededMs(c.timeNeededMs < 0 ? null : c.timeNeededMs);
        f.setTrafficShare(Advisories.num(c.share));
        return f;
    }

    private static String summary(GateInput in, Decision decision, Check worst, int sliceRegressions,
            List<Check> whole, int judgedSlices, int unjudgedSlices, boolean tierOnePassed, Promotion pr) {
        String head = decision + " " + in.service() + " " + in.candidateVersion() + " (vs stable "
                + in.stableVersion() + ")";
        if (decision == Decision.CONTINUE || worst == null) {
            return continueSummary(in, head, judgedSlices, unjudgedSlices, pr);
        }
        String metric = worst.rule.metric().id();
        String where = worst.slice.isAll() ? "on the whole service" : "in " + worst.slice.describe();
        StringBuilder sb = new StringBuilder(head).append(": ");
        if (worst.status != Status.TESTED) {
            sb.append("critical metric ").append(metric).append(' ')
                    .append(worst.status == Status.MISSING ? "has no data" : "has too few samples")
                    .append(' ').append(where).append(" (").append(worst.samples).append(" canary, ")
                    .append(worst.baselineSamples).append(" stable samples; ").append(worst.rule.minSamples())
                    .append(" needed)");
        } else {
            sb.append(worst.rule.critical() ? "critical " : "").append(metric).append(" regressed ").append(where)
                    .append(": ").append(Advisories.fmt(worst.value)).append(" vs ")
                    .append(Advisories.fmt(worst.baseline)).append(" stable (limit ")
                    .append(Advisories.fmt(worst.bound)).append(", n=").append(worst.samples)
                    .append(", p=").append(Advisories.fmt(worst.p)).append(')');
        }
        int others = sliceRegressions - (worst.slice.isAll() ? 0 : 1);
        for (Check w : whole) {
            if (w != worst && w.regression()) {
                others++;
            }
        }
        if (others > 0) {
            sb.append("; ").append(others).append(" more regression").append(others == 1 ? "" : "s");
        }
        if (!tierOnePassed && in.policy().rulesFor(in.signal()).stream().anyMatch(r -> r.tier() == 2)) {
            sb.append("; tier-two metrics not counted until tier one passes");
        }
        return sb.append('.').toString();
    }
}
