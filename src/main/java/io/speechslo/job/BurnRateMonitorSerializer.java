package io.speechslo.job;

import io.speechslo.burn.BurnRateMonitor;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Flink serializer of a {@link BurnRateMonitor} in keyed state, in the monitor's own formats
 * ({@link BurnRateMonitor#FORMAT}; state of savepoints before 2026-12-05 is in format 2, read and
 * migrated). The SLO, burn settings, service, model version and policy version are not written; the
 * burn-rate function attaches them after every read.
 */
public final class BurnRateMonitorSerializer extends KeyedStateSerializer<BurnRateMonitor> {

    private static final long serialVersionUID = 2L;

    /** Reads and writes the current format. */
    public BurnRateMonitorSerializer() {
        this(BurnRateMonitor.FORMAT);
    }

    /** Reads {@code format}, writes the current one. */
    public BurnRateMonitorSerializer(int format) {
        super(format);
    }

    @Override
    int currentFormat() {
        return BurnRateMonitor.FORMAT;
    }

    @Override
    void write(BurnRateMonitor monitor, DataOutputView target) throws IOException {
        monitor.writeTo(target);
    }

    @Override
    BurnRateMonitor read(DataInputView source, int format) throws IOException {
        return BurnRateMonitor.readFrom(source, format);
    }

    @Override
    public TypeSerializerSnapshot<BurnRateMonitor> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The format of the state's bytes. */
    public static final class Snapshot extends FormatSnapshot<BurnRateMonitor> {
        public Snapshot() {
            this(BurnRateMonitor.FORMAT);
        }

        Snapshot(int format) {
            super(format);
        }

        @Override
        KeyedStateSerializer<BurnRateMonitor> serializer(int format) {
            return new BurnRateMonitorSerializer(format);
        }

        @Override
        int legacyFormat() {
            return BurnRateMonitor.FORMAT_WITH_LEADING_INT;
        }
    }
}
