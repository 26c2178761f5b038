package io.speechslo.job;

import io.speechslo.gate.RolloutTracker;
import io.speechslo.metrics.Signal;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink serializer of a {@link RolloutTracker} in keyed state: its service and signal, then the
 * tracker's own format ({@link RolloutTracker#FORMAT}; savepoints before 2026-12-05 hold format 1, read and
 * migrated: their candidates start a stage history from their totals). The
 * rollout settings are not written; the release-gate function attaches them after every read.
 */
public final class RolloutTrackerSerializer extends KeyedStateSerializer<RolloutTracker> {

    private static final long serialVersionUID = 2L;

    /** Reads and writes the current format. */
    public RolloutTrackerSerializer() {
        this(RolloutTracker.FORMAT);
    }

    /** Reads {@code format}, writes the current one. */
    public RolloutTrackerSerializer(int format) {
        super(format);
    }

    @Override
    int currentFormat() {
        return RolloutTracker.FORMAT;
    }

    @Override
    void write(RolloutTracker tracker, DataOutputView target) throws IOException {
        target.writeUTF(tracker.service());
        target.writeUTF(tracker.signal().name());
        tracker.writeTo(target);
    }

    @Override
    RolloutTracker read(DataInputView source, int format) throws IOException {
        String service = source.readUTF();
        return RolloutTracker.readFrom(service, Signal.valueOf(source.readUTF()), source, format);
    }

    @Override
    public TypeSerializerSnapshot<RolloutTracker> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The format of the state's bytes. */
    public static final class Snapshot extends FormatSnapshot<RolloutTracker> {
        public Snapshot() {
            this(RolloutTracker.FORMAT);
        }

        Snapshot(int format) {
            super(format);
        }

        @Override
        KeyedStateSerializer<RolloutTracker> serializer(int format) {
            return new RolloutTrackerSerializer(format);
        }

        @Override
        int legacyFormat() {
            return RolloutTracker.FORMAT_WITHOUT_STAGES;
        }
    }
}
