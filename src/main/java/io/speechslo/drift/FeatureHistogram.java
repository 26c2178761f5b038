package io.speechslo.drift;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Counts of one audio feature in the feature's fixed bins, plus the exact sum and sum of squares of
 * the values for the mean and its standard error. Mergeable, so panes and slices roll up without re-reading requests, and small (one long per
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
     * Floor for a bin's share in the PSI, so a bin that is empty in one window gives a large but finite
     * term instead of a division by zero: a bin going from empty to 10% of requests adds
     * 0.1 * ln(0.1 / 0.001) = 0.46. The floor is a fifth of one request at the default 200 samples, and
     * a bin empty in both windows adds nothing. It is 1e-3 rather than the often quoted 1e-4 because a
     * lower floor makes a single stray request in a sparse edge bin weigh too much: measured on the
     * speech-level bins with 200 requests in both windows drawn from one distribution, PSI exceeds 0.2
     * (plus {@link #psiNoise}) in 0.02% of comparisons with this floor and 0.3% with 1e-4.
     */
    public static final double PSI_EPSILON = 1e-3;

    private final AudioFeature feature;
    private final long[] counts;
    private long count;
    private final io.speechslo.metrics.ExactSum esum = new io.speechslo.metrics.ExactSum();
    private final io.speechslo.metrics.ExactSum esq = new io.speechslo.metrics.ExactSum();

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
        esum.add(v);
        esq.add(v * v);
    }

    public void merge(FeatureHistogram o) {
        if (o.feature != feature) {
            throw new IllegalArgumentException("cannot merge a " + o.feature.id() + " histogram into " + feature.id());
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += o.counts[i];
        }
        count += o.count;
        esum.add(o.esum);
        esq.add(o.esq);
    }

    /** Values counted. */
    public long count() {
        return count;
    }

    /**
     * Adds the exact sum of the values to sum {@code sumAt} of {@code target} and the exact sum of their
     * squares to sum {@code squaresAt}: the release gate's per-slice feature sums, gathered per pane.
     */
    public void addSumsTo(io.speechslo.metrics.ExactSums target, int sumAt, int squaresAt) {
        esum.addTo(target, sumAt);
        esq.addTo(target, squaresAt);
    }

    /** Count in bin {@code i}. */
    public long count(int bin) {
        return counts[bin];
    }

    /** Mean of the values counted, NaN when none. */
    public double mean() {
        return count == 0 ? Double.NaN : esum.value() / count;
    }

    /** Standard error of the mean (sample standard deviation over root n); NaN under two values. */
    public double meanStandardError() {
        if (count < 2) {
            return Double.NaN;
        }
        double mean = esum.value() / count;
        double variance = Math.max(0, (esq.value() - count * mean * mean) / (count - 1));
        return Math.sqrt(variance / count);
    }

    /**
     * Population stability index between this (current) histogram and a baseline:
     * sum over bins of (p - q) * ln(p / q), with p and q the bins' shares floored at
     * {@link #PSI_EPSILON}. Symmetric, 0 for identical shapes; NaN when either histogram is empty.
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

    /**
     * The PSI expected between two samples of these sizes drawn from one and the same distribution,
     * (bins - 1) * (1 / n_current + 1 / n_baseline): the PSI of finite samples is never 0, and this is
     * its sampling noise (PSI is about (1/n + 1/m) times a chi-square with bins - 1 degrees of freedom).
     */
    public double psiNoise(FeatureHistogram baseline) {
        return (counts.length - 1) * (1.0 / count + 1.0 / baseline.count);
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeByte(counts.length);
        for (long c : counts) {
            io.speechslo.bytes.Varints.writeUnsigned(out, c);
        }
        esum.writeTo(out);
        esq.writeTo(out);
    }

    public static FeatureHistogram readFrom(AudioFeature feature, DataInput in) throws IOException {
        FeatureHistogram h = new FeatureHistogram(feature);
        int bins = in.readUnsignedByte();
        if (bins != h.counts.length) {
            throw new IOException("stored " + feature.id() + " histogram has " + bins + " bins, this version uses "
                    + h.counts.length);
        }
        for (int i = 0; i < bins; i++) {
            h.counts[i] = io.speechslo.bytes.Varints.readUnsigned(in);
            h.count += h.counts[i];
        }
        h.esum.readFrom(in);
        h.esq.readFrom(in);
        return h;
    }
}
