package io.speechslo.job;

import io.speechslo.aggregate.SlicePane;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.Signal;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

class SlicePaneSerializerTest {

    @Test
    void roundTripsCopiesDeeplyAndRestoresFromItsSnapshot() throws Exception {
        SlicePane pane = new SlicePane(Signal.ASR);
        pane.add(Requests.asr().setRefWords(20).setWordErrors(3).build(), 1_000);
        pane.add(Requests.asr().setFirstPartialMs(900L).build(), 2_000);

        SlicePaneSerializer serializer = new SlicePaneSerializer();
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(pane, out);
        SlicePane back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.toBytes()).isEqualTo(pane.toBytes());
        assertThat(back.metrics().value(Metric.WER)).isEqualTo(0.15);
        assertThat(back.lastEventTime()).isEqualTo(2_000);

        SlicePane copy = serializer.copy(pane);
        copy.add(Requests.asr().build(), 3_000);
        assertThat(pane.requests()).isEqualTo(2); // the copy is deep
        assertThat(copy.requests()).isEqualTo(3);

        DataOutputSerializer snap = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(snap, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<SlicePane> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(snap.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored.restoreSerializer()).isEqualTo(serializer);
        assertThat(restored.resolveSchemaCompatibility(serializer.snapshotConfiguration()).isCompatibleAsIs()).isTrue();
    }

    /**
     * A pane's request stats read the queue, preprocessing and model times from its metric set's
     * sketches (one sketch each, not two): every request counts once, through adds, merges and bytes, and
     * a pane from before the latency components (its request stats with sketches of their own) merged
     * into a new one still brings its times to the scorecards.
     */
    @Test
    void aStreamTargetGetsTheSameBytesAndTheHeadReadsThePanesMetricsAlone() throws Exception {
        SlicePane pane = new SlicePane(Signal.ASR);
        for (int i = 0; i < 300; i++) {
            pane.add(Requests.asr().setRefWords(10).setWordErrors(i % 3).setQueueMs((long) i).setModelMs(90L).build(), i);
        }
        SlicePaneSerializer serializer = new SlicePaneSerializer();
        DataOutputSerializer inMemory = new DataOutputSerializer(256);
        serializer.serialize(pane, inMemory);
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        // a checkpoint stream is not in memory: the serializer buffers and hands it one array
        serializer.serialize(pane, new org.apache.flink.core.memory.DataOutputViewStreamWrapper(stream));
        serializer.serialize(pane, new org.apache.flink.core.memory.DataOutputViewStreamWrapper(stream));
        byte[] once = inMemory.getCopyOfBuffer();
        assertThat(stream.toByteArray()).hasSize(2 * once.length)
                .startsWith(once).endsWith(once);

        SlicePane.Head head = SlicePane.headFromBytes(pane.toBytes());
        assertThat(head.lastEventTime()).isEqualTo(299);
        assertThat(head.requests()).isEqualTo(300);
        assertThat(head.metrics().value(Metric.WER)).isEqualTo(pane.metrics().value(Metric.WER));
        assertThat(head.metrics().latency().sum(io.speechslo.metrics.LatencyComponents.Part.QUEUE))
                .isEqualTo(299 * 300 / 2.0);
    }

    /**
     * A partial pane travels without the gate's cohort sums (they are derived from the rest): merged
     * partials written again give exactly the bytes of the pane of all their requests, cohort sums included.
     */
    @Test
    void partialBytesLeaveOutTheCohortSumsAndTheMergedPaneDerivesThemAgain() {
        SlicePane whole = new SlicePane(Signal.ASR);
        SlicePane a = new SlicePane(Signal.ASR);
        SlicePane b = new SlicePane(Signal.ASR);
        for (int i = 0; i < 200; i++) {
            var r = Requests.asr().setConfidence(0.5f + (i % 7) / 20f).setCorrections(i % 5 == 0 ? 1 : 0)
                    .setSnrDb(10f + i % 13).setClippingRatio(i % 11 / 1000f).setQueueMs((long) i).build();
            whole.add(r, i);
            (i % 2 == 0 ? a : b).add(r, i);
        }
        byte[] partial = a.toPartialBytes();
        assertThat(partial.length).isLessThan(a.toBytes().length);
        assertThat(SlicePane.headFromBytes(partial).cohort()).isNull();
        assertThat(SlicePane.fromBytes(partial).toBytes()).isEqualTo(a.toBytes());

        SlicePane merged = SlicePane.fromBytes(partial);
        merged.merge(SlicePane.fromBytes(b.toPartialBytes()));
        assertThat(merged.toBytes()).isEqualTo(whole.toBytes());
        assertThat(SlicePane.headFromBytes(merged.toBytes()).cohort()).isNotNull();
    }

    @Test
    void requestStatsShareTheMetricSetsLatencySketchesAndCountEveryRequestOnce() throws Exception {
        io.speechslo.scorecard.RequestStats alone = new io.speechslo.scorecard.RequestStats();
        SlicePane a = new SlicePane(Signal.ASR);
        SlicePane b = new SlicePane(Signal.ASR);
        for (int i = 0; i < 500; i++) {
            var r = Requests.asr().setQueueMs((long) i % 40).setPreprocessMs(5L).setModelMs(100L + i).build();
            alone.add(r);
            (i % 3 == 0 ? a : b).add(r, i);
        }
        a.merge(SlicePane.fromBytes(b.toBytes()));
        SlicePane back = SlicePane.fromBytes(a.toBytes());
        for (SlicePane p : java.util.List.of(a, back)) {
            for (int k : new int[] {io.speechslo.scorecard.RequestStats.QUEUE, io.speechslo.scorecard.RequestStats.PREPROCESS,
                    io.speechslo.scorecard.RequestStats.MODEL}) {
                assertThat(p.requestStats().sketch(k).count()).isEqualTo(500);
                assertThat(p.requestStats().sketch(k).quantile(0.95)).isEqualTo(alone.sketch(k).quantile(0.95));
            }
            assertThat(p.metrics().latency().count(io.speechslo.metrics.LatencyComponents.Part.MODEL)).isEqualTo(500);
            assertThat(p.metrics().latency().quantile(io.speechslo.metrics.LatencyComponents.Part.MODEL, 0.5))
                    .isEqualTo(alone.sketch(io.speechslo.scorecard.RequestStats.MODEL).quantile(0.5));
        }

        // a pane of the form before (first byte 0x40: a format-1 metric set, request stats with their sketches)
        DataOutputSerializer old = new DataOutputSerializer(4096);
        old.writeByte(0x40 + Signal.ASR.ordinal());
        old.writeLong(back.lastEventTime());
        back.metrics().writeTo(old, 1);
        back.drift().writeTo(old);
        back.requestStats().writeTo(old);
        SlicePane fresh = new SlicePane(Signal.ASR);
        fresh.add(Requests.asr().setQueueMs(7L).setModelMs(90L).build(), 0);
        fresh.merge(SlicePane.fromBytes(old.getCopyOfBuffer()));
        assertThat(fresh.requestStats().sketch(io.speechslo.scorecard.RequestStats.MODEL).count()).isEqualTo(501);
        assertThat(fresh.requests()).isEqualTo(501);
    }
}
