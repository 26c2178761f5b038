package io.speechslo.metrics;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.store.Bin;
import com.datadoghq.sketch.ddsketch.store.Store;
import io.speechslo.bytes.Varints;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Iterator;

/**
 * A mergeable latency sketch (DDSketch, logarithmic mapping): every quantile it returns is within
 * {@link #RELATIVE_ACCURACY} of the true value, relative. Only non-negative values are recorded.
 * Bins beyond {@link #MAX_BINS} collapse the lowest ones, which only ever blurs the fastest requests.
 */
public final class QuantileSketch {

    /** 0.5% relative accuracy (the requirement is 1% or better). */
    public static final double RELATIVE_ACCURACY = 0.005;
    static final int MAX_BINS = 2048;

    private DDSketch sketch;
    /** Values recorded: kept here because the sketch sums its bins to answer. */
    private long count;

    public QuantileSketch() {
        this.sketch = DDSketches.logarithmicCollapsingLowestDense(RELATIVE_ACCURACY, MAX_BINS);
    }

    public void add(double value) {
        sketch.accept(Math.max(0, value));
        count++;
    }

    public void add(double value, long count) {
        sketch.accept(Math.max(0, value), count);
        this.count += count;
    }

    public void merge(QuantileSketch o) {
        if (!o.sketch.isEmpty()) {
            sketch.mergeWith(o.sketch);
            count += o.count;
        }
    }

    public void clear() {
        sketch.clear();
        count = 0;
    }

    public long count() {
        return count;
    }

    public boolean isEmpty() {
        return sketch.isEmpty();
    }

    /** The q-quantile, or NaN when empty. */
    public double quantile(double q) {
        return sketch.isEmpty() ? Double.NaN : sketch.getValueAtQuantile(q);
    }

    /**
     * How many recorded values are above {@code threshold}, to the sketch's accuracy: values in the
     * bin that holds the threshold count as not above.
     */
    public long countAbove(double threshold) {
        if (sketch.isEmpty()) {
            return 0;
        }
        if (threshold < sketch.getIndexMapping().minIndexableValue()) {
            return Math.round(sketch.getPositiveValueStore().getTotalCount());
        }
        int ti = sketch.getIndexMapping().index(threshold);
        double above = 0;
        Iterator<Bin> it = sketch.getPositiveValueStore().getDescendingIterator();
        while (it.hasNext()) {
            Bin b = it.next();
            if (b.getIndex() <= ti) {
                break;
            }
            above += b.getCount();
        }
        return Math.round(above);
    }

    /**
     * Compact form, varints throughout: the zero count, the number of non-empty bins, then per bin the
     * index (the first as is, the rest as the gap to the previous) and the count.
     */
    public void writeTo(DataOutput out) throws IOException {
        Store store = sketch.getPositiveValueStore();
        long positive = 0;
        int bins = 0;
        Iterator<Bin> it = store.getAscendingIterator();
        while (it.hasNext()) {
            positive += Math.round(it.next().getCount());
            bins++;
        }
        Varints.writeUnsigned(out, count - positive);
        Varints.writeUnsigned(out, bins);
        it = store.getAscendingIterator();
        int previous = 0;
        boolean first = true;
        while (it.hasNext()) {
            Bin b = it.next();
            Varints.writeSigned(out, first ? b.getIndex() : b.getIndex() - previous);
            Varints.writeUnsigned(out, Math.round(b.getCount()));
            previous = b.getIndex();
            first = false;
        }
    }

    public void readFrom(DataInput in) throws IOException {
        sketch = DDSketches.logarithmicCollapsingLowestDense(RELATIVE_ACCURACY, MAX_BINS);
        long zeros = Varints.readUnsigned(in);
        count = zeros;
        if (zeros > 0) {
            sketch.accept(0, zeros);
        }
        long bins = Varints.readUnsigned(in);
        Store store = sketch.getPositiveValueStore();
        int index = 0;
        for (long i = 0; i < bins; i++) {
            index = i == 0 ? (int) Varints.readSigned(in) : index + (int) Varints.readSigned(in);
            long n = Varints.readUnsigned(in);
            store.add(index, n);
            count += n;
        }
    }

    @Override
    public String toString() {
        return "QuantileSketch{count=" + count() + "}";
    }
}
