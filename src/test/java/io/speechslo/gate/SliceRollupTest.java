package io.speechslo.gate;

import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.LatencyComponents.Part;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.slice.Slice;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class SliceRollupTest {

    private static MetricSet requests(int n, long queueMs) {
        MetricSet m = new MetricSet(Signal.ASR);
        for (int i = 0; i < n; i++) {
            m.add(Requests.asr().setQueueMs(queueMs).setModelMs(100L).setRefWords(10).setWordErrors(i % 2).build());
        }
        return m;
    }

    @Test
    void rollUpsCarryWhatTheGateJudgesAndGatherBringsTheLatencyComponentsOfOneSlice() {
        Map<Slice, MetricSet> full = new TreeMap<>();
        full.put(Slice.parse("language=en-US,region=eu-west-1"), requests(10, 200));
        full.put(Slice.parse("language=de-DE,region=eu-west-1"), requests(20, 5));
        full.put(Slice.parse("language=en-US,region=us-east-1"), requests(30, 7));

        Map<Slice, MetricSet> rollups = SliceRollup.rollUp(Signal.ASR, full, 2);
        MetricSet eu = rollups.get(Slice.parse("region=eu-west-1"));
        assertThat(eu.requests()).isEqualTo(30);
        assertThat(eu.ratio(Metric.WER).sumX()).isEqualTo(15.0);
        assertThat(eu.latency().count(Part.QUEUE)).as("roll-ups leave the components out").isZero();

        MetricSet gathered = SliceRollup.gather(Signal.ASR, full, Function.identity(), Slice.parse("region=eu-west-1"));
        assertThat(gathered.requests()).isEqualTo(30);
        assertThat(gathered.latency().count(Part.QUEUE)).isEqualTo(30);
        assertThat(gathered.latency().sum(Part.QUEUE)).isEqualTo(10 * 200 + 20 * 5.0);
        assertThat(SliceRollup.gather(Signal.ASR, full, Function.identity(), Slice.ALL).latency().count(Part.MODEL))
                .isEqualTo(60);

        // a fold into cached targets: the full slice in full, its roll-ups judged only
        Map<Slice, MetricSet> kept = new TreeMap<>();
        MetricSet total = new MetricSet(Signal.ASR);
        MetricSet[] into = SliceRollup.targets(Signal.ASR, kept, Slice.parse("language=en-US,region=eu-west-1"), 2, total);
        assertThat(into).hasSize(5);
        assertThat(into[0]).isSameAs(total);
    }
}
