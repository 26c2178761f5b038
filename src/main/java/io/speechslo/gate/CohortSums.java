package io.speechslo.gate;

import io.speechslo.bytes.Varints;
import io.speechslo.drift.AudioFeature;
import io.speechslo.drift.DriftStats;
import io.speechslo.metrics.ExactSums;
import io.speechslo.scorecard.RequestStats;
import io.speechslo.slice.Slice;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * What the release gate needs, beyond the {@code MetricSet}, to say why a cohort regressed: per arm
 * and full slice, the confidence (count, sum, sum of squares), the corrections (requests that report
 * them, requests corrected) and each {@link AudioFeature}'s count, sum and sum of squares, the features
 * split into the rollout's first hour ({@link #FIRST_HOUR}, the slice's own baseline, frozen once the
 * hour is over) and the time after it ({@link #LATER}). A handful of numbers per arm and full slice,
 * no histograms: the slice pane already holds these sums ({@link RequestStats}, the drift statistics'
 * feature histograms), so a pane gives them without touching its requests again ({@link #ofPane}).
 *
 * <p>Sums are exact ({@link ExactSums}), so panes folded in any order or grouping give the same figures,
 * and they are kept at full-slice level only: the gate merges them for the one slice a finding names
 * ({@link Source}), never into every roll-up.
 */
public final class CohortSums {

    /** The rollout's first hour: the slice's own baseline of audio features. */
    public static final int FIRST_HOUR = 0;
    /** After the first hour. */
    public static final int LATER = 1;
    private static final int PERIODS = 2;
    private static final AudioFeature[] FEATURES = AudioFeature.values();

    // counts
    private static final int CONFIDENCE_N = 0;
    private static final int CORRECTION_N = 1;
    private static final int CORRECTED = 2;
    private static final int FEATURE_N = 3;
    private static final int COUNTS = FEATURE_N + PERIODS * FEATURES.length;

    // exact sums
    private static final int CONFIDENCE = 0;
    private static final int CONFIDENCE_SQUARED = 1;
    private static final int FEATURE_SUMS = 2;
    private static final int SUMS = FEATURE_SUMS + 2 * PERIODS * FEATURES.length;

    /** Byte format of {@link #writeTo}; written first, so a later one can add to it. */
    private static final int FORMAT = 1;

    /** The canary's and stable's sums merged over the full slices inside one slice. */
    @FunctionalInterface
    public interface Source {
        /** {canary, stable} for {@code slice}; either may be empty, never null. */
        CohortSums[] of(Slice slice);
    }

    /** The count, mean and sample variance of some values. */
    public record Moments(long n, double mean, double variance) {
        static final Moments NONE = new Moments(0, Double.NaN, Double.NaN);

        static Moments of(long n, double sum, double squares) {
            if (n == 0) {
                return NONE;
            }
            double mean = sum / n;
            double variance = n < 2 ? Double.NaN : Math.max(0, (squares - n * mean * mean) / (n - 1));
            return new Moments(n, mean, variance);
        }
    }

    private final long[] counts = new long[COUNTS];
    private final ExactSums sums = new ExactSums(SUMS);

    private static int featureCount(AudioFeature f, int period) {
        return FEATURE_N + period * FEATURES.length + f.ordinal();
    }

    private static int featureSum(AudioFeature f, int period) {
        return FEATURE_SUMS + 2 * (period * FEATURES.length + f.ordinal());
    }

    /**
     * One pane's sums of one slice, its features in {@link #FIRST_HOUR} (a tracker moves them to the
     * period the pane falls in when it folds it, {@link #addPane}): read from what the pane already
     * holds, a few dozen additions per pane and none per request.
     */
    public static CohortSums ofPane(RequestStats requests, DriftStats drift) {
        CohortSums s = new CohortSums();
        s.counts[CONFIDENCE_N] = requests.count(RequestStats.CONFIDENCE_REQUESTS);
        s.counts[CORRECTION_N] = requests.count(RequestStats.CORRECTION_REQUESTS);
        s.counts[CORRECTED] = requests.count(RequestStats.CORRECTED);
        requests.addSumTo(RequestStats.CONFIDENCE, s.sums, CONFIDENCE);
        requests.addSumTo(RequestStats.CONFIDENCE_SQUARED, s.sums, CONFIDENCE_SQUARED);
        for (AudioFeature f : FEATURES) {
            var h = drift.histogram(f);
            if (h.count() > 0) {
                s.counts[featureCount(f, FIRST_HOUR)] = h.count();
                int at = featureSum(f, FIRST_HOUR);
                h.addSumsTo(s.sums, at, at + 1);
            }
        }
        return s;
    }

    /** Adds everything of {@code o}, period by period. */
    public void merge(CohortSums o) {
        for (int i = 0; i < COUNTS; i++) {
            counts[i] += o.counts[i];
        }
        sums.add(o.sums);
    }

    /** Adds a pane's sums ({@link #ofPane}, features in its first period) with its features in {@code period}. */
    public void addPane(CohortSums pane, int period) {
        if (period == FIRST_HOUR) {
            merge(pane);
            return;
        }
        counts[CONFIDENCE_N] += pane.counts[CONFIDENCE_N];
        counts[CORRECTION_N] += pane.counts[CORRECTION_N];
        counts[CORRECTED] += pane.counts[CORRECTED];
        pane.sums.addTo(CONFIDENCE, sums, CONFIDENCE);
        pane.sums.addTo(CONFIDENCE_SQUARED, sums, CONFIDENCE_SQUARED);
        for (AudioFeature f : FEATURES) {
            counts[featureCount(f, period)] += pane.counts[featureCount(f, FIRST_HOUR)];
            int from = featureSum(f, FIRST_HOUR);
            int to = featureSum(f, period);
            pane.sums.addTo(from, sums, to);
            pane.sums.addTo(from + 1, sums, to + 1);
        }
    }

    /** Requests that report a confidence, with its mean and variance. */
    public Moments confidence() {
        return Moments.of(counts[CONFIDENCE_N], sums.value(CONFIDENCE), sums.value(CONFIDENCE_SQUARED));
    }

    /** Requests that report whether the user corrected the transcript. */
    public long correctionRequests() {
        return counts[CORRECTION_N];
    }

    /** Of those, the ones the user corrected. */
    public long corrected() {
        return counts[CORRECTED];
    }

    /** The feature over one period ({@link #FIRST_HOUR} or {@link #LATER}). */
    public Moments feature(AudioFeature f, int period) {
        int at = featureSum(f, period);
        return Moments.of(counts[featureCount(f, period)], sums.value(at), sums.value(at + 1));
    }

    /** The feature over the whole rollout. */
    public Moments feature(AudioFeature f) {
        int a = featureSum(f, FIRST_HOUR);
        int b = featureSum(f, LATER);
        ExactSums both = new ExactSums(2);
        sums.addTo(a, both, 0);
        sums.addTo(b, both, 0);
        sums.addTo(a + 1, both, 1);
        sums.addTo(b + 1, both, 1);
        return Moments.of(counts[featureCount(f, FIRST_HOUR)] + counts[featureCount(f, LATER)], both.value(0),
                both.value(1));
    }

    /** True when nothing was added. */
    public boolean isEmpty() {
        for (long c : counts) {
            if (c != 0) {
                return false;
            }
        }
        return true;
    }

    /** A format byte, the counts as varints, the exact sums. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        for (long c : counts) {
            Varints.writeUnsigned(out, c);
        }
        for (int i = 0; i < SUMS; i++) {
            sums.writeTo(i, out);
        }
    }

    public static CohortSums readFrom(DataInput in) throws IOException {
        int format = in.readByte();
        if (format != FORMAT) {
            throw new IOException("cohort sums of format " + format + ", this version reads " + FORMAT);
        }
        CohortSums s = new CohortSums();
        for (int i = 0; i < COUNTS; i++) {
            s.counts[i] = Varints.readUnsigned(in);
        }
        for (int i = 0; i < SUMS; i++) {
            s.sums.readFrom(i, in);
        }
        return s;
    }
}
