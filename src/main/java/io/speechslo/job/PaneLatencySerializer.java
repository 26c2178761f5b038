package io.speechslo.job;

import io.speechslo.burn.PaneLatency;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink serializer of a {@link PaneLatency} (one slice pane's latency components per signal and version)
 * in page attribution's keyed state, in its own formats ({@link PaneLatency#FORMAT}).
 */
public final class PaneLatencySerializer extends KeyedStateSerializer<PaneLatency> {

    private static final long serialVersionUID = 1L;

    /** Reads and writes the current format. */
    public PaneLatencySerializer() {
        this(PaneLatency.FORMAT);
    }

    /** Reads {@code format}, writes the current one. */
    public PaneLatencySerializer(int format) {
        super(format);
    }

    @Override
    int currentFormat() {
        return PaneLatency.FORMAT;
    }

    @Override
    void write(PaneLatency counts, DataOutputView target) throws IOException {
        counts.writeTo(target);
    }

    @Override
    PaneLatency read(DataInputView source, int format) throws IOException {
        return PaneLatency.readFrom(source, format);
    }

    @Override
    public TypeSerializerSnapshot<PaneLatency> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The format of the state's bytes. */
    public static final class Snapshot extends FormatSnapshot<PaneLatency> {
        public Snapshot() {
            this(PaneLatency.FORMAT);
        }

        Snapshot(int format) {
            super(format);
        }

        @Override
        KeyedStateSerializer<PaneLatency> serializer(int format) {
            return new PaneLatencySerializer(format);
        }

        @Override
        int legacyFormat() {
            return 1; // came after snapshots recorded formats: there is no legacy state
        }
    }
}
