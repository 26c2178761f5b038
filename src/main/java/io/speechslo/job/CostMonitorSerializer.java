package io.speechslo.job;

import io.speechslo.cost.CostMonitor;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink serializer of a {@link CostMonitor} in keyed state, in the monitor's own format (which holds its
 * service and signal). The drift policy whose windows it uses is not written; the drift function
 * attaches it after every read.
 */
public final class CostMonitorSerializer extends KeyedStateSerializer<CostMonitor> {

    private static final long serialVersionUID = 1L;

    @Override
    public void serialize(CostMonitor monitor, DataOutputView target) throws IOException {
        monitor.writeTo(target);
    }

    @Override
    public CostMonitor deserialize(DataInputView source) throws IOException {
        return CostMonitor.readFrom(source);
    }

    @Override
    public TypeSerializerSnapshot<CostMonitor> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration: its snapshot only names it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<CostMonitor> {
        public Snapshot() {
            super(CostMonitorSerializer::new);
        }
    }
}
