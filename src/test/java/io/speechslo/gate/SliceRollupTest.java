package io.speechslo.gate;

import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.MetricKind;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.QuantileSketch;
import io.speechslo.metrics.RatioStat;
import io.speechslo.metrics.Signal;
import io.speechslo.slice.RequestSlices;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Track;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Roll-ups made level by level are the roll-ups of the definition: every full slice merged into each of its sub-slices. */
class SliceRollupTest {

    private static Map<Slice, MetricSet> fullSlices(long seed, int requests) {
        Random rnd = new Random(seed);
        Map<Slice, MetricSet> full = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            AsrRequest r = Requests.asr("asr-prod", "v1", Track.STABLE,
                            AsrTraffic.LANGUAGES[rnd.nextInt(AsrTraffic.LANGUAGES.length)],
                            AsrTraffic.REGIONS[rnd.nextInt(AsrTraffic.REGIONS.length)],
                            AsrTraffic.DEVICES[rnd.nextInt(AsrTraffic.DEVICES.length)],
                            AsrTraffic.CONDITIONS[rnd.nextInt(AsrTraffic.CONDITIONS.length)])
                    .setOutcome(rnd.nextInt(20) == 0 ? Outcome.ERROR : Outcome.OK)
                    .setRefWords(5 + rnd.nextInt(30))
                    .setWordErrors(rnd.nextInt(4))
                    .setFirstPartialMs(80L + rnd.nextInt(900))
                    .setCostUsd(rnd.nextDouble() / 1000)
                    .build();
            full.computeIfAbsent(RequestSlices.of(r), s -> new MetricSet(Signal.ASR)).add(r);
        }
        return full;
    }

    /** The definition, merge by merge. */
    private static Map<Slice, MetricSet> naive(Map<Slice, MetricSet> full, int maxDims) {
        Map<Slice, MetricSet> out = new TreeMap<>();
        full.forEach((slice, m) -> {
            for (int mask = 0; mask < (1 << slice.size()); mask++) {
                if (Integer.bitCount(mask) <= maxDims) {
                    out.computeIfAbsent(slice.project(mask), k -> new MetricSet(Signal.ASR)).merge(m);
                }
            }
        });
        return out;
    }

    /**
     * What the gate reads of each roll-up: requests, and per metric its samples, value, exact sums and
     * variance (ratios) or sketch counts and quantiles. (Not the bytes: an exact sum's partials depend on
     * the order of additions, its rounded value does not.)
     */
    private static Map<Slice, String> readings(Map<Slice, MetricSet> rollups) {
        Map<Slice, String> out = new TreeMap<>();
        rollups.forEach((s, m) -> {
            StringBuilder b = new StringBuilder("requests=" + m.requests());
            for (Metric metric : Metric.values()) {
                if (metric.signal() != Signal.ASR) {
                    continue;
                }
                b.append(' ').append(metric.id()).append('=').append(m.samples(metric)).append('/').append(m.value(metric));
                if (metric.kind() == MetricKind.RATIO) {
                    RatioStat r = m.ratio(metric);
                    b.append('/').append(r.sumX()).append('/').append(r.sumY()).append('/').append(r.variance());
                } else {
                    QuantileSketch q = m.sketch(metric);
                    b.append('/').append(q.quantile(0.5)).append('/').append(q.quantile(0.99)).append('/')
                            .append(q.countAbove(500));
                }
            }
            out.put(s, b.toString());
        });
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void levelByLevelReadsTheSameAsMergingEveryFullSliceIntoEachSubSlice(int maxDims) {
        Map<Slice, MetricSet> full = fullSlices(maxDims, 3_000);
        Map<Slice, MetricSet> expected = naive(full, maxDims);
        assertThat(SliceRollup.rollUp(Signal.ASR, full, maxDims)).hasSameSizeAs(expected);
        assertThat(readings(SliceRollup.rollUp(Signal.ASR, full, maxDims))).isEqualTo(readings(expected));

        // pane by pane into kept roll-ups: the same as all at once
        Map<Slice, MetricSet> kept = new TreeMap<>();
        Map<Slice, MetricSet> all = new HashMap<>();
        for (int pane = 0; pane < 4; pane++) {
            Map<Slice, MetricSet> p = fullSlices(100 + pane, 700);
            SliceRollup.addAll(Signal.ASR, kept, p, maxDims);
            p.forEach((s, m) -> all.computeIfAbsent(s, k -> new MetricSet(Signal.ASR)).merge(m));
        }
        assertThat(readings(kept)).isEqualTo(readings(naive(all, maxDims)));
    }
}
