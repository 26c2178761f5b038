package io.speechslo.drift;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Counts of one audio feature in the feature's fixed bins, plus the exact sum of the values for the
 * mean. Mergeable, so panes and slices roll up without re-reading requests, and small (one long per
 * bin).
 *
 * <p>The decision statistic for a change of shape is the population stability index (PSI), chosen
 * over Jensen-Shannon divergence because it is what the policy's {@code distributionThreshold} is
 * written in, its usual reading is well known (under 0.1 stable, 0.1..0.25 moderate, over 0.25 a
 * major shift), and it weighs a bin that empties or fills from nothing strongly, which is the kind of
 * change drift is meant to catch (a new mode of clipped or silent audio).
 */
public final class FeatureHistogram {

    /**
     * Floor for a bin's share in the PSI, so a bin empty in one window gives a large but finite term:
     * a bin going from empty to 5% of requests adds 0.05 * ln(0.05 / 1e-4) = 0.31. The floor is far
     * below the share of one request at the default minimum sample size (1/200 = 0.005).
     */
    public static final double PSI_EPSILON = 1e-4;

    private final AudioFeature feature;
    private final long[] counts;
    private long count;
    private double sum;

    public FeatureHistogram(AudioFeature feature) {
        this.feature = feature;
        this.counts = new long[feature.bins()];
    }

    public AudioFeature feature() {
        return feature;
    }

    /** Counts a value; NaN and infinite values are ignored (they have no bin and no mean). */
    public void add(double v) {
        if (!Double.isFinite(v)) {
            return;
        }
        counts[feature.bin(v)]++;
        count++;
        sum += v;
    }

    public void merge(FeatureHistogram o) {
        if (o.feature != feature) {
            throw new IllegalArgumentException("cannot merge a " + o.feature.id() + " histogram into " + feature.id());
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += o.counts[i];
        }
        count += o.count;
        sum += o.sum;
    }

    /** Values counted. */
    public long count() {
        return count;
    }

    /** Count in bin {@code i}. */
    public long count(int bin) {
        return counts[bin];
    }

    /** Mean of the values counted, NaN when none. */
    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    /**
     * Population stability index between this (current) histogram and a baseline:
     * sum over bins of (p - q) * ln(p / q), with p and q the bins' shares floored at {@link #PSI_EPSILON}.
     * Symmetric, 0 for identical shapes; NaN when either histogram is empty.
     */
    public double psi(FeatureHistogram baseline) {
        if (baseline.feature != feature) {
            throw new IllegalArgumentException("cannot compare " + feature.id() + " with " + baseline.feature.id());
        }
        if (count == 0 || baseline.count == 0) {
            return Double.NaN;
        }
        double psi = 0;
        for (int i = 0; i < counts.length; i++) {
            double p = Math.max((double) counts[i] / count, PSI_EPSILON);
            double q = Math.max((double) baseline.counts[i] / baseline.count, PSI_EPSILON);
            psi += (p - q) * Math.log(p / q);
        }
        return psi;
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeByte(counts.length);
        for (long c : counts) {
            out.writeLong(c);
        }
        out.writeDouble(sum);
    }

    public static FeatureHistogram readFrom(AudioFeature feature, DataInput in) throws IOException {
        FeatureHistogram h = new FeatureHistogram(feature);
        int bins = in.readUnsignedByte();
        if (bins != h.counts.length) {
            throw new IOException("stored " + feature.id() + " histogram has " + bins + " bins, this version uses "
                    + h.counts.length);
        }
        for (int i = 0; i < bins; i++) {
            h.counts[i] = in.readLong();
            h.count += h.counts[i];
        }
        h.sum = in.readDouble();
        return h;
    }
}
