package io.speechslo.policy;

import io.speechslo.advisory.Direction;
import io.speechslo.metrics.Metric;

/**
 * One metric of the release gate.
 *
 * @param metric the metric judged
 * @param critical a failing critical metric rolls back; a missing or under-sampled one pauses
 * @param direction which way is better (LOWER_IS_BETTER or HIGHER_IS_BETTER)
 * @param mode how {@code limit} is read
 * @param limit the allowed worsening (RELATIVE, DELTA) or the bound itself (ABSOLUTE); exactly on it passes
 * @param minSamples samples needed on the whole service before the metric is judged
 * @param minSliceSamples samples needed in each slice (canary and stable) before that slice is judged
 * @param tier 1 or 2: tier-2 metrics count only once every tier-1 metric passes
 */
public record GateRule(
        Metric metric,
        boolean critical,
        Direction direction,
        LimitMode mode,
        double limit,
        long minSamples,
        long minSliceSamples,
        int tier) {

    public GateRule {
        if (direction == Direction.EITHER) {
            throw new IllegalArgumentException(metric.id() + ": direction must be lower_is_better or higher_is_better");
        }
        if (Double.isNaN(limit) || (mode != LimitMode.ABSOLUTE && limit < 0)) {
            throw new IllegalArgumentException(metric.id() + ": limit must be a number >= 0");
        }
        if (minSamples < 1 || minSliceSamples < 1) {
            throw new IllegalArgumentException(metric.id() + ": minimum samples must be >= 1");
        }
        if (tier != 1 && tier != 2) {
            throw new IllegalArgumentException(metric.id() + ": tier must be 1 or 2");
        }
    }

    /**
     * The worst acceptable candidate value given the stable value (NaN when the limit is relative
     * or a delta and stable is unknown).
     */
    public double bound(double stable) {
        boolean lowerBetter = direction == Direction.LOWER_IS_BETTER;
        switch (mode) {
            case ABSOLUTE:
                return limit;
            case DELTA:
                return lowerBetter ? stable + limit : stable - limit;
            case RELATIVE:
            default:
                return lowerBetter ? stable * (1 + limit) : stable * (1 - limit);
        }
    }

    /**
     * True when {@code candidate} is worse than {@code bound}. Exactly on the bound passes, and so does
     * a value that differs from it only by floating-point rounding (relative 1e-9), so that a limit of
     * "+5%" does not fail a candidate that is exactly 5% worse because 1.05 has no exact binary form.
     */
    public boolean beyond(double candidate, double bound) {
        double slack = Math.abs(bound) * 1e-9;
        return direction == Direction.LOWER_IS_BETTER ? candidate > bound + slack : candidate < bound - slack;
    }
}
