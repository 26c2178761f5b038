package io.speechslo.job;

import io.speechslo.burn.BurnRateMonitor;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink serializer of a {@link BurnRateMonitor} in keyed state, in the monitor's own format. The SLO,
 * burn settings, service, model version and policy version are not written; the burn-rate function
 * attaches them after every read.
 */
public final class BurnRateMonitorSerializer extends KeyedStateSerializer<BurnRateMonitor> {

    private static final long serialVersionUID = 1L;

    @Override
    public void serialize(BurnRateMonitor monitor, DataOutputView target) throws IOException {
        monitor.writeTo(target);
    }

    @Override
    public BurnRateMonitor deserialize(DataInputView source) throws IOException {
        return BurnRateMonitor.readFrom(source);
    }

    @Override
    public TypeSerializerSnapshot<BurnRateMonitor> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration: its snapshot only names it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<BurnRateMonitor> {
        public Snapshot() {
            super(BurnRateMonitorSerializer::new);
        }
    }
}
