package io.speechslo.job;

import io.speechslo.burn.PaneEvidence;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink serializer of a {@link PaneEvidence} (one slice pane's outcomes and latency components per signal
 * and version) in page attribution's keyed state, in its own formats ({@link PaneEvidence#FORMAT}).
 */
public final class PaneEvidenceSerializer extends KeyedStateSerializer<PaneEvidence> {

    private static final long serialVersionUID = 1L;

    /** Reads and writes the current format. */
    public PaneEvidenceSerializer() {
        this(PaneEvidence.FORMAT);
    }

    /** Reads {@code format}, writes the current one. */
    public PaneEvidenceSerializer(int format) {
        super(format);
    }

    @Override
    int currentFormat() {
        return PaneEvidence.FORMAT;
    }

    @Override
    void write(PaneEvidence counts, DataOutputView target) throws IOException {
        counts.writeTo(target);
    }

    @Override
    PaneEvidence read(DataInputView source, int format) throws IOException {
        return PaneEvidence.readFrom(source, format);
    }

    @Override
    public TypeSerializerSnapshot<PaneEvidence> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The format of the state's bytes. */
    public static final class Snapshot extends FormatSnapshot<PaneEvidence> {
        public Snapshot() {
            this(PaneEvidence.FORMAT);
        }

        Snapshot(int format) {
            super(format);
        }

        @Override
        KeyedStateSerializer<PaneEvidence> serializer(int format) {
            return new PaneEvidenceSerializer(format);
        }

        @Override
        int legacyFormat() {
            return 1; // came after snapshots recorded formats: there is no legacy state
        }
    }
}
