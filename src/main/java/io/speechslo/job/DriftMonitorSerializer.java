package io.speechslo.job;

import io.speechslo.drift.DriftMonitor;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink serializer of a {@link DriftMonitor} in keyed state, in the monitor's own format (which holds
 * its service and signal). The drift policy and policy version are not written; the drift function
 * attaches them after every read.
 */
public final class DriftMonitorSerializer extends KeyedStateSerializer<DriftMonitor> {

    private static final long serialVersionUID = 1L;

    @Override
    public void serialize(DriftMonitor monitor, DataOutputView target) throws IOException {
        monitor.writeTo(target);
    }

    @Override
    public DriftMonitor deserialize(DataInputView source) throws IOException {
        return DriftMonitor.readFrom(source);
    }

    @Override
    public TypeSerializerSnapshot<DriftMonitor> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration: its snapshot only names it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<DriftMonitor> {
        public Snapshot() {
            super(DriftMonitorSerializer::new);
        }
    }
}
