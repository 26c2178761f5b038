package io.speechslo.burn;

import io.speechslo.bytes.ByteReader;
import io.speechslo.bytes.ByteWriter;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.LatencyComponents;
import io.speechslo.metrics.LatencyComponents.Part;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Page attribution's per-pane latency: summed per signal and version over slices, read per version or
 * for all, and its bytes read back equal (format 1), an unknown format refused.
 */
class PaneLatencyTest {

    private static MetricSet asr(long queue, int n) {
        MetricSet s = new MetricSet(Signal.ASR);
        for (int i = 0; i < n; i++) {
            s.add(Requests.asr().setQueueMs(queue + i).setModelMs(100L).setFirstPartialMs(queue + i + 120).build());
        }
        return s;
    }

    @Test
    void versionsAreSummedApartAndReadBackFromTheirBytes() throws IOException {
        PaneLatency p = new PaneLatency();
        p.add(Signal.ASR, "v1", 10, asr(10, 10).latency());
        p.add(Signal.ASR, "v1", 10, asr(30, 10).latency()); // a second slice of v1
        p.add(Signal.ASR, "v2", 5, asr(100, 5).latency());
        p.add(Signal.TTS, "v1", 3, new MetricSet(Signal.TTS).latency());

        LatencyComponents v1 = LatencyComponents.sumsOnly();
        assertThat(p.addTo(v1, Signal.ASR, "v1")).isEqualTo(20);
        assertThat(v1.count(Part.QUEUE)).isEqualTo(20);
        assertThat(v1.mean(Part.QUEUE)).isEqualTo(24.5);
        assertThat(v1.quantile(Part.QUEUE, 0.95)).isNaN();
        LatencyComponents all = LatencyComponents.sumsOnly();
        assertThat(p.addTo(all, Signal.ASR, null)).isEqualTo(25);
        assertThat(all.count(Part.FIRST_PARTIAL)).isEqualTo(25);
        assertThat(p.addTo(LatencyComponents.sumsOnly(), Signal.TTS, null)).isEqualTo(3);

        byte[] bytes = ByteWriter.bytes(p::writeTo, 64);
        PaneLatency read = PaneLatency.readFrom(new ByteReader(bytes), PaneLatency.FORMAT);
        assertThat(read).isEqualTo(p);
        assertThat(ByteWriter.bytes(read::writeTo, 64)).isEqualTo(bytes);
        LatencyComponents again = LatencyComponents.sumsOnly();
        read.addTo(again, Signal.ASR, "v1");
        assertThat(again.mean(Part.QUEUE)).isEqualTo(24.5);
        assertThat(again.variance(Part.QUEUE)).isEqualTo(v1.variance(Part.QUEUE));

        assertThatThrownBy(() -> PaneLatency.readFrom(new ByteReader(bytes), 2)).isInstanceOf(IOException.class);
    }
}
