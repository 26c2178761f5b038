package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.aggregate.SlicePane;
import io.speechslo.gate.RolloutSettings;
import io.speechslo.gate.RolloutTracker;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.scorecard.RolloutScorecards;
import io.speechslo.telemetry.Track;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The release gate of a service: one {@link RolloutTracker} holding every candidate under way,
 * evaluated every gate interval of event time while a candidate receives traffic; every interval with
 * traffic it also gives the ROLLOUT scorecard of each candidate ({@link RolloutScorecards}). A pane
 * of an interval already evaluated is refused and its requests counted ({@code late_refused_requests}).
 * While a candidate is under way it keeps the last hour of each pool's minute of serving samples
 * ({@link ServingMinutes}), and a ROLLBACK or PAUSE whose latency finding names a component gains the
 * capacity evidence of the canary's pools against stable's ({@code autoscaler}, {@code gpu_saturation}).
 * The tracker is held as an object between checkpoints ({@link HeldValue}), not read, rolled up and
 * rewritten every interval.
 */
final class ReleaseGateFunction extends SliceEngineFunction {

    /** Rollout trackers (one per service and signal, each up to a few MB) held at most between checkpoints. */
    static final int MAX_HELD = 100;

    private final RolloutSettings settings;
    private transient HeldValue<RolloutTracker> tracker;
    private transient ServingMinutes serving;

    ReleaseGateFunction(PolicyBundle bundle, long latenessMillis, RolloutSettings settings) {
        super(bundle, latenessMillis);
        this.settings = settings;
    }

    @Override
    long paneMillis() {
        return settings.interval().toMillis(); // the slice pane is the gate interval
    }

    @Override
    States.Buffer<PaneRecord> bufferState() {
        return States.GATE_PANE_BUFFER;
    }

    @Override
    void openEngine() {
        tracker = new HeldValue<>(getRuntimeContext().getState(States.ROLLOUT_TRACKER), MAX_HELD);
        serving = new ServingMinutes(getRuntimeContext().getMapState(States.GATE_SERVING));
    }

    @Override
    long onPane(String service, Signal signal, long paneEnd, List<PaneRecord> panes, List<Advisory> out)
            throws Exception {
        String key = Keys.service(service, signal);
        RolloutTracker t = tracker.value(key);
        t = t == null ? new RolloutTracker(service, signal, settings) : t.configure(settings);
        Map<String, Long> canaryRequests = new TreeMap<>();
        long stableRequests = 0;
        List<PaneRecord> servingMinutes = new ArrayList<>();
        for (PaneRecord r : panes) {
            if (r.isServingMinute()) {
                servingMinutes.add(r);
                continue;
            }
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
        if (t.hasCandidates()) { // the capacity evidence compares the last hour of both arms' pools
            for (PaneRecord r : servingMinutes) {
                serving.put(r);
            }
            serving.forgetUntil(paneEnd - CAPACITY_WINDOW);
        }
        long interval = settings.interval().toMillis();
        if (paneEnd % interval == 0) {
            for (Advisory a : t.evaluate(paneEnd, policies.gateFor(service), policies.version())) {
                out.add(withCapacity(a, paneEnd));
            }
            if (panes.size() > servingMinutes.size()) {
                scorecards.addAll(RolloutScorecards.of(service, signal, paneEnd - interval, paneEnd, t.stages(),
                        canaryRequests, stableRequests));
            }
        }
        if (t.isEmpty()) {
            tracker.clear(key);
            serving.forgetUntil(Long.MAX_VALUE);
            return Long.MIN_VALUE;
        }
        tracker.update(key, t);
        return Math.floorDiv(paneEnd, interval) * interval + interval;
    }

    @Override
    List<HoldsState.Held> heldEngineStates() {
        return List.of(tracker);
    }

    /** How far back the capacity evidence of a latency finding reads the pools' serving samples. */
    static final long CAPACITY_WINDOW = 3_600_000;

    /**
     * The metrics of a latency finding's component hints ({@link io.speechslo.diagnosis.LatencyDiagnosis}): a
     * cohort's quality evidence names {@code model} too, with another metric.
     */
    private static final java.util.Set<String> LATENCY_COMPONENTS = java.util.Set.of("queue_ms_mean",
            "preprocess_ms_mean", "model_ms_mean");

    /**
     * A ROLLBACK or PAUSE whose latency finding was decomposed gains the capacity evidence of the canary's
     * pools against stable's over the last hour ({@link io.speechslo.diagnosis.CapacityDiagnosis}); any
     * other advisory, or one with no such evidence, is as it was.
     */
    private Advisory withCapacity(Advisory a, long paneEnd) throws Exception {
        boolean latency = a.getHints().stream().anyMatch(h -> LATENCY_COMPONENTS.contains(h.getMetric()));
        if (!latency || a.getModelVersion() == null || a.getBaselineVersion() == null
                || (a.getDecision() != io.speechslo.advisory.Decision.ROLLBACK
                        && a.getDecision() != io.speechslo.advisory.Decision.PAUSE)) {
            return a;
        }
        long from = paneEnd - CAPACITY_WINDOW;
        List<io.speechslo.advisory.Hint> capacity = io.speechslo.diagnosis.CapacityDiagnosis.hints(
                "of canary " + a.getModelVersion() + " in the last hour", serving.window(a.getModelVersion(), from, paneEnd),
                "of stable " + a.getBaselineVersion(), serving.window(a.getBaselineVersion(), from, paneEnd));
        if (capacity.isEmpty()) {
            return a;
        }
        List<io.speechslo.advisory.Hint> hints = new ArrayList<>(a.getHints());
        hints.addAll(capacity);
        a.setHints(hints);
        return io.speechslo.advisory.Advisories.withId(a);
    }
}
