package io.speechslo.metrics;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * A sum of doubles whose {@link #value()} does not depend on the order of the additions or merges:
 * the exact sum is kept as non-overlapping partials (Shewchuk; Python's math.fsum) and rounded once.
 * Parallel pipelines add in whatever order records arrive, so plain {@code +=} would make results
 * (and advisory ids) differ in the last bits from run to run.
 */
public final class ExactSum {

    private double[] partials = new double[2];
    private int size;

    public void add(double x) {
        int i = 0;
        for (int j = 0; j < size; j++) {
            double y = partials[j];
            if (Math.abs(x) < Math.abs(y)) {
                double t = x;
                x = y;
                y = t;
            }
            double hi = x + y;
            double lo = y - (hi - x);
            if (lo != 0) {
                partials[i++] = lo;
            }
            x = hi;
        }
        if (i == partials.length) {
            partials = Arrays.copyOf(partials, i * 2);
        }
        partials[i++] = x;
        size = i;
    }

    public void add(ExactSum o) {
        for (int j = 0; j < o.size; j++) {
            add(o.partials[j]);
        }
    }

    public void clear() {
        size = 0;
    }

    /** The exact sum, correctly rounded. */
    public double value() {
        int n = size;
        if (n == 0) {
            return 0;
        }
        double hi = partials[--n];
        double lo = 0;
        while (n > 0) {
            double x = hi;
            double y = partials[--n];
            hi = x + y;
            double yr = hi - x;
            lo = y - yr;
            if (lo != 0) {
                break;
            }
        }
        if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
            double y = lo * 2;
            double x = hi + y;
            if (y == x - hi) {
                hi = x;
            }
        }
        return hi;
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(size);
        for (int j = 0; j < size; j++) {
            out.writeDouble(partials[j]);
        }
    }

    public void readFrom(DataInput in) throws IOException {
        size = 0;
        int n = in.readInt();
        if (partials.length < n) {
            partials = new double[n];
        }
        for (int j = 0; j < n; j++) {
            partials[j] = in.readDouble();
        }
        size = n;
    }
}
