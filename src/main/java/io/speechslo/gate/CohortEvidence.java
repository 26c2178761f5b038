package io.speechslo.gate;

import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Hint;
import io.speechslo.diagnosis.Driver;
import io.speechslo.diagnosis.Hints;
import io.speechslo.drift.AudioFeature;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.slice.Slice;

import java.util.ArrayList;
import java.util.List;

/**
 * Why one cohort regressed, for the slice a ROLLBACK or PAUSE names: did the model get worse, did the
 * cohort's input change, or are its labels in doubt? Three drivers, each named only beyond sampling
 * noise (z above {@link #EVIDENCE_Z}), none invented:
 *
 * <ul>
 *   <li>{@code input_drift}: an audio feature's mean differs between the arms (Welch z), or moved on the
 *       canary against the slice's own baseline (its first hour of the rollout, frozen, against the time
 *       after it) while stable's did not, by at least {@link #MIN_EFFECT} pooled standard deviations. The
 *       arms then did not hear the same audio, so the comparison is not of the model alone. (Input that
 *       moved for both arms alike is no reason for the canary to look worse than stable.)
 *   <li>{@code labels}: the arms' label rates differ beyond noise and by more than a fifth
 *       ({@link #LABEL_RATE_RATIO}): check the label source before trusting the comparison.
 *   <li>{@code model}: the other quality signals agree with the regression beyond noise (for ASR the
 *       other error metric, entity errors for WER and WER for entity errors, the correction rate and the
 *       mean confidence), none of them says the opposite, and the input did not drift.
 * </ul>
 *
 * Every hint's sentence carries the label health of both arms (label rate and labelled samples), as does
 * the advisory's summary ({@link #withLabelHealth}) when no hint is named, and the {@code model}
 * sentence every quality comparison with its z. They are evidence, not shares
 * ({@code share_explained} null): without errors per feature value the gate cannot split a change
 * between input and model, so the hints come in that order, input first, after any latency shares.
 */
final class CohortEvidence {

    /** z a cohort's supporting evidence must exceed before it becomes a hint. */
    static final double EVIDENCE_Z = ReleaseGate.EVIDENCE_Z;
    /** Smallest difference of feature means, in pooled standard deviations, that names input drift. */
    static final double MIN_EFFECT = 0.2;
    /** Feature values each compared side needs before its mean is compared. */
    static final long MIN_FEATURE_SAMPLES = 30;
    /** Label rates must differ by more than this ratio (and beyond noise) to name {@code labels}. */
    static final double LABEL_RATE_RATIO = 0.2;

    private CohortEvidence() {}

    /** One feature comparison: {@code after} against {@code before} (canary against stable, or later against first hour). */
    private record Shift(AudioFeature feature, CohortSums.Moments after, CohortSums.Moments before, double z,
            double effect) {

        static Shift of(AudioFeature f, CohortSums.Moments after, CohortSums.Moments before) {
            if (after.n() < MIN_FEATURE_SAMPLES || before.n() < MIN_FEATURE_SAMPLES) {
                return null;
            }
            double z = Stats.welchZ(after.mean(), after.variance(), after.n(), before.mean(), before.variance(),
                    before.n());
            double sd = Math.sqrt((after.variance() + before.variance()) / 2);
            double d = after.mean() - before.mean();
            double effect = sd > 0 ? Math.abs(d) / sd : d == 0 ? 0 : Double.POSITIVE_INFINITY;
            return new Shift(f, after, before, z, effect);
        }

        boolean named() {
            return Math.abs(z) > EVIDENCE_Z && effect >= MIN_EFFECT;
        }

        /** "canary mean 9.3 dB against stable's 19.5 dB (z=-36, 1.06 sd; 2343 and 2308 requests)". */
        String means(String afterName, String beforeName) {
            String u = feature.unit();
            return afterName + " " + Advisories.fmt(after.mean()) + u + " against " + beforeName + " "
                    + Advisories.fmt(before.mean()) + u + " (z=" + Advisories.fmt(z) + ", " + Advisories.fmt(effect)
                    + " sd; " + after.n() + " and " + before.n() + " requests)";
        }
    }

    /**
     * The cohort hints for {@code slice}, where {@code regressed} regressed: input drift, labels, model,
     * each when the data support it. {@code canaryCohort} and {@code stableCohort} may be null (no
     * confidence, corrections or features known): then only the error metrics and labels are read.
     */
    static List<Hint> hints(Signal signal, Metric regressed, Slice slice, MetricSet canary, MetricSet stable,
            CohortSums canaryCohort, CohortSums stableCohort) {
        if (canary == null || stable == null) {
            return List.of();
        }
        String where = slice.describe();
        Hints hints = new Hints();
        String labels = labelHealth(signal, canary, stable);

        boolean drifted = false;
        if (canaryCohort != null && stableCohort != null) {
            drifted = inputDrift(where, labels, canaryCohort, stableCohort, hints);
        }

        Metric labelled = labelled(signal);
        long nc = canary.requests();
        long ns = stable.requests();
        if (nc > 0 && ns > 0) {
            double rc = (double) canary.samples(labelled) / nc;
            double rs = (double) stable.samples(labelled) / ns;
            if (Stats.proportionZ(canary.samples(labelled), nc, stable.samples(labelled), ns) > EVIDENCE_Z
                    && Math.abs(rc / rs - 1) > LABEL_RATE_RATIO) {
                hints.add(Driver.LABELS, labels + " in " + where + ": check the label source before trusting the"
                        + " comparison", "label_rate", rc, rs, Double.NaN);
            }
        }

        if (!drifted) {
            model(signal, regressed, where, labels, canary, stable, canaryCohort, stableCohort, hints);
        }
        return hints.sorted();
    }

    /**
     * The summary of a ROLLBACK or PAUSE naming a cohort, with the cohort's label health appended (label
     * rate and labelled samples of both arms), whatever the hints: a reader always sees how much of the
     * comparison rests on labels.
     */
    static String withLabelHealth(String summary, Signal signal, MetricSet canary, MetricSet stable) {
        if (canary == null || stable == null) {
            return summary;
        }
        String head = summary.endsWith(".") ? summary.substring(0, summary.length() - 1) : summary;
        return head + "; in that cohort " + labelHealth(signal, canary, stable) + ".";
    }

    private static Metric labelled(Signal signal) {
        return signal == Signal.ASR ? Metric.WER : Metric.PREFERENCE;
    }

    /** "labelled 40% of the canary's requests (4000) against 39.8% of stable's (9000)". */
    private static String labelHealth(Signal signal, MetricSet canary, MetricSet stable) {
        Metric m = labelled(signal);
        return "labelled " + percent(canary.samples(m), canary.requests()) + " of the canary's requests ("
                + canary.samples(m) + ") against " + percent(stable.samples(m), stable.requests()) + " of stable's ("
                + stable.samples(m) + ")";
    }

    private static String percent(long x, long n) {
        return n == 0 ? "n/a" : Advisories.fmt(100.0 * x / n) + "%";
    }

    /**
     * Names {@code input_drift} for the feature that moved most (in standard deviations) between the arms
     * or on the canary against its own first hour; returns whether it did.
     */
    private static boolean inputDrift(String where, String labels, CohortSums canary, CohortSums stable, Hints hints) {
        Shift best = null;
        boolean betweenArms = false;
        for (AudioFeature f : AudioFeature.values()) {
            Shift arms = Shift.of(f, canary.feature(f), stable.feature(f));
            Shift own = Shift.of(f, canary.feature(f, CohortSums.LATER), canary.feature(f, CohortSums.FIRST_HOUR));
            Shift stableOwn = Shift.of(f, stable.feature(f, CohortSums.LATER), stable.feature(f, CohortSums.FIRST_HOUR));
            if (stableOwn != null && stableOwn.named()) {
                own = null; // the slice's input moved for both arms: no reason the canary looks worse than stable
            }
            if (arms != null && arms.named() && (best == null || arms.effect > best.effect)) {
                best = arms;
                betweenArms = true;
            }
            if (own != null && own.named() && (best == null || own.effect > best.effect)) {
                best = own;
                betweenArms = false;
            }
        }
        if (best == null) {
            return false;
        }
        AudioFeature f = best.feature;
        StringBuilder sb = new StringBuilder(f.id()).append(" of the audio in ").append(where).append(": ");
        Shift arms = Shift.of(f, canary.feature(f), stable.feature(f));
        Shift own = Shift.of(f, canary.feature(f, CohortSums.LATER), canary.feature(f, CohortSums.FIRST_HOUR));
        Shift stableOwn = Shift.of(f, stable.feature(f, CohortSums.LATER), stable.feature(f, CohortSums.FIRST_HOUR));
        List<String> parts = new ArrayList<>();
        if (arms != null) {
            parts.add(arms.means("canary mean", "stable's"));
        }
        if (own != null) {
            parts.add("against the slice's own baseline (the rollout's first hour): "
                    + own.means("canary since", "its first hour's"));
        }
        if (stableOwn != null) {
            parts.add(stableOwn.means("stable since", "its first hour's"));
        }
        sb.append(String.join("; ", parts)).append("; ").append(labels)
                .append(betweenArms ? ": the arms did not hear the same audio, so the regression is not the model's alone"
                        : ": the canary's input changed during the rollout, so the regression is not the model's alone");
        hints.add(Driver.INPUT_DRIFT, sb.toString(), f.id() + "_mean", best.after.mean(), best.before.mean(),
                Double.NaN);
        return true;
    }

    /** One quality signal compared: z oriented so that positive means the canary is worse. */
    private record Quality(String metric, String text, double value, double baseline, double worseZ) {}

    private static void model(Signal signal, Metric regressed, String where, String labels, MetricSet canary,
            MetricSet stable, CohortSums canaryCohort, CohortSums stableCohort, Hints hints) {
        List<Quality> signals = new ArrayList<>();
        Metric other = signal != Signal.ASR ? null
                : regressed == Metric.WER ? Metric.ENTITY_ERROR_RATE
                : regressed == Metric.ENTITY_ERROR_RATE ? Metric.WER : null;
        if (other != null && canary.samples(other) > 1 && stable.samples(other) > 1) {
            double c = canary.value(other);
            double b = stable.value(other);
            double se = Math.sqrt(canary.ratio(other).variance() + stable.ratio(other).variance());
            double z = se > 0 ? (c - b) / se : c == b ? 0 : Math.copySign(Double.POSITIVE_INFINITY, c - b);
            signals.add(new Quality(other.id(), other.id() + " " + Advisories.fmt(c) + " against " + Advisories.fmt(b)
                    + " (z=" + Advisories.fmt(z) + "; " + canary.samples(other) + " and " + stable.samples(other)
                    + " samples)", c, b, z));
        }
        if (signal == Signal.ASR && canaryCohort != null && stableCohort != null) {
            long xc = canaryCohort.corrected();
            long nc = canaryCohort.correctionRequests();
            long xs = stableCohort.corrected();
            long ns = stableCohort.correctionRequests();
            if (nc > 1 && ns > 1) {
                double rc = (double) xc / nc;
                double rs = (double) xs / ns;
                double z = Math.copySign(Stats.proportionZ(xc, nc, xs, ns), rc - rs);
                signals.add(new Quality("correction_rate", "correction rate " + percent(xc, nc) + " against "
                        + percent(xs, ns) + " (z=" + Advisories.fmt(z) + "; " + nc + " and " + ns + " requests)", rc, rs,
                        z));
            }
            CohortSums.Moments cc = canaryCohort.confidence();
            CohortSums.Moments cs = stableCohort.confidence();
            if (cc.n() > 1 && cs.n() > 1) {
                double z = Stats.welchZ(cc.mean(), cc.variance(), cc.n(), cs.mean(), cs.variance(), cs.n());
                signals.add(new Quality("confidence_mean", "mean confidence " + Advisories.fmt(cc.mean()) + " against "
                        + Advisories.fmt(cs.mean()) + " (z=" + Advisories.fmt(z) + "; " + cc.n() + " and " + cs.n()
                        + " requests)", cc.mean(), cs.mean(), -z));
            }
        }
        Quality first = null;
        for (Quality q : signals) {
            if (q.worseZ < -EVIDENCE_Z) {
                return; // a quality signal says the canary is better: they do not agree, no model hint
            }
            if (first == null && q.worseZ > EVIDENCE_Z) {
                first = q;
            }
        }
        if (first == null) {
            return;
        }
        List<String> agree = signals.stream().filter(q -> q.worseZ > EVIDENCE_Z).map(Quality::text).toList();
        List<String> within = signals.stream().filter(q -> q.worseZ <= EVIDENCE_Z).map(Quality::text).toList();
        StringBuilder sb = new StringBuilder("in ").append(where).append(", canary against stable: ")
                .append(String.join(", ", agree)).append(agree.size() == 1 ? " agrees" : " agree")
                .append(" with the ").append(regressed.id()).append(" regression");
        if (!within.isEmpty()) {
            sb.append(" (within noise: ").append(String.join(", ", within)).append(')');
        }
        sb.append("; ").append(labels).append(": the candidate's transcripts are worse, not the measurement");
        hints.add(Driver.MODEL, sb.toString(), first.metric, first.value, first.baseline, Double.NaN);
    }
}
