package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.aggregate.SlicePane;
import io.speechslo.burn.BurnRateMonitor;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.SloDefinition;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Burn rates per SLO of a service, service-wide and per model version, over exact good/total counts
 * per pane. One {@link BurnRateMonitor} per (SLO, version); state key {@code slo NUL version}, with an
 * empty version for the service-wide monitor. Monitors with no traffic for a whole SLO window go.
 * Without traffic it wakes every pane only while an alert stands (so it can resolve), else once
 * more a whole SLO window later, to let idle monitors go.
 */
final class BurnRateFunction extends EngineFunction {

    /** Renamed from "burn-monitors" (bytes) when the monitors became objects in state. */
    static final MapStateDescriptor<String, BurnRateMonitor> MONITORS = new MapStateDescriptor<>(
            "burn-monitors-v2", StringSerializer.INSTANCE, new BurnRateMonitorSerializer());

    private transient MapState<String, BurnRateMonitor> monitors;

    BurnRateFunction(io.speechslo.policy.load.PolicyBundle bundle, long latenessMillis) {
        super(bundle, latenessMillis);
    }

    @Override
    String bufferStateName() {
        return "burn-pane-buffer";
    }

    @Override
    void openEngine() {
        monitors = getRuntimeContext().getMapState(MONITORS);
    }

    @Override
    long onPane(String service, Signal signal, long paneEnd, List<PaneRecord> panes, List<Advisory> out)
            throws Exception {
        List<SloDefinition> slos = policies.slosFor(service, signal);
        long burnPane = policies.burn().pane().toMillis();
        // exact counts per monitor key for this pane
        Map<String, long[]> counts = new TreeMap<>();
        for (PaneRecord r : panes) {
            if (r.track == io.speechslo.telemetry.Track.SHADOW) {
                continue; // not user-facing
            }
            SlicePane p = r.decode();
            for (int i = 0; i < Math.min(p.slos(), slos.size()); i++) {
                if (p.total(i) == 0) {
                    continue;
                }
                for (String key : new String[] {key(slos.get(i), ""), key(slos.get(i), r.version)}) {
                    long[] c = counts.computeIfAbsent(key, x -> new long[2]);
                    c[0] += p.good(i);
                    c[1] += p.total(i);
                }
            }
        }
        TreeSet<String> keys = new TreeSet<>(counts.keySet());
        for (String k : monitors.keys()) {
            keys.add(k);
        }
        boolean alerting = false;
        for (String key : keys) {
            String[] parts = Keys.split(key);
            SloDefinition slo = slos.stream().filter(s -> s.name().equals(parts[0])).findFirst().orElse(null);
            if (slo == null) {
                monitors.remove(key); // the SLO is no longer in the policies
                continue;
            }
            String version = parts[1].isEmpty() ? null : parts[1];
            BurnRateMonitor m = monitors.get(key);
            m = m == null ? new BurnRateMonitor(slo, policies.burn(), service, version, policies.version())
                    : m.configure(slo, policies.burn(), service, version, policies.version());
            long[] c = counts.get(key);
            if (c != null) {
                m.add(paneEnd - 1, c[0], c[1]);
            }
            if (paneEnd % burnPane == 0) {
                m.evaluate(paneEnd).ifPresent(out::add);
            }
            if (m.isIdle(paneEnd)) {
                monitors.remove(key);
            } else {
                monitors.put(key, m); // the same object on the heap backend; RocksDB writes it back
                alerting |= m.isAlerting();
            }
        }
        if (!monitors.keys().iterator().hasNext()) {
            return Long.MIN_VALUE;
        }
        if (alerting) {
            return paneEnd + burnPane; // a standing alert resolves (or reminds) even when traffic stops
        }
        // Nothing standing: traffic registers its own wake-ups. One more, a whole SLO window on (on a
        // day boundary, so a busy key holds about one such timer a day), lets idle monitors go.
        long day = java.time.Duration.ofDays(1).toMillis();
        long window = slos.stream().mapToLong(s -> s.window().toMillis()).max().orElse(day);
        return Math.floorDiv(paneEnd + window, day) * day + day;
    }

    private static String key(SloDefinition slo, String version) {
        return slo.name() + Keys.SEP + version;
    }
}
