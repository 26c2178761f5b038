package io.speechslo.job;

import io.speechslo.diagnosis.CapacityDiagnosis;
import io.speechslo.serving.ServingStats;

import org.apache.flink.api.common.state.MapState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pools' minutes of serving samples ({@link PaneRecord#servingMinute}) kept in keyed state for the
 * capacity evidence of latency findings ({@link CapacityDiagnosis}): {@code minuteEnd NUL version NUL pool}
 * to the minute's {@link ServingStats} bytes (their own format). A service's minute comes once per signal;
 * an engine keyed by service alone keeps one copy ({@link #isCopyToKeep}).
 */
final class ServingMinutes {

    private final MapState<String, byte[]> state;

    ServingMinutes(MapState<String, byte[]> state) {
        this.state = state;
    }

    /** Whether an operator keyed by service alone keeps this copy of a minute (the first signal's). */
    static boolean isCopyToKeep(PaneRecord r) {
        return r.signal == io.speechslo.metrics.Signal.values()[0];
    }

    void put(PaneRecord r) throws Exception {
        state.put(r.paneEnd + String.valueOf(Keys.SEP) + r.version + Keys.SEP + r.slice, r.pane);
    }

    /** Forgets every minute that ended at or before {@code end}. */
    void forgetUntil(long end) throws Exception {
        List<String> gone = new ArrayList<>();
        for (String key : state.keys()) {
            if (Long.parseLong(key.substring(0, key.indexOf(Keys.SEP))) <= end) {
                gone.add(key);
            }
        }
        for (String key : gone) {
            state.remove(key);
        }
    }

    /**
     * The pool-minutes of {@code version} (every version when null) that start at or after {@code from} and
     * end by {@code to}, folded in key order (the same sums whatever order the state iterates in).
     */
    CapacityDiagnosis.Window window(String version, long from, long to) throws Exception {
        TreeMap<String, byte[]> minutes = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : state.entries()) {
            minutes.put(e.getKey(), e.getValue());
        }
        CapacityDiagnosis.Window w = new CapacityDiagnosis.Window();
        for (Map.Entry<String, byte[]> e : minutes.entrySet()) {
            String[] k = Keys.split(e.getKey());
            long end = Long.parseLong(k[0]);
            if ((version == null || version.equals(k[1])) && end - InputScorecardFunction.MINUTE >= from && end <= to) {
                w.add(ServingStats.fromBytes(e.getValue()));
            }
        }
        return w;
    }
}
