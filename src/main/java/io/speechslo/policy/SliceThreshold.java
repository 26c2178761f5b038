package io.speechslo.policy;

import java.time.Duration;
import java.util.Locale;

/**
 * The indicator of a threshold SLO (OpenSLO {@code thresholdMetric}, budgeted in {@code Timeslices}): one
 * value of the SLICE scorecards, judged per slice and model version once per timeslice (a scorecard
 * window). A timeslice is good when the value meets {@code op value}, bad when it does not, and not judged
 * at all when the value rests on fewer than {@code minSamples} samples (or none): a quiet minute of a small
 * cohort is no evidence either way.
 *
 * @param metric a SLICE scorecard value name, e.g. {@code wer} or {@code first_partial_p95_ms}
 * @param timeslice the length of a timeslice; it must equal the scorecard window (the slice pane)
 */
public record SliceThreshold(String metric, Op op, double value, long minSamples, Duration timeslice) {

    /** How a timeslice's value must compare with the threshold to be good. */
    public enum Op {
        LT("<"), LTE("<="), GT(">"), GTE(">=");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        /** The OpenSLO spelling: lt, lte, gt, gte. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public String symbol() {
            return symbol;
        }
    }

    public SliceThreshold {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(metric + ": threshold value must be a finite number");
        }
        if (minSamples < 1) {
            throw new IllegalArgumentException(metric + ": minSamples must be >= 1, got " + minSamples);
        }
        if (timeslice.isNegative() || timeslice.isZero()) {
            throw new IllegalArgumentException(metric + ": timeslice must be positive");
        }
    }

    /** True when a timeslice with this value is good. */
    public boolean met(double v) {
        return switch (op) {
            case LT -> v < value;
            case LTE -> v <= value;
            case GT -> v > value;
            case GTE -> v >= value;
        };
    }

    /** The condition a good timeslice meets, e.g. {@code wer <= 0.25}. */
    public String describe() {
        return metric + " " + op.symbol() + " " + java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
