package io.speechslo.job;

import io.speechslo.cost.CostMonitor;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink serializer of a {@link CostMonitor} in keyed state, in the monitor's own formats (which hold its
 * service and signal; {@link CostMonitor#FORMAT}). The drift policy whose windows it uses is not written;
 * the drift function attaches it after every read.
 */
public final class CostMonitorSerializer extends KeyedStateSerializer<CostMonitor> {

    private static final long serialVersionUID = 1L;

    /** Reads and writes the current format. */
    public CostMonitorSerializer() {
        this(CostMonitor.FORMAT);
    }

    /** Reads {@code format}, writes the current one. */
    public CostMonitorSerializer(int format) {
        super(format);
    }

    @Override
    int currentFormat() {
        return CostMonitor.FORMAT;
    }

    @Override
    void write(CostMonitor monitor, DataOutputView target) throws IOException {
        monitor.writeTo(target);
    }

    @Override
    CostMonitor read(DataInputView source, int format) throws IOException {
        return CostMonitor.readFrom(source, format);
    }

    @Override
    public TypeSerializerSnapshot<CostMonitor> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The format of the state's bytes. */
    public static final class Snapshot extends FormatSnapshot<CostMonitor> {
        public Snapshot() {
            this(CostMonitor.FORMAT);
        }

        Snapshot(int format) {
            super(format);
        }

        @Override
        KeyedStateSerializer<CostMonitor> serializer(int format) {
            return new CostMonitorSerializer(format);
        }

        @Override
        int legacyFormat() {
            return 1; // the monitor came after snapshots recorded formats: there is no legacy state
        }
    }
}
