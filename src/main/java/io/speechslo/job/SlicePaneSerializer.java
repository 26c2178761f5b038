package io.speechslo.job;

import io.speechslo.aggregate.SlicePane;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink serializer of a {@link SlicePane}, so the slice aggregator keeps its panes as objects in keyed
 * state: on the heap backend a partial pane is then merged in place instead of decoding and
 * re-encoding the pane, and the bytes are written only at checkpoints. The format is SlicePane's own
 * writeTo/readFrom ({@link SlicePane#FORMAT}; savepoints before 2026-12-05 hold format 1).
 */
public final class SlicePaneSerializer extends KeyedStateSerializer<SlicePane> {

    private static final long serialVersionUID = 2L;

    /** Reads and writes the current format. */
    public SlicePaneSerializer() {
        this(SlicePane.FORMAT);
    }

    /** Reads {@code format}, writes the current one. */
    public SlicePaneSerializer(int format) {
        super(format);
    }

    @Override
    int currentFormat() {
        return SlicePane.FORMAT;
    }

    @Override
    void write(SlicePane pane, DataOutputView target) throws IOException {
        pane.writeTo(target);
    }

    @Override
    SlicePane read(DataInputView source, int format) throws IOException {
        return SlicePane.readFrom(source, format);
    }

    @Override
    public TypeSerializerSnapshot<SlicePane> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The format of the state's bytes. */
    public static final class Snapshot extends FormatSnapshot<SlicePane> {
        public Snapshot() {
            this(SlicePane.FORMAT);
        }

        Snapshot(int format) {
            super(format);
        }

        @Override
        KeyedStateSerializer<SlicePane> serializer(int format) {
            return new SlicePaneSerializer(format);
        }

        @Override
        int legacyFormat() {
            return 1;
        }
    }
}
