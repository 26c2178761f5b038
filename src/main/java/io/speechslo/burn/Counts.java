package io.speechslo.burn;

/** Exact request counts over a window: {@code good} of {@code total} requests met the SLO. */
public record Counts(long good, long total) {

    public static final Counts ZERO = new Counts(0, 0);

    public Counts {
        if (good < 0 || total < 0 || good > total) {
            throw new IllegalArgumentException("impossible counts: good=" + good + ", total=" + total);
        }
    }

    public long bad() {
        return total - good;
    }

    Counts plus(Counts o) {
        return new Counts(Math.addExact(good, o.good), Math.addExact(total, o.total));
    }
}
