package io.speechslo.job;

import io.speechslo.gate.RolloutTracker;
import io.speechslo.metrics.Signal;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink serializer of a {@link RolloutTracker} in keyed state: its service and signal, then the
 * tracker's own format. The rollout settings are not written; the release-gate function attaches them
 * after every read.
 */
public final class RolloutTrackerSerializer extends KeyedStateSerializer<RolloutTracker> {

    private static final long serialVersionUID = 1L;

    @Override
    public void serialize(RolloutTracker tracker, DataOutputView target) throws IOException {
        target.writeUTF(tracker.service());
        target.writeUTF(tracker.signal().name());
        tracker.writeTo(target);
    }

    @Override
    public RolloutTracker deserialize(DataInputView source) throws IOException {
        String service = source.readUTF();
        return RolloutTracker.readFrom(service, Signal.valueOf(source.readUTF()), source);
    }

    @Override
    public TypeSerializerSnapshot<RolloutTracker> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration: its snapshot only names it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RolloutTracker> {
        public Snapshot() {
            super(RolloutTrackerSerializer::new);
        }
    }
}
