package io.speechslo.burn;

import io.speechslo.bytes.ByteReader;
import io.speechslo.bytes.ByteWriter;
import io.speechslo.burn.PaneEvidence.Outcomes;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.LatencyComponents;
import io.speechslo.metrics.LatencyComponents.Part;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.telemetry.Outcome;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Page attribution's per-pane evidence: requests, timeouts, errors and latency components summed per
 * signal and version over slices, read per version or for all, with requests per pool (format 2), and its bytes read back equal,
 * an unknown format refused.
 */
class PaneEvidenceTest {

    /** {@code n} requests, the first {@code timeouts} TIMEOUT, the next {@code errors} ERROR. */
    private static MetricSet asr(long queue, int n, int timeouts, int errors) {
        MetricSet s = new MetricSet(Signal.ASR);
        for (int i = 0; i < n; i++) {
            Outcome o = i < timeouts ? Outcome.TIMEOUT : i < timeouts + errors ? Outcome.ERROR : Outcome.OK;
            s.add(Requests.asr().setOutcome(o).setQueueMs(queue + i).setModelMs(100L).setFirstPartialMs(queue + i + 120)
                    .build());
        }
        return s;
    }

    @Test
    void versionsAreSummedApartAndReadBackFromTheirBytes() throws IOException {
        PaneEvidence p = new PaneEvidence();
        p.add("v1", asr(10, 10, 2, 1));
        p.add("v1", asr(30, 10, 0, 3)); // a second slice of v1
        p.add("v2", asr(100, 5, 5, 0));
        p.add(Signal.TTS, "v1", new Outcomes(3, 0, 0), new MetricSet(Signal.TTS).latency());

        LatencyComponents v1 = LatencyComponents.sumsOnly();
        assertThat(p.addTo(v1, Signal.ASR, "v1")).isEqualTo(new Outcomes(20, 2, 4));
        assertThat(v1.count(Part.QUEUE)).isEqualTo(20);
        assertThat(v1.mean(Part.QUEUE)).isEqualTo(24.5);
        assertThat(v1.quantile(Part.QUEUE, 0.95)).isNaN();
        LatencyComponents all = LatencyComponents.sumsOnly();
        assertThat(p.addTo(all, Signal.ASR, null)).isEqualTo(new Outcomes(25, 7, 4));
        assertThat(all.count(Part.FIRST_PARTIAL)).isEqualTo(25);
        assertThat(p.addTo(LatencyComponents.sumsOnly(), Signal.TTS, null)).isEqualTo(new Outcomes(3, 0, 0));

        byte[] bytes = ByteWriter.bytes(p::writeTo, 64);
        PaneEvidence read = PaneEvidence.readFrom(new ByteReader(bytes), PaneEvidence.FORMAT);
        assertThat(read).isEqualTo(p);
        assertThat(ByteWriter.bytes(read::writeTo, 64)).isEqualTo(bytes);
        LatencyComponents again = LatencyComponents.sumsOnly();
        assertThat(read.addTo(again, Signal.ASR, "v1")).isEqualTo(new Outcomes(20, 2, 4));
        assertThat(again.mean(Part.QUEUE)).isEqualTo(24.5);
        assertThat(again.variance(Part.QUEUE)).isEqualTo(v1.variance(Part.QUEUE));

        assertThatThrownBy(() -> PaneEvidence.readFrom(new ByteReader(bytes), 3)).isInstanceOf(IOException.class);
    }

    @Test
    void poolsAreCountedPerVersionAndFormat1ReadsWithNone() throws IOException {
        PaneEvidence p = new PaneEvidence();
        p.add("v1", asr(10, 10, 0, 0), java.util.Map.of("gpu-eu", 6L, "gpu-eu-overflow", 4L));
        p.add("v1", asr(10, 10, 0, 0), java.util.Map.of("gpu-eu", 10L));
        p.add("v2", asr(10, 5, 0, 0), java.util.Map.of("gpu-us", 5L));
        java.util.Map<String, Long> v1 = new java.util.TreeMap<>();
        p.poolsTo(v1, Signal.ASR, "v1");
        assertThat(v1).containsExactly(java.util.Map.entry("gpu-eu", 16L), java.util.Map.entry("gpu-eu-overflow", 4L));
        java.util.Map<String, Long> all = new java.util.TreeMap<>();
        p.poolsTo(all, Signal.ASR, null);
        assertThat(all).containsEntry("gpu-us", 5L).hasSize(3);
        PaneEvidence read = PaneEvidence.readFrom(new ByteReader(ByteWriter.bytes(p::writeTo, 64)), PaneEvidence.FORMAT);
        assertThat(read).isEqualTo(p);

        // format 1 is format 2 without the pools: a cohort without pools writes one more byte (a zero count)
        PaneEvidence none = new PaneEvidence();
        none.add("v1", asr(10, 10, 0, 0));
        byte[] two = ByteWriter.bytes(none::writeTo, 64);
        byte[] one = java.util.Arrays.copyOf(two, two.length - 1);
        PaneEvidence old = PaneEvidence.readFrom(new ByteReader(one), 1);
        assertThat(old).isEqualTo(none);
        java.util.Map<String, Long> oldPools = new java.util.TreeMap<>();
        old.poolsTo(oldPools, Signal.ASR, null);
        assertThat(oldPools).isEmpty();
    }
}
