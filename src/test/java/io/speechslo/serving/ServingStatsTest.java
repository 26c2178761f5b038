package io.speechslo.serving;

import io.speechslo.scorecard.ScorecardValue;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.testing.TelemetrySamples;

import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServingStatsTest {

    private static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");

    private static ServingSample sample(long atSeconds, float util, long usedGb, int queue, int desired, int ready,
            int warm, Long scaleUpSecondsBefore) {
        Instant t = T0.plusSeconds(atSeconds);
        return TelemetrySamples.serving(0, t).setGpuUtil(util).setGpuMemUsedBytes(usedGb * 1_000_000_000L)
                .setGpuMemTotalBytes(24_000_000_000L).setQueueDepth(queue).setDesiredReplicas(desired)
                .setReadyReplicas(ready).setWarmPoolSize(warm)
                .setScaleUpRequestedAt(scaleUpSecondsBefore == null ? null : t.minusSeconds(scaleUpSecondsBefore)).build();
    }

    /** name=value/samples, in order, for readable comparisons. */
    private static List<String> shown(ServingStats s) {
        List<String> out = new ArrayList<>();
        for (ScorecardValue v : s.values()) {
            assertThat(v.getRelativeAccuracy()).isNull();
            out.add(v.getName() + "=" + v.getValue() + "/" + v.getSamples());
        }
        return out;
    }

    @Test
    void valuesAreTheHandComputedFigures() {
        ServingStats s = new ServingStats();
        s.add(sample(0, 0.5f, 12, 3, 3, 2, 1, 40L)); // waiting 40 s for the third replica
        s.add(sample(10, 0.25f, 18, 7, 4, 2, 0, 15L)); // the fourth asked for 15 s ago (the oldest pending)
        s.add(sample(20, 0.75f, 6, 0, 4, 4, 2, null)); // all ready

        assertThat(shown(s)).containsExactly("gpu_util_mean=0.5/3", "gpu_mem_used_ratio_max=0.75/3",
                "autoscaler_lag_s=40.0/3", "queue_depth_max=7.0/3", "ready_replicas_min=2.0/3",
                "desired_replicas_max=4.0/3", "warm_pool_size_min=0.0/3", "samples=3.0/3");
        assertThat(s.values()).extracting(ScorecardValue::getName).containsExactlyElementsOf(ServingStats.NAMES);
    }

    @Test
    void noPendingScaleUpIsZeroLagAndADeviceWithoutAMemorySizeHasNoRatio() {
        ServingStats s = new ServingStats();
        s.add(sample(0, 0.5f, 12, 0, 2, 2, 1, null));
        s.add(TelemetrySamples.serving(1, T0).setGpuMemUsedBytes(0).setGpuMemTotalBytes(0).setScaleUpRequestedAt(null)
                .build());
        assertThat(shown(s)).contains("autoscaler_lag_s=0.0/2", "gpu_mem_used_ratio_max=0.5/1");

        ServingStats unknownMemory = new ServingStats();
        unknownMemory.add(TelemetrySamples.serving(1, T0).setGpuMemUsedBytes(0).setGpuMemTotalBytes(0).build());
        assertThat(shown(unknownMemory)).contains("gpu_mem_used_ratio_max=null/0", "samples=1.0/1");
    }

    @Test
    void withoutSamplesEveryValueIsNullWithNoSamples() {
        ServingStats empty = new ServingStats();
        assertThat(empty.values()).hasSize(ServingStats.NAMES.size()).allSatisfy(v -> {
            assertThat(v.getValue()).isNull();
            assertThat(v.getSamples()).isZero();
        });
        ServingStats merged = new ServingStats();
        merged.merge(new ServingStats());
        assertThat(merged.toBytes()).isEqualTo(empty.toBytes());
        assertThat(shown(ServingStats.fromBytes(empty.toBytes()))).isEqualTo(shown(empty));
    }

    @Test
    void mergingAnySplitInAnyOrderGivesTheSameValuesAndBytes() {
        SplittableRandom rnd = new SplittableRandom(7);
        List<ServingSample> samples = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            // utilisations with long binary fractions, so a plain running sum would depend on order
            samples.add(sample(i, (float) rnd.nextDouble(), rnd.nextInt(25), rnd.nextInt(50), 2 + rnd.nextInt(6),
                    rnd.nextInt(4), rnd.nextInt(3), rnd.nextInt(3) == 0 ? (long) rnd.nextInt(300) : null));
        }
        ServingStats whole = new ServingStats();
        samples.forEach(whole::add);
        byte[] expected = whole.toBytes();
        for (int round = 0; round < 20; round++) {
            List<ServingSample> shuffled = new ArrayList<>(samples);
            Collections.shuffle(shuffled, new java.util.Random(round));
            List<ServingStats> parts = new ArrayList<>();
            ServingStats part = new ServingStats();
            for (ServingSample x : shuffled) {
                part.add(x);
                if (rnd.nextInt(40) == 0) {
                    parts.add(part);
                    part = new ServingStats();
                }
            }
            parts.add(part);
            parts.add(new ServingStats()); // an empty part changes nothing
            Collections.shuffle(parts, new java.util.Random(round + 100));
            ServingStats merged = new ServingStats();
            // merge through bytes as the state backend would, every other part
            for (int i = 0; i < parts.size(); i++) {
                merged.merge(i % 2 == 0 ? parts.get(i) : ServingStats.fromBytes(parts.get(i).toBytes()));
            }
            assertThat(merged.values()).isEqualTo(whole.values());
            assertThat(merged.toBytes()).isEqualTo(expected);
        }
    }

    @Test
    void bytesRoundTripAndAreCompact() {
        ServingStats s = new ServingStats();
        s.add(sample(0, 0.3f, 12, 3, 3, 2, 1, 40L));
        s.add(sample(10, 0.7f, 20, 9, 5, 3, 0, 2L));
        byte[] bytes = s.toBytes();
        ServingStats back = ServingStats.fromBytes(bytes);
        assertThat(back.values()).isEqualTo(s.values());
        assertThat(back.toBytes()).isEqualTo(bytes);
        assertThat(back.samples()).isEqualTo(2);
        assertThat(back.readyMean()).isEqualTo(2.5);
        assertThat(back.warmMean()).isEqualTo(0.5);
        assertThat(back.precisions()).isEqualTo(s.precisions());
        assertThat(bytes.length).isLessThan(56); // 11 of them the format-2 figures of one precision
    }

    @Test
    void theCostFiguresAreMeansOverTheSamplesAndSamplesPerPrecision() {
        ServingStats s = new ServingStats();
        s.add(ServingSample.newBuilder(sample(0, 0.3f, 12, 3, 4, 4, 1, null)).setPrecision("fp16").build());
        s.add(ServingSample.newBuilder(sample(5, 0.5f, 12, 3, 4, 4, 3, null)).setPrecision("fp32").build());
        s.add(ServingSample.newBuilder(sample(10, 0.7f, 12, 3, 4, 2, 2, null)).setPrecision("fp32").build());
        assertThat(s.gpuUtilMean()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-7));
        assertThat(s.readyMean()).isEqualTo(10 / 3.0);
        assertThat(s.warmMean()).isEqualTo(2.0);
        assertThat(s.precisions()).containsExactly(java.util.Map.entry("fp16", 1L), java.util.Map.entry("fp32", 2L));
        // past the cap, new precisions count together
        ServingStats many = new ServingStats();
        for (int i = 0; i < ServingStats.MAX_PRECISIONS + 3; i++) {
            many.add(ServingSample.newBuilder(sample(i, 0.5f, 12, 0, 1, 1, 0, null)).setPrecision("p" + (char) ('a' + i))
                    .build());
        }
        assertThat(many.precisions()).hasSize(ServingStats.MAX_PRECISIONS + 1)
                .containsEntry(ServingStats.OTHER_PRECISION, 3L);
    }

    @Test
    void formatOneReadsWithoutTheCostFigures() {
        ServingStats s = new ServingStats();
        s.add(sample(0, 0.3f, 12, 3, 3, 2, 1, 40L));
        s.add(sample(10, 0.7f, 20, 9, 5, 3, 0, 2L));
        byte[] two = s.toBytes();
        // format 1 is format 2 without its tail: detailed, ready sum 5, warm sum 1, one precision "fp16" x 2
        byte[] one = java.util.Arrays.copyOf(two, two.length - 11);
        one[0] = 1;
        ServingStats back = ServingStats.fromBytes(one);
        assertThat(back.values()).isEqualTo(s.values());
        assertThat(back.detailed()).isFalse();
        assertThat(back.readyMean()).isNaN();
        assertThat(back.precisions()).isEmpty();
        // merged with a detailed window, the figures are partial: still not detailed
        ServingStats merged = new ServingStats();
        merged.merge(s);
        merged.merge(back);
        assertThat(merged.detailed()).isFalse();
        assertThat(ServingStats.fromBytes(merged.toBytes()).detailed()).isFalse();
    }

    @Test
    void anotherFormatVersionIsRefused() {
        byte[] bytes = new ServingStats().toBytes();
        bytes[0] = 9;
        assertThatThrownBy(() -> ServingStats.fromBytes(bytes)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("format version 9");
    }
}
