package io.speechslo.diagnosis;

import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Hint;
import io.speechslo.metrics.LatencyComponents;
import io.speechslo.metrics.LatencyComponents.Part;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.MetricSet;
import io.speechslo.policy.SloDefinition;

import java.util.List;

/**
 * Which component explains a latency regression: the change of the latency metric's per-request mean
 * between two arms (canary and stable) is decomposed into the change of the mean queue, preprocessing
 * and model time, and each component whose mean changed beyond sampling noise (a Welch z above
 * {@link #EVIDENCE_Z} on exact sums) becomes a hint with
 * {@code share_explained = Δmean(component) / Δmean(metric)}. The quantile the gate judges is a tail,
 * the means are what adds up: a component that explains the mean's rise is the first place to look for
 * the tail's. Only components that moved the way the metric did are named (one that got faster explains
 * nothing of a rise), largest share first; no hint when the metric's mean did not rise, when a side has
 * fewer than {@link #MIN_SAMPLES} requests reporting a part, or when no component passes the test.
 * Batch size and, for ASR, the first partial against the rest of the way to the final result are
 * supporting evidence in the sentence, never drivers of their own.
 */
public final class LatencyDiagnosis {

    /** z a component's change must exceed before it is named (as the gate's other supporting evidence). */
    public static final double EVIDENCE_Z = 3.29;
    /** Requests reporting a part each side needs before the part is compared. */
    public static final long MIN_SAMPLES = 30;

    private static final Part[] COMPONENTS = {Part.QUEUE, Part.PREPROCESS, Part.MODEL};

    private LatencyDiagnosis() {}

    /** The part holding a latency metric's per-request values; null for a metric not decomposed. */
    public static Part total(Metric m) {
        return switch (m) {
            case FIRST_PARTIAL_P95_MS -> Part.FIRST_PARTIAL;
            case FINALIZATION_P99_MS -> Part.FINALIZATION;
            case FIRST_AUDIO_P95_MS -> Part.FIRST_AUDIO;
            default -> null; // chunk gaps are not made of queue, preprocessing and model time
        };
    }

    /**
     * The part holding the per-request values of a request field an SLO judges (first_partial_ms,
     * finalization_ms, first_audio_ms); null for any other field.
     */
    public static Part totalOfField(String field) {
        for (Part p : new Part[] {Part.FIRST_PARTIAL, Part.FINALIZATION, Part.FIRST_AUDIO}) {
            if (p.field().equals(field)) {
                return p;
            }
        }
        return null;
    }

    /**
     * The part holding the latency an SLO judges: for a request-based SLO the first field its good
     * filter bounds by a number that holds a latency ({@code first_partial_ms <= 300}), for a threshold
     * SLO its scorecard metric ({@code first_partial_p95_ms}); null for an SLO on anything else
     * (availability, word error rate, underruns).
     */
    public static Part totalOf(SloDefinition slo) {
        if (slo.isThreshold()) {
            Metric m = Metric.find(slo.signal(), slo.threshold().metric());
            return m == null ? null : total(m);
        }
        for (String field : slo.good().boundedFields()) {
            Part p = totalOfField(field);
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /**
     * The hints for a rise of {@code metric} in one slice, canary against stable, largest share first.
     *
     * @param where where the finding is, for the sentence ("in region=eu-west-1", "on the whole service")
     */
    public static List<Hint> hints(Metric metric, String where, MetricSet canary, MetricSet stable) {
        return hints(total(metric), where, canary, stable, "canary", "stable");
    }

    /**
     * The hints for a rise of the latency held in {@code total} between any two sets of requests (two
     * arms, or a window and the one before it), largest share first.
     *
     * @param now the requests that are slower; {@code nowName} names them in the sentence ("canary")
     * @param before the requests compared with; {@code beforeName} names them ("stable", "the previous hour")
     */
    public static List<Hint> hints(Part total, String where, MetricSet now, MetricSet before, String nowName,
            String beforeName) {
        if (total == null || now == null || before == null) {
            return List.of();
        }
        return hints(total, where, now.latency(), now.requests(), before.latency(), before.requests(), nowName,
                beforeName);
    }

    /**
     * As {@link #hints(Part, String, MetricSet, MetricSet, String, String)}, over the latency components of
     * two sets of requests and how many requests each holds (a latency SLO page's window and the one before
     * it, summed per pane). A part without a sketch (a sums-only cohort) leaves its p95 out of the sentence.
     */
    public static List<Hint> hints(Part total, String where, LatencyComponents now, long nowRequests,
            LatencyComponents before, long beforeRequests, String nowName, String beforeName) {
        LatencyComponents c = now;
        LatencyComponents s = before;
        if (total == null || c == null || s == null || !enough(c, s, total)) {
            return List.of();
        }
        double rise = c.mean(total) - s.mean(total);
        if (!(rise > 0)) {
            return List.of(); // the mean did not rise: its decomposition says nothing about the tail's
        }
        String context = context(c, s, beforeName);
        Hints hints = new Hints();
        for (Part part : COMPONENTS) {
            if (!enough(c, s, part)) {
                continue;
            }
            double d = c.mean(part) - s.mean(part);
            double z = welchZ(c, s, part);
            if (!(d > 0) || !(z > EVIDENCE_Z)) {
                continue;
            }
            double share = d / rise;
            String field = part.field();
            double p95Now = c.quantile(part, 0.95);
            double p95Before = s.quantile(part, 0.95);
            String spread = Double.isNaN(p95Now) || Double.isNaN(p95Before) ? "(z=" + Advisories.fmt(z) + ")"
                    : "(p95 " + ms(p95Now) + " against " + ms(p95Before) + ", z=" + Advisories.fmt(z) + ")";
            String evidence = field + " mean " + ms(c.mean(part)) + " against " + ms(s.mean(part)) + " " + beforeName
                    + " " + spread + " accounts for " + Advisories.fmt(share * 100) + "% of the "
                    + ms(rise) + " rise in mean " + total.field() + " " + where + " (" + ms(c.mean(total))
                    + " against " + ms(s.mean(total)) + "), over the " + c.count(part) + " " + nowName + " and "
                    + s.count(part) + " " + beforeName + " requests that report " + field + " (of " + nowRequests
                    + " and " + beforeRequests + ")" + context;
            hints.add(driver(part), evidence, field + "_mean", c.mean(part), s.mean(part), share);
        }
        return hints.sorted();
    }

    /**
     * Welch's z for the difference of a part's means: (mean_c - mean_s) / sqrt(var_c / n_c + var_s / n_s);
     * with no spread on either side the difference is taken at face value (infinite, or 0 when none).
     */
    public static double welchZ(LatencyComponents c, LatencyComponents s, Part part) {
        return io.speechslo.gate.Stats.welchZ(c.mean(part), c.variance(part), c.count(part), s.mean(part),
                s.variance(part), s.count(part));
    }

    private static boolean enough(LatencyComponents c, LatencyComponents s, Part part) {
        return c.count(part) >= MIN_SAMPLES && s.count(part) >= MIN_SAMPLES;
    }

    /** Supporting evidence: the batch size, and (ASR) the first partial against the rest of the way to the final. */
    private static String context(LatencyComponents c, LatencyComponents s, String beforeName) {
        StringBuilder sb = new StringBuilder();
        if (enough(c, s, Part.BATCH)) {
            sb.append("; batch size mean ").append(Advisories.fmt(c.mean(Part.BATCH))).append(" against ")
                    .append(Advisories.fmt(s.mean(Part.BATCH))).append(' ').append(beforeName);
        }
        if (enough(c, s, Part.PARTIAL_OF_BOTH)) {
            sb.append("; first partial ").append(signed(c.mean(Part.PARTIAL_OF_BOTH) - s.mean(Part.PARTIAL_OF_BOTH)))
                    .append(", final result after the first partial ")
                    .append(signed(c.mean(Part.FINAL_AFTER_PARTIAL) - s.mean(Part.FINAL_AFTER_PARTIAL)))
                    .append(" (requests with both)");
        }
        return sb.toString();
    }

    private static Driver driver(Part part) {
        return switch (part) {
            case QUEUE -> Driver.QUEUE;
            case PREPROCESS -> Driver.PREPROCESS;
            case MODEL -> Driver.MODEL;
            default -> throw new IllegalArgumentException(part + " is not a latency component");
        };
    }

    private static String ms(double v) {
        return Advisories.fmt(v) + " ms";
    }

    private static String signed(double v) {
        return (v >= 0 ? "+" : "") + ms(v);
    }
}
