package io.speechslo.job;

import io.speechslo.aggregate.SlicePane;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink serializer of a {@link SlicePane}, so the slice aggregator keeps its panes as objects in keyed
 * state: on the heap backend a partial pane is then merged in place instead of decoding and
 * re-encoding the pane, and the bytes are written only at checkpoints. The format is SlicePane's own
 * writeTo/readFrom.
 */
public final class SlicePaneSerializer extends KeyedStateSerializer<SlicePane> {

    private static final long serialVersionUID = 1L;

    @Override
    public void serialize(SlicePane record, DataOutputView target) throws IOException {
        record.writeTo(target);
    }

    @Override
    public SlicePane deserialize(DataInputView source) throws IOException {
        return SlicePane.readFrom(source);
    }

    @Override
    public TypeSerializerSnapshot<SlicePane> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration: its snapshot only names it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SlicePane> {
        public Snapshot() {
            super(SlicePaneSerializer::new);
        }
    }
}
