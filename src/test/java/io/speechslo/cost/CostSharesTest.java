package io.speechslo.cost;

import io.speechslo.aggregate.SlicePane;
import io.speechslo.bytes.ByteReader;
import io.speechslo.bytes.ByteWriter;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.Signal;
import io.speechslo.telemetry.AsrRequest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Cost per pool and of fallback requests, as a slice pane carries them. */
class CostSharesTest {

    private static List<AsrRequest> requests() {
        Random random = new Random(5);
        List<AsrRequest> out = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            out.add(Requests.asr().setAudioMs(1_000 + random.nextInt(60_000)).setPool(i % 3 == 0 ? "gpu-a" : "gpu-b")
                    .setFallback(i % 7 == 0).setCostUsd(random.nextDouble() * 0.01).build());
        }
        return out;
    }

    private static SlicePane pane(List<AsrRequest> requests) {
        SlicePane p = new SlicePane(Signal.ASR);
        requests.forEach(r -> p.add(r, 1));
        return p;
    }

    @Test
    void anySplitAndOrderGivesTheSameFigures() {
        List<AsrRequest> all = requests();
        SlicePane whole = pane(all);
        List<AsrRequest> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(6));
        SlicePane merged = pane(shuffled.subList(0, 123));
        merged.merge(pane(shuffled.subList(123, 400)));
        merged.merge(pane(shuffled.subList(400, 500)));
        CostShares a = whole.costShares();
        CostShares b = merged.costShares();
        assertThat(b.pools(60_000)).containsOnlyKeys("gpu-a", "gpu-b");
        for (String pool : a.pools(60_000).keySet()) {
            assertThat(b.pools(60_000).get(pool)).containsExactly(a.pools(60_000).get(pool));
        }
        assertThat(a.pools(60_000).get("gpu-a")[2]).isEqualTo(167);
        assertThat(b.fallbackRequests()).isEqualTo(a.fallbackRequests()).isEqualTo(72);
        assertThat(b.fallbackCost()).isEqualTo(a.fallbackCost());
        assertThat(b.fallbackUnits(60_000)).isEqualTo(a.fallbackUnits(60_000));
        // the pools' cost adds up to the cost metric's, exactly
        double cost = a.pools(60_000).values().stream().mapToDouble(v -> v[0]).sum();
        assertThat(cost).isCloseTo(whole.metrics().ratio(io.speechslo.metrics.Metric.COST_PER_AUDIO_MINUTE).sumX(),
                org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void uncostedOrPoollessRequestsAddNothingAndPoolsBeyondTheCapAddUp() {
        CostShares c = new CostShares();
        c.add(null, false, 1, 60_000);
        assertThat(c.isEmpty()).isTrue();
        for (int i = 0; i < CostShares.MAX_POOLS + 5; i++) {
            c.add("pool-" + i, false, 1, 120_000);
        }
        assertThat(c.pools(60_000)).hasSize(CostShares.MAX_POOLS + 1);
        assertThat(c.pools(60_000).get(CostShares.OTHER)).containsExactly(5, 10, 5);
    }

    @Test
    void sharesTravelInThePaneBytesAndAnOlderPaneReadsWithNone() throws Exception {
        SlicePane pane = pane(requests());
        byte[] now = pane.toBytes();
        SlicePane back = SlicePane.fromBytes(now);
        assertThat(back.costShares().pools(60_000)).hasSize(2);
        assertThat(back.toBytes()).isEqualTo(now);
        CostShares read = CostShares.readFrom(new ByteReader(ByteWriter.bytes(pane.costShares()::writeTo, 64)));
        assertThat(read.fallbackCost()).isEqualTo(pane.costShares().fallbackCost());

        // format 2: no cost shares flag (0x10), nothing after the SLO counts
        int shares = ByteWriter.bytes(pane.costShares()::writeTo, 64).length;
        byte[] before = java.util.Arrays.copyOf(now, now.length - shares);
        assertThat(now[0] & 0x10).isEqualTo(0x10);
        before[0] = (byte) (now[0] & ~0x10);
        SlicePane old = SlicePane.fromBytes(before);
        assertThat(old.costShares().isEmpty()).isTrue();
        assertThat(old.requests()).isEqualTo(500);
        assertThat(old.metrics().ratio(io.speechslo.metrics.Metric.COST_PER_AUDIO_MINUTE))
                .isEqualTo(pane.metrics().ratio(io.speechslo.metrics.Metric.COST_PER_AUDIO_MINUTE));
    }
}
