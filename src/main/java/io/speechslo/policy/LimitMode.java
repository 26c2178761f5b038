package io.speechslo.policy;

/** How a release-gate limit is read against the stable (baseline) value. */
public enum LimitMode {
    /** Candidate may be worse than stable by at most {@code limit} times stable (0.05 = 5% worse). */
    RELATIVE,
    /** Candidate may be worse than stable by at most {@code limit} in the metric's own unit. */
    DELTA,
    /** Candidate must be no worse than {@code limit}, whatever stable does. */
    ABSOLUTE
}
