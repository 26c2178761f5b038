package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.drift.DriftMonitor;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.load.PolicyBundle;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;

import java.util.List;

/** Slice drift of a service's input: one {@link DriftMonitor}, judged at every end of its current window. */
final class DriftFunction extends EngineFunction {

    static final ValueStateDescriptor<byte[]> MONITOR =
            new ValueStateDescriptor<>("drift-monitor", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    private transient ValueState<byte[]> monitor;

    DriftFunction(PolicyBundle bundle, long latenessMillis) {
        super(bundle, latenessMillis);
    }

    @Override
    String bufferStateName() {
        return "drift-pane-buffer";
    }

    @Override
    void openEngine() {
        monitor = getRuntimeContext().getState(MONITOR);
    }

    @Override
    long onPane(String service, Signal signal, long paneEnd, List<PaneRecord> panes, List<Advisory> out)
            throws Exception {
        long window = policies.drift().current().toMillis();
        byte[] state = monitor.value();
        DriftMonitor m = state == null ? new DriftMonitor(service, signal, policies.drift(), policies.version())
                : DriftMonitor.readFrom(input(state), policies.drift(), policies.version());
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
        monitor.update(bytes(m::writeTo));
        return Math.floorDiv(paneEnd, window) * window + window;
    }
}
