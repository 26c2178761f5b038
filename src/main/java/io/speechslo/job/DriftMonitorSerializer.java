package io.speechslo.job;

import io.speechslo.drift.DriftMonitor;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink serializer of a {@link DriftMonitor} in keyed state, in the monitor's own formats (which hold
 * its service and signal; {@link DriftMonitor#FORMAT}; state of savepoints before 2026-12-05 is in
 * format 1, read and migrated). The drift policy and policy version are not written; the drift function
 * attaches them after every read.
 */
public final class DriftMonitorSerializer extends KeyedStateSerializer<DriftMonitor> {

    private static final long serialVersionUID = 2L;

    /** Reads and writes the current format. */
    public DriftMonitorSerializer() {
        this(DriftMonitor.FORMAT);
    }

    /** Reads {@code format}, writes the current one. */
    public DriftMonitorSerializer(int format) {
        super(format);
    }

    @Override
    int currentFormat() {
        return DriftMonitor.FORMAT;
    }

    @Override
    void write(DriftMonitor monitor, DataOutputView target) throws IOException {
        monitor.writeTo(target);
    }

    @Override
    DriftMonitor read(DataInputView source, int format) throws IOException {
        return DriftMonitor.readFrom(source, format);
    }

    @Override
    public TypeSerializerSnapshot<DriftMonitor> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The format of the state's bytes. */
    public static final class Snapshot extends FormatSnapshot<DriftMonitor> {
        public Snapshot() {
            this(DriftMonitor.FORMAT);
        }

        Snapshot(int format) {
            super(format);
        }

        @Override
        KeyedStateSerializer<DriftMonitor> serializer(int format) {
            return new DriftMonitorSerializer(format);
        }

        @Override
        int legacyFormat() {
            return 1;
        }
    }
}
