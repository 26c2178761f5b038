package io.speechslo.metrics;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.store.Bin;
import com.datadoghq.sketch.ddsketch.store.Store;

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

    public QuantileSketch() {
        this.sketch = DDSketches.logarithmicCollapsingLowestDense(RELATIVE_ACCURACY, MAX_BINS);
    }

    public void add(double value) {
        sketch.accept(Math.max(0, value));
    }

    public void add(double value, long count) {
        sketch.accept(Math.max(0, value), count);
    }

    public void merge(QuantileSketch o) {
        if (!o.sketch.isEmpty()) {
            sketch.mergeWith(o.sketch);
        }
    }

    public void clear() {
        sketch.clear();
    }

    public long count() {
        return Math.round(sketch.getCount());
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

    /** Compact form: zero count, then (index, count) per non-empty bin. */
    public void writeTo(DataOutput out) throws IOException {
        Store store = sketch.getPositiveValueStore();
        double total = sketch.getCount();
        double positive = store.getTotalCount();
        out.writeLong(Math.round(total - positive));
        int bins = 0;
        Iterator<Bin> it = store.getAscendingIterator();
        while (it.hasNext()) {
            it.next();
            bins++;
        }
        out.writeInt(bins);
        it = store.getAscendingIterator();
        while (it.hasNext()) {
            Bin b = it.next();
            out.writeInt(b.getIndex());
            out.writeLong(Math.round(b.getCount()));
        }
    }

    public void readFrom(DataInput in) throws IOException {
        sketch = DDSketches.logarithmicCollapsingLowestDense(RELATIVE_ACCURACY, MAX_BINS);
        long zeros = in.readLong();
        if (zeros > 0) {
            sketch.accept(0, zeros);
        }
        int bins = in.readInt();
        Store store = sketch.getPositiveValueStore();
        for (int i = 0; i < bins; i++) {
            int index = in.readInt();
            long count = in.readLong();
            store.add(index, count);
        }
    }

    @Override
    public String toString() {
        return "QuantileSketch{count=" + count() + "}";
    }
}
