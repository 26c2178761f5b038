package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.drift.DriftMonitor;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.load.PolicyBundle;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;

import java.util.List;

/** Slice drift of a service's input: one {@link DriftMonitor}, judged at every end of its current window. */
final class DriftFunction extends SliceEngineFunction {

    /** Renamed from "drift-monitor" (bytes) when the monitor became an object in state. */
    static final ValueStateDescriptor<DriftMonitor> MONITOR =
            new ValueStateDescriptor<>("drift-monitor-v3", new DriftMonitorSerializer());

    private transient ValueState<DriftMonitor> monitor;

    DriftFunction(PolicyBundle bundle, long latenessMillis) {
        super(bundle, latenessMillis);
    }

    @Override
    String bufferStateName() {
        return "drift-pane-buffer-v3";
    }

    @Override
    void openEngine() {
        monitor = getRuntimeContext().getState(MONITOR);
    }

    @Override
    long onPane(String service, Signal signal, long paneEnd, List<PaneRecord> panes, List<Advisory> out)
            throws Exception {
        long window = policies.drift().current().toMillis();
        DriftMonitor m = monitor.value();
        m = m == null ? new DriftMonitor(service, signal, policies.drift(), policies.version())
                : m.configure(policies.drift(), policies.version());
        for (PaneRecord r : panes) {
            if (r.track != io.speechslo.telemetry.Track.SHADOW) { // mirrored traffic: not the service's input mix
                m.add(r.paneEnd - 1, r.fullSlice(), r.decode().drift());
            }
        }
        if (paneEnd % window == 0) {
            m.evaluate(paneEnd).ifPresent(out::add);
        }
        if (m.isEmpty()) {
            monitor.clear();
            return Long.MIN_VALUE;
        }
        monitor.update(m); // the same object on the heap backend; RocksDB writes it back
        return Math.floorDiv(paneEnd, window) * window + window;
    }
}
