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
}
