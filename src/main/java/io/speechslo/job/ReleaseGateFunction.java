package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.aggregate.SlicePane;
import io.speechslo.gate.RolloutSettings;
import io.speechslo.gate.RolloutTracker;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.scorecard.RolloutScorecards;
import io.speechslo.telemetry.Track;

import org.apache.flink.api.common.state.ValueState;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The release gate of a service: one {@link RolloutTracker} holding every candidate under way,
 * evaluated every gate interval of event time while a candidate receives traffic; every interval with
 * traffic it also gives the ROLLOUT scorecard of each candidate ({@link RolloutScorecards}). A pane
 * of an interval already evaluated is refused and its requests counted ({@code late_refused_requests}).
 */
final class ReleaseGateFunction extends SliceEngineFunction {

    private final RolloutSettings settings;
    private transient ValueState<RolloutTracker> tracker;

    ReleaseGateFunction(PolicyBundle bundle, long latenessMillis, RolloutSettings settings) {
        super(bundle, latenessMillis);
        this.settings = settings;
    }

    @Override
    States.Buffer<PaneRecord> bufferState() {
        return States.GATE_PANE_BUFFER;
    }

    @Override
    void openEngine() {
        tracker = getRuntimeContext().getState(States.ROLLOUT_TRACKER);
    }

    @Override
    long onPane(String service, Signal signal, long paneEnd, List<PaneRecord> panes, List<Advisory> out)
            throws Exception {
        RolloutTracker t = tracker.value();
        t = t == null ? new RolloutTracker(service, signal, settings) : t.configure(settings);
        Map<String, Long> canaryRequests = new TreeMap<>();
        long stableRequests = 0;
        for (PaneRecord r : panes) {
            SlicePane.Head p = r.decodeHead();
            long requests = p.requests(); // read first: the tracker takes the decoded sets over
            if (!t.addTaking(r.track, r.version, r.paneEnd - 1, p.lastEventTime(), r.fullSlice(), p.metrics(),
                    p.cohort())) {
                lateRefused.inc(requests); // its pane was evaluated already
                continue;
            }
            if (r.track == Track.CANARY) {
                canaryRequests.merge(r.version, requests, Long::sum);
            } else if (r.track == Track.STABLE) {
                stableRequests += requests;
            }
        }
        long interval = settings.interval().toMillis();
        if (paneEnd % interval == 0) {
            out.addAll(t.evaluate(paneEnd, policies.gateFor(service), policies.version()));
            if (!panes.isEmpty()) {
                scorecards.addAll(RolloutScorecards.of(service, signal, paneEnd - interval, paneEnd, t.stages(),
                        canaryRequests, stableRequests));
            }
        }
        if (t.isEmpty()) {
            tracker.clear();
            return Long.MIN_VALUE;
        }
        tracker.update(t); // the same object on the heap backend; RocksDB writes it back
        return Math.floorDiv(paneEnd, interval) * interval + interval;
    }
}
