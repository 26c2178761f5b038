package io.speechslo.gate;

import io.speechslo.advisory.Action;
import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Direction;
import io.speechslo.advisory.Finding;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.MetricKind;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.QuantileSketch;
import io.speechslo.metrics.RatioStat;
import io.speechslo.policy.GateRule;
import io.speechslo.policy.LimitMode;
import io.speechslo.slice.Slice;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

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
 */
public final class ReleaseGate {

    /** Findings kept per advisory for tests that passed but were beyond the limit without significance. */
    static final int MAX_NOT_SIGNIFICANT = 20;
    /** Unjudged slice findings kept per advisory (largest canary samples first); the rest are counted. */
    static final int MAX_UNJUDGED = 20;
    /** Regression findings kept per advisory (smallest p-values first); the rest are counted. */
    static final int MAX_REGRESSIONS = 100;

    private ReleaseGate() {}

    private enum Status { TESTED, MISSING, INSUFFICIENT }

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
    }

    public static Advisory evaluate(GateInput in) {
        int maxDims = in.policy().maxSliceDimensions();
        return evaluate(in, SliceRollup.rollUp(in.signal(), in.canary(), maxDims),
                SliceRollup.rollUp(in.signal(), in.stable(), maxDims));
    }

    /**
     * Evaluates with the roll-ups of {@code in}'s full slices already made (sorted maps, as
     * {@link SliceRollup#rollUp} makes them, to the policy's maximum slice dimensions): a caller that
     * keeps them up to date as traffic arrives saves rolling everything up again at every evaluation.
     */
    public static Advisory evaluate(GateInput in, Map<Slice, MetricSet> canary, Map<Slice, MetricSet> stable) {
        List<GateRule> rules = new ArrayList<>(in.policy().rulesFor(in.signal()));
        rules.sort(Comparator.comparingInt(GateRule::tier)); // stable sort keeps policy order within a tier

        List<Check> whole = new ArrayList<>();
        List<Check> sliceChecks = new ArrayList<>();
        List<Check> tested = new ArrayList<>();
        MetricSet emptyCanary = new MetricSet(in.signal());
        for (GateRule rule : rules) {
            Check w = check(rule, Slice.ALL, canary.getOrDefault(Slice.ALL, emptyCanary),
                    stable.get(Slice.ALL), rule.minSamples());
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
                Check c = check(rule, e.getKey(), e.getValue(), stable.get(e.getKey()), sliceMinimum);
                if (c.samples == 0) {
                    continue; // the canary never produced this metric in that slice: nothing to say
                }
                sliceChecks.add(c);
                if (c.status == Status.TESTED) {
                    tested.add(c);
                }
            }
        }

        // Two families, critical and noncritical: many true noncritical regressions (a cost change shows
        // in every slice) must not loosen the bar a critical metric has to clear to roll back.
        for (boolean critical : new boolean[] {true, false}) {
            List<Check> family = tested.stream().filter(c -> c.rule.critical() == critical).toList();
            double[] p = new double[family.size()];
            for (int i = 0; i < p.length; i++) {
                p[i] = family.get(i).p;
            }
            boolean[] rejected = BenjaminiHochberg.reject(p, in.policy().falseDiscoveryRate());
            for (int i = 0; i < p.length; i++) {
                family.get(i).significant = rejected[i];
            }
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
        for (Check c : head(unjudged, MAX_UNJUDGED)) {
            findings.add(toFinding(c, Action.UNJUDGED,
                    c.status == Status.MISSING ? "missing" : "insufficient_data"));
        }

        Decision decision = rollback ? Decision.ROLLBACK : pause ? Decision.PAUSE : Decision.CONTINUE;
        String summary = summary(in, decision, worst, regressions.size(), whole, judgedSlices, unjudgedSlices,
                tierOnePassed);
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
                .build();
        return Advisories.withId(advisory);
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

    private static Check check(GateRule rule, Slice slice, MetricSet canary, MetricSet stable, long minSamples) {
        Metric m = rule.metric();
        boolean needsBaseline = rule.mode() != LimitMode.ABSOLUTE;
        long cs = canary.samples(m);
        long ss = stable == null ? 0 : stable.samples(m);
        Status status = cs == 0 || (needsBaseline && ss == 0) ? Status.MISSING
                : cs < minSamples || (needsBaseline && ss < minSamples) ? Status.INSUFFICIENT
                : Status.TESTED;
        Check c = new Check(rule, slice, status, cs, ss);
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
        }
        return c;
    }

    private static Finding toFinding(Check c, Action action, String reason) {
        return Advisories.finding(c.rule.metric().id(), c.slice, action, reason, c.value, c.baseline, c.bound,
                c.rule.direction(), c.rule.critical(), c.samples, c.baselineSamples, c.p);
    }

    private static String summary(GateInput in, Decision decision, Check worst, int sliceRegressions,
            List<Check> whole, int judgedSlices, int unjudgedSlices, boolean tierOnePassed) {
        String head = decision + " " + in.service() + " " + in.candidateVersion() + " (vs stable "
                + in.stableVersion() + ")";
        if (decision == Decision.CONTINUE || worst == null) {
            return head + ": all " + whole.size() + " metrics within limits on the whole service and "
                    + judgedSlices + " judged slice checks" + (unjudgedSlices > 0 ? " (" + unjudgedSlices
                    + " slice checks had too few samples)" : "") + ".";
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
