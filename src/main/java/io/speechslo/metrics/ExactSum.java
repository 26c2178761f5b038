package io.speechslo.metrics;

import io.speechslo.bytes.Varints;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * A sum of doubles whose {@link #value()} does not depend on the order of the additions or merges:
 * the exact sum is kept and rounded once, when read. Parallel pipelines add in whatever order records
 * arrive, so plain {@code +=} would make results (and advisory ids) differ in the last bits from run
 * to run.
 *
 * <p>Most additions are whole numbers (word counts, 0/1 outcomes, their squares and products): those
 * go into a {@code long}, exactly, in a nanosecond. Any other value, and a whole number that would
 * overflow the long, goes into non-overlapping partials (Shewchuk; Python's math.fsum). The exact sum
 * is the long plus the partials.
 */
public final class ExactSum {

    /** Whole numbers up to this magnitude are exact doubles and cannot overflow the long in one step. */
    private static final double MAX_WHOLE = 0x1p53;

    private long whole;
    /** Allocated on the first non-whole addition: most sums never need it. */
    private double[] partials;
    private int size;
    /** The rounded sum, valid while {@code rounded} is true. */
    private double value;
    private boolean rounded = true;

    public void add(double x) {
        rounded = false;
        if (x == Math.rint(x) && Math.abs(x) <= MAX_WHOLE) {
            long v = (long) x;
            long r = whole + v;
            if (((whole ^ r) & (v ^ r)) >= 0) { // no overflow
                whole = r;
                return;
            }
        }
        addPartial(x);
    }

    private void addPartial(double x) {
        if (partials == null) {
            partials = new double[2];
        }
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
        rounded = false;
        long r = whole + o.whole;
        if (((whole ^ r) & (o.whole ^ r)) >= 0) {
            whole = r;
        } else {
            addWhole(o.whole);
        }
        for (int j = 0; j < o.size; j++) {
            addPartial(o.partials[j]);
        }
    }

    /** Adds a long exactly to the partials: its high and low 32 bits are each an exact double. */
    private void addWhole(long v) {
        addPartial((double) ((v >> 32) << 32));
        addPartial((double) (v & 0xffff_ffffL));
    }

    public void clear() {
        whole = 0;
        size = 0;
        value = 0;
        rounded = true;
    }

    /** The exact sum, correctly rounded (computed when first read after a change). */
    public double value() {
        if (!rounded) {
            if (size == 0 && Math.abs(whole) <= (long) MAX_WHOLE) {
                value = whole;
            } else {
                ExactSum all = new ExactSum();
                all.partials = partials == null ? new double[2] : Arrays.copyOf(partials, size + 2);
                all.size = size;
                all.addWhole(whole);
                value = all.roundPartials();
            }
            rounded = true;
        }
        return value;
    }

    private double roundPartials() {
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
        Varints.writeSigned(out, whole);
        Varints.writeUnsigned(out, size);
        for (int j = 0; j < size; j++) {
            out.writeDouble(partials[j]);
        }
    }

    public void readFrom(DataInput in) throws IOException {
        whole = Varints.readSigned(in);
        size = 0;
        int n = (int) Varints.readUnsigned(in);
        if (n > 0 && (partials == null || partials.length < n)) {
            partials = new double[Math.max(2, n)];
        }
        for (int j = 0; j < n; j++) {
            partials[j] = in.readDouble();
        }
        size = n;
        rounded = false;
    }
}
