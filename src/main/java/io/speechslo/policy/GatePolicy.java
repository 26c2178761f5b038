package io.speechslo.policy;

import io.speechslo.metrics.Signal;

import java.util.List;
import java.util.Map;

/**
 * The release gate for one service (defaults, or defaults with that service's overrides applied).
 *
 * @param falseDiscoveryRate Benjamini-Hochberg level across every slice and metric tested in one evaluation
 * @param maxSliceDimensions slices are every combination of up to this many slice dimensions
 * @param rules per signal, the metrics judged
 * @param promotionMinShare a candidate is promotable only when every critical metric is shown safe on the
 *     whole service and in every slice with at least this share of the canary's requests, in (0, 1];
 *     smaller slices are reported as unverified
 * @param alwaysValid true: tests and confidence bounds are always valid over the whole rollout (mixture
 *     sequential probability ratio tests), so evaluating every interval does not inflate the error rates;
 *     false: each evaluation is tested as if it were the only one
 */
public record GatePolicy(double falseDiscoveryRate, int maxSliceDimensions, Map<Signal, List<GateRule>> rules,
        double promotionMinShare, boolean alwaysValid) {

    /** The default of {@link #alwaysValid}. */
    public static final boolean DEFAULT_ALWAYS_VALID = true;

    public GatePolicy(double falseDiscoveryRate, int maxSliceDimensions, Map<Signal, List<GateRule>> rules,
            double promotionMinShare) {
        this(falseDiscoveryRate, maxSliceDimensions, rules, promotionMinShare, DEFAULT_ALWAYS_VALID);
    }

    /** The default {@link #promotionMinShare}: slices with 2% of the canary's traffic or more must be shown safe. */
    public static final double DEFAULT_PROMOTION_MIN_SHARE = 0.02;

    public GatePolicy(double falseDiscoveryRate, int maxSliceDimensions, Map<Signal, List<GateRule>> rules) {
        this(falseDiscoveryRate, maxSliceDimensions, rules, DEFAULT_PROMOTION_MIN_SHARE);
    }

    public GatePolicy {
        if (!(falseDiscoveryRate > 0 && falseDiscoveryRate < 1)) {
            throw new IllegalArgumentException("falseDiscoveryRate must be in (0, 1)");
        }
        if (maxSliceDimensions < 0 || maxSliceDimensions > 4) {
            throw new IllegalArgumentException("maxSliceDimensions must be 0..4");
        }
        if (!(promotionMinShare > 0 && promotionMinShare <= 1)) {
            throw new IllegalArgumentException("promotionMinShare must be in (0, 1]");
        }
        rules = Map.copyOf(rules);
    }

    public List<GateRule> rulesFor(Signal signal) {
        return rules.getOrDefault(signal, List.of());
    }
}
