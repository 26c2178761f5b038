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
     * Adds full slices' metrics (one pane's, or everything) to every roll-up they belong to in
     * {@code rollups}. The same sums as adding each full slice to each of its roll-ups, with about half
     * the merges: full slices are merged into the roll-ups of {@code maxDims} dimensions only, and each
     * smaller roll-up is made from the next larger ones along one dimension (every full slice has
     * exactly one value of it, so each request is counted once). Metrics added are copied, never kept.
     */
    public static void addAll(Signal signal, Map<Slice, MetricSet> rollups, Map<Slice, MetricSet> fullSlices,
            int maxDims) {
        if (fullSlices.isEmpty()) {
            return;
        }
        Slice first = fullSlices.keySet().iterator().next();
        int n = first.size();
        for (Slice s : fullSlices.keySet()) {
            if (!sameDimensions(s, first)) {
                throw new IllegalArgumentException("full slices of one signal must share their dimensions: "
                        + first.describe() + " vs " + s.describe());
            }
        }
        int top = Math.min(maxDims, n);
        Map<Slice, MetricSet> level = new HashMap<>();
        for (Map.Entry<Slice, MetricSet> e : fullSlices.entrySet()) {
            for (int mask = 0; mask < (1 << n); mask++) {
                if (Integer.bitCount(mask) == top) {
                    level.computeIfAbsent(e.getKey().project(mask), k -> new MetricSet(signal)).merge(e.getValue());
                }
            }
        }
        List<Map<Slice, MetricSet>> levels = new ArrayList<>();
        levels.add(level);
        for (int k = top; k > 0; k--) {
            Map<Slice, MetricSet> smaller = new HashMap<>();
            for (Map.Entry<Slice, MetricSet> e : level.entrySet()) {
                Slice s = e.getKey();
                for (int i = 0; i < k; i++) {
                    // s without its i-th dimension, made only along that roll-up's first missing dimension
                    if (firstMissing(first, s, i).equals(s.dimension(i))) {
                        smaller.computeIfAbsent(s.project(((1 << k) - 1) & ~(1 << i)), x -> new MetricSet(signal))
                                .merge(e.getValue());
                    }
                }
            }
            levels.add(smaller);
            level = smaller;
        }
        for (Map<Slice, MetricSet> l : levels) {
            l.forEach((slice, m) -> {
                MetricSet held = rollups.get(slice);
                if (held == null) {
                    rollups.put(slice, m); // made here, so it is ours to hand over
                } else {
                    held.merge(m);
                }
            });
        }
    }

    /** The first dimension of {@code full} that {@code s} without its {@code skip}-th dimension lacks. */
    private static String firstMissing(Slice full, Slice s, int skip) {
        for (int d = 0; d < full.size(); d++) {
            String dim = full.dimension(d);
            boolean has = false;
            for (int i = 0; i < s.size(); i++) {
                if (i != skip && s.dimension(i).equals(dim)) {
                    has = true;
                    break;
                }
            }
            if (!has) {
                return dim;
            }
        }
        throw new IllegalStateException("no dimension missing from " + s.describe());
    }

    private static boolean sameDimensions(Slice a, Slice b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.dimension(i).equals(b.dimension(i))) {
                return false;
            }
        }
        return true;
    }

    public static Map<Slice, MetricSet> rollUp(Signal signal, Map<Slice, MetricSet> fullSlices, int maxDims) {
        // hashed while merging, sorted once at the end
        Map<Slice, MetricSet> out = new HashMap<>();
        addAll(signal, out, fullSlices, maxDims);
        return new TreeMap<>(out);
    }
}
