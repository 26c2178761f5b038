package io.speechslo.gate;

import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.slice.Slice;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rolls cohorts cut along every slice dimension up to every combination of at most {@code maxDims}
 * dimensions, plus the whole service ({@link Slice#ALL}). Sorted output, so whatever iterates it is
 * deterministic.
 */
public final class SliceRollup {

    private SliceRollup() {}

    /**
     * The sets one full slice's metrics fold into: {@code total} first, then every roll-up it belongs to
     * in {@code rollups} (created empty where missing), so a caller can fold many panes of that slice
     * without working them out again.
     */
    public static MetricSet[] targets(Signal signal, Map<Slice, MetricSet> rollups, Slice full, int maxDims,
            MetricSet total) {
        int n = full.size();
        List<MetricSet> out = new ArrayList<>();
        out.add(total);
        for (int mask = 0; mask < (1 << n); mask++) {
            if (Integer.bitCount(mask) <= maxDims) {
                out.add(rollups.computeIfAbsent(full.project(mask), k -> new MetricSet(signal)));
            }
        }
        return out.toArray(new MetricSet[0]);
    }

    public static Map<Slice, MetricSet> rollUp(Signal signal, Map<Slice, MetricSet> fullSlices, int maxDims) {
        // hashed while merging (15 lookups per full slice of 4 dimensions), sorted once at the end
        Map<Slice, MetricSet> out = new HashMap<>();
        for (Map.Entry<Slice, MetricSet> e : fullSlices.entrySet()) {
            Slice full = e.getKey();
            int n = full.size();
            for (int mask = 0; mask < (1 << n); mask++) {
                if (Integer.bitCount(mask) > maxDims) {
                    continue;
                }
                out.computeIfAbsent(full.project(mask), k -> new MetricSet(signal)).merge(e.getValue());
            }
        }
        return new TreeMap<>(out);
    }
}
