package io.speechslo.job;

import io.speechslo.aggregate.SlicePane;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink serializer of a {@link SlicePane}, so the slice aggregator keeps its panes as objects in keyed
 * state: on the heap backend a request then updates its pane in place instead of decoding and
 * re-encoding it, and the bytes are written only at checkpoints. The format is SlicePane's own
 * writeTo/readFrom.
 */
public final class SlicePaneSerializer extends TypeSerializer<SlicePane> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<SlicePane> duplicate() {
        return this; // stateless
    }

    @Override
    public SlicePane createInstance() {
        return null;
    }

    @Override
    public SlicePane copy(SlicePane from) {
        return SlicePane.fromBytes(from.toBytes());
    }

    @Override
    public SlicePane copy(SlicePane from, SlicePane reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SlicePane record, DataOutputView target) throws IOException {
        record.writeTo(target);
    }

    @Override
    public SlicePane deserialize(DataInputView source) throws IOException {
        return SlicePane.readFrom(source);
    }

    @Override
    public SlicePane deserialize(SlicePane reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof SlicePaneSerializer;
    }

    @Override
    public int hashCode() {
        return SlicePaneSerializer.class.hashCode();
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
