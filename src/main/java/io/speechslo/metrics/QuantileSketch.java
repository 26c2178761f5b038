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
 * <p>The index mapping is the DDSketch library's; the bins are kept here, in one of two forms:
 * <ul>
 *   <li><b>sparse</b> (sorted indexes and their counts) while small, because a pane of one slice
 *       holds a handful of values: the library's dense store allocates and copies arrays of at least
 *       64 bins per sketch, and the job builds and merges millions of small sketches;</li>
 *   <li><b>dense</b> (one count per index over a window of indexes) once large, like the release
 *       gate's roll-ups that hold hundreds of bins and take in a pane every minute: a small sketch
 *       then merges in by direct adds, no search and no shifting.</li>
 * </ul>
 * A sketch turns dense once it has {@link #DENSE_MIN_BINS} bins or more and they span at most 3/2 as
 * many indexes: a dense slot is one long (8 bytes), a sparse bin an int and a long (12 bytes), so the
 * dense counts over the span cost no more than the sparse arrays. A sparse sketch that merges in a
 * dense one turns dense too (the result is at least as large). Only {@link #clear()} and
 * {@link #readFrom} bring a dense sketch back to sparse. The form never shows: answers and bytes
 * are the same either way.
 *
 * <p>Answers are identical to the library's DDSketch with a collapsing-lowest store of the same size
 * (a test holds the two side by side). Merging is exact and order-independent.
 */
public final class QuantileSketch {

    /** 0.5% relative accuracy (the requirement is 1% or better). */
    public static final double RELATIVE_ACCURACY = 0.005;
    static final int MAX_BINS = 2048;
    /** The fewest bins a sketch holds before it turns dense (see the class comment). */
    static final int DENSE_MIN_BINS = 64;
    /** The longest dense window: the widest span ({@link #MAX_BINS}) and half as much again to spare. */
    private static final int MAX_WINDOW = MAX_BINS + MAX_BINS / 2;

    private static final IndexMapping MAPPING = new LogarithmicMapping(RELATIVE_ACCURACY);
    private static final double MIN_INDEXED = Math.max(0, MAPPING.minIndexableValue());
    /** The mapping's largest indexable value, read once (the mapping works it out with Math.pow on every call). */
    private static final double MAX_INDEXABLE = MAPPING.maxIndexableValue();
    private static final int[] NO_INDEXES = new int[0];
    private static final long[] NO_COUNTS = new long[0];

    // Sparse form (dense == null): ascending bin indexes and their counts, the first bins entries used.
    private int[] indexes = NO_INDEXES;
    private long[] counts = NO_COUNTS;

    // Dense form (dense != null): dense[i] counts index offset + i; lo and hi are the lowest and
    // highest non-empty indexes (hi < lo while there are none); every slot outside [lo, hi] is zero.
    private long[] dense;
    private int offset;
    private int lo;
    private int hi;

    /** Non-empty bins, in either form. */
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
        if (v > MAX_INDEXABLE) {
            throw new IllegalArgumentException("the sketch cannot hold " + value + " (largest: "
                    + MAX_INDEXABLE + ")");
        }
        if (n == 0) {
            return;
        }
        count += n;
        if (v > MIN_INDEXED) {
            if (dense != null) {
                addDense(MAPPING.index(v), n);
            } else if (addToBin(MAPPING.index(v), n)) {
                // a new bin: only then can the span outgrow MAX_BINS or the bins turn dense
                collapse();
                denseIfLarge();
            }
        } else {
            zeros += n;
        }
    }

    /** Adds to the sparse bin of {@code index}; true when that bin is new. */
    private boolean addToBin(int index, long n) {
        int at = Arrays.binarySearch(indexes, 0, bins, index);
        if (at >= 0) {
            counts[at] += n;
            return false;
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
        return true;
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
        if (dense == null && o.dense != null) {
            // o's bins and this one's, clamped to MAX_BINS as collapse() would: the span to come
            int to = bins == 0 ? o.hi : Math.max(o.hi, indexes[bins - 1]);
            int from = bins == 0 ? o.lo : Math.min(o.lo, indexes[0]);
            toDense(Math.max(from, to - MAX_BINS + 1), to);
        }
        if (dense == null) {
            mergeSparse(o);
            collapse();
            denseIfLarge();
        } else if (o.dense == null) {
            // a pane into a roll-up: O(o's bins), each a direct add (from the highest, so that a fold
            // below MAX_BINS happens at most once)
            for (int k = o.bins - 1; k >= 0; k--) {
                if (o.counts[k] != 0) {
                    addDense(o.indexes[k], o.counts[k]);
                }
            }
        } else {
            for (int i = o.hi; i >= o.lo; i--) {
                long c = o.dense[i - o.offset];
                if (c != 0) {
                    addDense(i, c);
                }
            }
        }
    }

    /** Merges sparse bins into sparse bins; {@link #collapse()} is the caller's. */
    private void mergeSparse(QuantileSketch o) {
        if (o.bins * 8 < bins) {
            // a small sketch into a large one (a slice into its roll-up): look each bin up
            for (int k = 0; k < o.bins; k++) {
                addToBin(o.indexes[k], o.counts[k]);
            }
            return;
        }
        // merge in place from the back, as if no bin were shared (no allocation unless the arrays must
        // grow); then close the gap the shared bins left, with one copy
        int most = bins + o.bins;
        if (most > indexes.length) {
            int size = Math.max(most, indexes.length * 2);
            indexes = Arrays.copyOf(indexes, size);
            counts = Arrays.copyOf(counts, size);
        }
        int i = bins - 1;
        int j = o.bins - 1;
        int k = most - 1; // always past i + j: nothing of this sketch is overwritten before it is read
        for (; j >= 0; k--) {
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
        // [0, i] is in place; the merged rest is at [k + 1, most)
        int shared = k - i;
        if (shared > 0) {
            System.arraycopy(indexes, k + 1, indexes, i + 1, most - k - 1);
            System.arraycopy(counts, k + 1, counts, i + 1, most - k - 1);
        }
        bins = most - shared;
    }

    /** Turns dense if the sparse bins are many and close enough (see the class comment). */
    private void denseIfLarge() {
        if (bins >= DENSE_MIN_BINS && 2L * (indexes[bins - 1] - indexes[0] + 1) <= 3L * bins) {
            toDense(indexes[0], indexes[bins - 1]);
        }
    }

    /**
     * Switches to the dense form: a window over [from, to] (the span the bins are about to cover) with
     * a quarter of it to spare on each side, into which the sparse bins move. Bins below {@code from}
     * go to {@code from}: the caller passes a {@code from} below which collapse() would fold them.
     */
    private void toDense(int from, int to) {
        int span = to - from + 1;
        int[] sparseIndexes = indexes;
        long[] sparseCounts = counts;
        int sparseBins = bins;
        dense = new long[Math.min(span + span / 2, MAX_WINDOW)];
        offset = from - (dense.length - span) / 2;
        lo = from;
        hi = from - 1;
        bins = 0;
        indexes = NO_INDEXES;
        counts = NO_COUNTS;
        for (int k = sparseBins - 1; k >= 0; k--) {
            if (sparseCounts[k] != 0) {
                addDense(Math.max(sparseIndexes[k], from), sparseCounts[k]);
            }
        }
    }

    /** Adds {@code n} (positive) to the dense bin at {@code index}: a direct add unless outside [lo, hi]. */
    private void addDense(int index, long n) {
        if (index < lo || index > hi) {
            index = widen(index);
        }
        put(index, n);
    }

    private void put(int index, long n) {
        int slot = index - offset;
        if (dense[slot] == 0) {
            bins++;
        }
        dense[slot] += n;
    }

    /**
     * Widens [lo, hi] to take {@code index} and returns the index its count goes to. This is the dense
     * form's {@link #collapse()}, done before the add instead of after, to the same effect: no bin
     * below the highest index less MAX_BINS - 1; a higher index folds the bins now below that into
     * the lowest kept one, a lower index than that goes to the lowest kept one.
     */
    private int widen(int index) {
        if (bins == 0) {
            cover(index, index);
            lo = index;
            hi = index;
        } else if (index > hi) {
            int lowest = index - MAX_BINS + 1;
            if (lowest > lo) {
                long folded = 0;
                for (int i = lo, end = Math.min(hi, lowest - 1); i <= end; i++) {
                    long c = dense[i - offset];
                    if (c != 0) {
                        folded += c;
                        dense[i - offset] = 0;
                        bins--;
                    }
                }
                cover(lowest, index);
                lo = lowest;
                put(lowest, folded);
            } else {
                cover(lo, index);
            }
            hi = index;
        } else {
            index = Math.max(index, hi - MAX_BINS + 1);
            cover(index, hi);
            lo = index;
        }
        return index;
    }

    /**
     * Moves the dense window to hold [from, to] (which holds every non-empty slot) if it does not yet,
     * doubling its length (up to {@link #MAX_WINDOW}) while the range would leave less than a third of
     * it spare, and centring the range in it.
     */
    private void cover(int from, int to) {
        if (from >= offset && to < offset + dense.length) {
            return;
        }
        int span = to - from + 1;
        int length = dense.length;
        while (length < span + span / 2 && length < MAX_WINDOW) {
            length = Math.min(length * 2, MAX_WINDOW);
        }
        int newOffset = from - (length - span) / 2;
        long[] window = length == dense.length ? dense : new long[length];
        // keep what the old and the new window share; the rest of the new one is empty
        int start = Math.max(offset, newOffset);
        int end = Math.min(offset + dense.length, newOffset + length);
        if (start < end) {
            System.arraycopy(dense, start - offset, window, start - newOffset, end - start);
        } else {
            start = newOffset;
            end = newOffset;
        }
        if (window == dense) {
            Arrays.fill(window, 0, start - newOffset, 0L);
            Arrays.fill(window, end - newOffset, length, 0L);
        }
        dense = window;
        offset = newOffset;
    }

    /** Empties the sketch, which is sparse again. */
    public void clear() {
        dense = null;
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
        if (dense != null) {
            for (int i = lo; i <= hi; i++) {
                n += dense[i - offset]; // an empty slot adds 0, which changes nothing
                if (n > rank) {
                    return MAPPING.value(i);
                }
            }
        } else {
            for (int i = 0; i < bins; i++) {
                n += counts[i];
                if (n > rank) {
                    return MAPPING.value(indexes[i]);
                }
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
            return count - zeros; // every value that is not a zero is in a bin
        }
        int ti = MAPPING.index(threshold);
        if (dense != null) {
            for (int i = hi; i >= lo && i > ti; i--) {
                above += dense[i - offset];
            }
            return above;
        }
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
        if (dense != null) {
            int previous = 0;
            for (int i = lo; i <= hi; i++) {
                long c = dense[i - offset];
                if (c != 0) {
                    Varints.writeSigned(out, i == lo ? i : (long) i - previous);
                    Varints.writeUnsigned(out, c);
                    previous = i;
                }
            }
            return;
        }
        for (int i = 0; i < bins; i++) {
            Varints.writeSigned(out, i == 0 ? indexes[0] : (long) indexes[i] - indexes[i - 1]);
            Varints.writeUnsigned(out, counts[i]);
        }
    }

    /** Reads what {@link #writeTo} wrote, into the sparse form. */
    public void readFrom(DataInput in) throws IOException {
        dense = null;
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

    /** Whether the bins are in the dense form (for tests). */
    boolean isDense() {
        return dense != null;
    }

    @Override
    public String toString() {
        return "QuantileSketch{count=" + count + "}";
    }
}
