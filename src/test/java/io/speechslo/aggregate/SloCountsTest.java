package io.speechslo.aggregate;

import io.speechslo.burn.SliceBadCounts;
import io.speechslo.bytes.ByteReader;
import io.speechslo.bytes.ByteWriter;
import io.speechslo.cost.CostShares;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.Signal;
import io.speechslo.slice.Slice;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-SLO counts slice panes carry for page attribution: they merge by SLO name (panes made under
 * policies that list other SLOs, or in another order), travel in the pane's bytes, and a pane in the form
 * before them still reads (with none).
 */
class SloCountsTest {

    @Test
    void countsMergeBySloName() {
        String[] ab = {"a", "b"};
        String[] ba = {"b", "a"};
        SloCounts x = new SloCounts();
        x.count(ab, 0, true);
        x.count(ab, 0, false);
        x.count(ab, 1, false);
        SloCounts y = new SloCounts();
        y.count(ba, 0, false); // b
        y.count(new String[] {"c"}, 0, true);
        x.merge(y);
        assertThat(x.total("a")).isEqualTo(2);
        assertThat(x.bad("a")).isEqualTo(1);
        assertThat(x.total("b")).isEqualTo(2);
        assertThat(x.bad("b")).isEqualTo(2);
        assertThat(x.total("c")).isEqualTo(1);
        assertThat(x.bad("c")).isZero();
        assertThat(x.total("d")).isZero();
        assertThat(ab).containsExactly("a", "b"); // the shared names are never changed
        assertThat(ba).containsExactly("b", "a");
    }

    @Test
    void countsTravelInThePaneBytesAndAnOlderPaneReadsWithNone() {
        SlicePane pane = new SlicePane(Signal.ASR);
        pane.add(Requests.asr().build(), 1);
        String[] names = {"asr-availability"};
        pane.sloCounts().count(names, 0, false);
        pane.sloCounts().count(names, 0, true);
        SlicePane back = SlicePane.fromBytes(pane.toBytes());
        assertThat(back.sloCounts().total("asr-availability")).isEqualTo(2);
        assertThat(back.sloCounts().bad("asr-availability")).isEqualTo(1);
        assertThat(back.toBytes()).isEqualTo(pane.toBytes());

        // a pane without SLO counts: its first byte lacks their flag (0x20), nothing after the request stats
        // (nor the cost shares that follow them since, flag 0x10: an uncosted request leaves them empty)
        SlicePane none = new SlicePane(Signal.ASR);
        none.add(Requests.asr().setCostUsd(null).build(), 1);
        byte[] now = none.toBytes();
        int costShares = ByteWriter.bytes(new CostShares()::writeTo, 16).length;
        assertThat(now[now.length - costShares - 1]).isZero(); // no SLO counted: a count of 0
        byte[] before = Arrays.copyOf(now, now.length - costShares - 1);
        assertThat(now[0] & 0x30).isEqualTo(0x30);
        before[0] = (byte) (now[0] & ~0x30);
        SlicePane old = SlicePane.fromBytes(before);
        assertThat(old.sloCounts().isEmpty()).isTrue();
        assertThat(old.toBytes()).isEqualTo(now);
        assertThat(old.requests()).isEqualTo(1);
    }

    @Test
    void sliceBadCountsRollUpPerSloAndVersionAndRoundTrip() throws Exception {
        SliceBadCounts c = new SliceBadCounts();
        c.add("asr-availability", "v1", "region=eu-west-1", 5, 100);
        c.add("asr-availability", "v2", "region=eu-west-1", 1, 50);
        c.add("asr-availability", "v1", "region=us-east-1", 0, 200);
        c.add("asr-first-partial-latency", "v1", "region=eu-west-1", 9, 90);
        byte[] bytes = ByteWriter.bytes(c::writeTo, 64);
        SliceBadCounts back = SliceBadCounts.readFrom(new ByteReader(bytes), SliceBadCounts.FORMAT);
        assertThat(back).isEqualTo(c);

        Map<Slice, long[]> all = new TreeMap<>();
        back.addTo(all, "asr-availability", null);
        assertThat(all.get(Slice.parse("region=eu-west-1"))).containsExactly(6, 150);
        assertThat(all.get(Slice.parse("region=us-east-1"))).containsExactly(0, 200);
        Map<Slice, long[]> v2 = new TreeMap<>();
        back.addTo(v2, "asr-availability", "v2");
        assertThat(v2).containsOnlyKeys(Slice.parse("region=eu-west-1"));
        assertThat(v2.get(Slice.parse("region=eu-west-1"))).containsExactly(1, 50);
    }
}
