package io.speechslo.gate;

import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.slice.Slice;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rolls cohorts cut along every slice dimension up to every combination of at most {@code maxDims}
 * dimensions, plus the whole service ({@link Slice#ALL}). Sorted output, so whatever iterates it is
 * deterministic.
 */
public final class SliceRollup {

    private SliceRollup() {}

    /** Adds one full slice's metrics to every roll-up it belongs to in {@code rollups} (kept sorted by the caller). */
    public static void add(Signal signal, Map<Slice, MetricSet> rollups, Slice full, MetricSet m, int maxDims) {
        int n = full.size();
        for (int mask = 0; mask < (1 << n); mask++) {
            if (Integer.bitCount(mask) <= maxDims) {
                rollups.computeIfAbsent(full.project(mask), k -> new MetricSet(signal)).merge(m);
            }
        }
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
