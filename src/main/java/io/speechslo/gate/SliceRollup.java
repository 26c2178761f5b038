package io.speechslo.gate;

import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.slice.Slice;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Rolls cohorts cut along every slice dimension up to every combination of at most {@code maxDims}
 * dimensions, plus the whole service ({@link Slice#ALL}). Sorted output, so whatever iterates it is
 * deterministic.
 */
public final class SliceRollup {

    private SliceRollup() {}

    /**
     * The sets one full slice's metrics fold into: {@code total} first (merged in full), then every
     * roll-up it belongs to in {@code rollups} (created empty where missing; merged with
     * {@link MetricSet#mergeJudged}), so a caller can fold many panes of that slice without working them
     * out again.
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

    /**
     * Everything {@code fullSlices} hold inside {@code slice}, merged in full: what roll-ups leave out
     * ({@link MetricSet#mergeJudged}) is gathered this way for the one slice a finding names.
     */
    public static <K> MetricSet gather(Signal signal, Map<K, MetricSet> fullSlices, Function<K, Slice> sliceOf,
            Slice slice) {
        return gather(fullSlices, sliceOf, slice, new MetricSet(signal), MetricSet::merge);
    }

    /** The values of {@code fullSlices} inside {@code slice}, merged into {@code into} in iteration order. */
    public static <K, V> V gather(Map<K, V> fullSlices, Function<K, Slice> sliceOf, Slice slice, V into,
            BiConsumer<V, V> merge) {
        fullSlices.forEach((k, v) -> {
            if (sliceOf.apply(k).within(slice)) {
                merge.accept(into, v);
            }
        });
        return into;
    }

    /** The roll-ups of {@code fullSlices}: what the gate judges only ({@link MetricSet#mergeJudged}). */
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
                out.computeIfAbsent(full.project(mask), k -> new MetricSet(signal)).mergeJudged(e.getValue());
            }
        }
        return new TreeMap<>(out);
    }
}
