package io.speechslo.job;

import io.speechslo.burn.SliceBadCounts;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink serializer of a {@link SliceBadCounts} (one slice pane's bad and total requests per SLO, version
 * and slice) in page attribution's keyed state, in its own formats ({@link SliceBadCounts#FORMAT}).
 */
public final class SliceBadCountsSerializer extends KeyedStateSerializer<SliceBadCounts> {

    private static final long serialVersionUID = 1L;

    /** Reads and writes the current format. */
    public SliceBadCountsSerializer() {
        this(SliceBadCounts.FORMAT);
    }

    /** Reads {@code format}, writes the current one. */
    public SliceBadCountsSerializer(int format) {
        super(format);
    }

    @Override
    int currentFormat() {
        return SliceBadCounts.FORMAT;
    }

    @Override
    void write(SliceBadCounts counts, DataOutputView target) throws IOException {
        counts.writeTo(target);
    }

    @Override
    SliceBadCounts read(DataInputView source, int format) throws IOException {
        return SliceBadCounts.readFrom(source, format);
    }

    @Override
    public TypeSerializerSnapshot<SliceBadCounts> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The format of the state's bytes. */
    public static final class Snapshot extends FormatSnapshot<SliceBadCounts> {
        public Snapshot() {
            this(SliceBadCounts.FORMAT);
        }

        Snapshot(int format) {
            super(format);
        }

        @Override
        KeyedStateSerializer<SliceBadCounts> serializer(int format) {
            return new SliceBadCountsSerializer(format);
        }

        @Override
        int legacyFormat() {
            return 1; // page attribution came after snapshots recorded formats: there is no legacy state
        }
    }
}
