package io.speechslo.metrics;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * One sum of doubles whose {@link #value()} does not depend on the order of the additions or merges:
 * the exact sum is kept and rounded once, when read. {@link ExactSums} of one, for a caller with a
 * sum or two; a caller with many keeps them in one {@link ExactSums}.
 */
public final class ExactSum {

    private final ExactSums sum = new ExactSums(1);

    public void add(double x) {
        sum.add(0, x);
    }

    public void add(ExactSum o) {
        sum.add(o.sum);
    }

    /** Adds this sum, exactly, to sum {@code into} of {@code target}. */
    public void addTo(ExactSums target, int into) {
        sum.addTo(0, target, into);
    }

    public void clear() {
        sum.clear();
    }

    /** The exact sum, correctly rounded. */
    public double value() {
        return sum.value(0);
    }

    public void writeTo(DataOutput out) throws IOException {
        sum.writeTo(0, out);
    }

    public void readFrom(DataInput in) throws IOException {
        sum.readFrom(0, in);
    }
}
