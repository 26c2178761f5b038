package io.speechslo.metrics;

/** How a metric is aggregated. */
public enum MetricKind {
    /** Sum of a numerator over sum of a denominator across requests (never an average of ratios). */
    RATIO,
    /** A quantile of a per-request latency, from a mergeable relative-accuracy sketch. */
    QUANTILE
}
