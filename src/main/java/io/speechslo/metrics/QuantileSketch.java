package io.speechslo.metrics;

import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import io.speechslo.bytes.Varints;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * A mergeable latency sketch (DDSketch with the logarithmic mapping): every quantile it returns is
 * within {@link #RELATIVE_ACCURACY} of the true value, relative. Only non-negative values are
 * recorded. Bins beyond {@link #MAX_BINS} collapse the lowest ones, which only ever blurs the fastest
 * requests.
 *
 * <p>The index mapping is the DDSketch library's; the bins are kept here, sparse (sorted indexes and
 * their counts), because a pane of one slice holds a handful of values: the library's dense store
 * allocates and copies arrays of at least 64 bins per sketch, and the job builds and merges millions
 * of small sketches. Answers are identical to the library's DDSketch with a collapsing-lowest store
 * of the same size (a test holds the two side by side). Merging is exact and order-independent.
 */
public final class QuantileSketch {

    /** 0.5% relative accuracy (the requirement is 1% or better). */
    public static final double RELATIVE_ACCURACY = 0.005;
    static final int MAX_BINS = 2048;

    private static final IndexMapping MAPPING = new LogarithmicMapping(RELATIVE_ACCURACY);
    private static final double MIN_INDEXED = Math.max(0, MAPPING.minIndexableValue());
    private static final int[] NO_INDEXES = new int[0];
    private static final long[] NO_COUNTS = new long[0];

    /** Ascending bin indexes and their counts, the first {@code bins} entries used. */
    private int[] indexes = NO_INDEXES;
    private long[] counts = NO_COUNTS;
    private int bins;
    /** Values too small to index (zero, in practice). */
    private long zeros;
    private long count;

    public void add(double value) {
        add(value, 1);
    }

    public void add(double value, long n) {
        if (n < 0) {
            throw new IllegalArgumentException("the count cannot be negative: " + n);
        }
        double v = Math.max(0, value);
        if (v > MAPPING.maxIndexableValue()) {
            throw new IllegalArgumentException("the sketch cannot hold " + value + " (largest: "
                    + MAPPING.maxIndexableValue() + ")");
        }
        if (n == 0) {
            return;
        }
        count += n;
        if (v > MIN_INDEXED) {
            addToBin(MAPPING.index(v), n);
            collapse();
        } else {
            zeros += n;
        }
    }

    private void addToBin(int index, long n) {
        int at = Arrays.binarySearch(indexes, 0, bins, index);
        if (at >= 0) {
            counts[at] += n;
            return;
        }
        int insert = -at - 1;
        if (bins == indexes.length) {
            int size = Math.max(4, bins * 2);
            indexes = Arrays.copyOf(indexes, size);
            counts = Arrays.copyOf(counts, size);
        }
        System.arraycopy(indexes, insert, indexes, insert + 1, bins - insert);
        System.arraycopy(counts, insert, counts, insert + 1, bins - insert);
        indexes[insert] = index;
        counts[insert] = n;
        bins++;
    }

    /** Folds bins below the allowed range (the highest index less MAX_BINS - 1) into its lowest bin. */
    private void collapse() {
        if (bins == 0 || indexes[bins - 1] - indexes[0] < MAX_BINS) {
            return;
        }
        int lowest = indexes[bins - 1] - MAX_BINS + 1;
        long folded = 0;
        int k = 0;
        while (k < bins && indexes[k] < lowest) {
            folded += counts[k++];
        }
        System.arraycopy(indexes, k, indexes, 0, bins - k);
        System.arraycopy(counts, k, counts, 0, bins - k);
        bins -= k;
        addToBin(lowest, folded);
    }

    public void merge(QuantileSketch o) {
        if (o.count == 0) {
            return;
        }
        count += o.count;
        zeros += o.zeros;
        if (o.bins == 0) {
            return;
        }
        if (o.bins * 8 < bins) {
            // a small sketch into a large one (a slice into its roll-up): look each bin up
            for (int k = 0; k < o.bins; k++) {
                addToBin(o.indexes[k], o.counts[k]);
            }
            collapse();
            return;
        }
        // how many of o's bins are new here; then merge in place from the back (no allocation unless
        // the arrays must grow)
        int fresh = 0;
        for (int i = 0, j = 0; j < o.bins; ) {
            if (i < bins && indexes[i] < o.indexes[j]) {
                i++;
            } else {
                if (i == bins || indexes[i] != o.indexes[j]) {
                    fresh++;
                }
                j++;
            }
        }
        int total = bins + fresh;
        if (total > indexes.length) {
            int size = Math.max(total, indexes.length * 2);
            indexes = Arrays.copyOf(indexes, size);
            counts = Arrays.copyOf(counts, size);
        }
        int i = bins - 1;
        int j = o.bins - 1;
        for (int k = total - 1; j >= 0; k--) {
            if (i >= 0 && indexes[i] > o.indexes[j]) {
                indexes[k] = indexes[i];
                counts[k] = counts[i--];
            } else if (i >= 0 && indexes[i] == o.indexes[j]) {
                indexes[k] = indexes[i];
                counts[k] = counts[i--] + o.counts[j--];
            } else {
                indexes[k] = o.indexes[j];
                counts[k] = o.counts[j--];
            }
        }
        bins = total;
        collapse();
    }

    public void clear() {
        bins = 0;
        zeros = 0;
        count = 0;
    }

    public long count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** The q-quantile (the DDSketch lower quantile of rank q * (count - 1)), or NaN when empty. */
    public double quantile(double q) {
        if (q < 0 || q > 1) {
            throw new IllegalArgumentException("the quantile must be between 0 and 1: " + q);
        }
        if (count == 0) {
            return Double.NaN;
        }
        double rank = q * (count - 1);
        double n = zeros;
        if (n > rank) {
            return 0;
        }
        for (int i = 0; i < bins; i++) {
            n += counts[i];
            if (n > rank) {
                return MAPPING.value(indexes[i]);
            }
        }
        throw new IllegalStateException("rank " + rank + " beyond the sketch's " + count + " values");
    }

    /**
     * How many recorded values are above {@code threshold}, to the sketch's accuracy: values in the
     * bin that holds the threshold count as not above.
     */
    public long countAbove(double threshold) {
        if (count == 0) {
            return 0;
        }
        long above = 0;
        if (threshold < MAPPING.minIndexableValue()) {
            for (int i = 0; i < bins; i++) {
                above += counts[i];
            }
            return above;
        }
        int ti = MAPPING.index(threshold);
        for (int i = bins - 1; i >= 0 && indexes[i] > ti; i--) {
            above += counts[i];
        }
        return above;
    }

    /**
     * Compact form, varints throughout: the zero count, the number of non-empty bins, then per bin the
     * index (the first as is, the rest as the gap to the previous) and the count.
     */
    public void writeTo(DataOutput out) throws IOException {
        Varints.writeUnsigned(out, zeros);
        Varints.writeUnsigned(out, bins);
        for (int i = 0; i < bins; i++) {
            Varints.writeSigned(out, i == 0 ? indexes[0] : (long) indexes[i] - indexes[i - 1]);
            Varints.writeUnsigned(out, counts[i]);
        }
    }

    public void readFrom(DataInput in) throws IOException {
        zeros = Varints.readUnsigned(in);
        count = zeros;
        long n = Varints.readUnsigned(in);
        if (n > MAX_BINS) {
            throw new IOException("a sketch of " + n + " bins, at most " + MAX_BINS + " are kept");
        }
        bins = (int) n;
        indexes = bins == 0 ? NO_INDEXES : new int[bins];
        counts = bins == 0 ? NO_COUNTS : new long[bins];
        int index = 0;
        for (int i = 0; i < bins; i++) {
            index = i == 0 ? (int) Varints.readSigned(in) : index + (int) Varints.readSigned(in);
            if (i > 0 && index <= indexes[i - 1]) {
                throw new IOException("sketch bins out of order at bin " + i);
            }
            indexes[i] = index;
            counts[i] = Varints.readUnsigned(in);
            count += counts[i];
        }
    }

    @Override
    public String toString() {
        return "QuantileSketch{count=" + count + "}";
    }
}
