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
 */
public record GatePolicy(double falseDiscoveryRate, int maxSliceDimensions, Map<Signal, List<GateRule>> rules) {

    public GatePolicy {
        if (!(falseDiscoveryRate > 0 && falseDiscoveryRate < 1)) {
            throw new IllegalArgumentException("falseDiscoveryRate must be in (0, 1)");
        }
        if (maxSliceDimensions < 0 || maxSliceDimensions > 4) {
            throw new IllegalArgumentException("maxSliceDimensions must be 0..4");
        }
        rules = Map.copyOf(rules);
    }

    public List<GateRule> rulesFor(Signal signal) {
        return rules.getOrDefault(signal, List.of());
    }
}
