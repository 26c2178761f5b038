package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.aggregate.SlicePane;
import io.speechslo.cost.CostMonitor;
import io.speechslo.cost.CostShares;
import io.speechslo.drift.DriftMonitor;
import io.speechslo.drift.DriftStats;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.scorecard.RequestStats;
import io.speechslo.scorecard.SliceScorecards;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.Track;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Slice drift of a service's input: one {@link DriftMonitor}, judged at every end of its current window.
 * Each closed slice pane is decoded once here and also gives the SLICE scorecards of its interval
 * ({@link SliceScorecards}: every track and version, with each slice's audio drift against the
 * monitor's trailing baseline, which is rolled up once per current window and kept at hand), on which
 * the service's threshold SLOs are judged ({@link ThresholdSlos}). A pane older than the baseline the
 * monitor keeps is refused and its requests counted ({@code late_refused_requests}); so is a timeslice
 * a threshold-SLO monitor refuses ({@code late_refused_timeslices}). The cost monitor also reads each
 * pool's minute of serving samples ({@link PaneRecord#servingMinute}), for the drivers only they can name.
 * The threshold-SLO monitors, the drift and the cost monitor are held as objects between checkpoints
 * ({@link HeldState}, {@link HeldValue}), not read and rewritten every minute.
 */
final class DriftFunction extends SliceEngineFunction {

    /**
     * Threshold-SLO monitors (one per SLO, version and slice) held at most between checkpoints (each up
     * to a few hundred KB: days of minute timeslices).
     */
    static final int MAX_HELD = 1_000;

    /** Drift and cost monitors (one each per service and signal) held at most between checkpoints. */
    static final int MAX_HELD_MONITORS = 100;

    private transient HeldValue<DriftMonitor> monitor;
    private transient HeldValue<CostMonitor> cost;
    private transient ThresholdSlos thresholdSlos;
    /**
     * Per key, the trailing baseline of the current window (derived from the monitor, so not state: a
     * restore rebuilds it) and the window start it is for.
     */
    private transient Map<String, Baseline> baselines;

    private record Baseline(long windowStart, Map<Slice, DriftStats> slices) {}

    private final long paneMillis;

    /** @param paneMillis the slice pane, the window of a scorecard */
    DriftFunction(PolicyBundle bundle, long latenessMillis, long paneMillis) {
        super(bundle, latenessMillis);
        this.paneMillis = paneMillis;
    }

    @Override
    States.Buffer<PaneRecord> bufferState() {
        return States.DRIFT_PANE_BUFFER;
    }

    @Override
    void openEngine() {
        monitor = new HeldValue<>(getRuntimeContext().getState(States.DRIFT_MONITOR), MAX_HELD_MONITORS);
        cost = new HeldValue<>(getRuntimeContext().getState(States.COST_MONITOR), MAX_HELD_MONITORS);
        thresholdSlos = new ThresholdSlos(
                new HeldState<>(getRuntimeContext().getMapState(States.THRESHOLD_SLO_MONITORS), MAX_HELD),
                getRuntimeContext().getMapState(States.THRESHOLD_SLO_ALERTS),
                getRuntimeContext().getMetricGroup().counter("late_refused_timeslices"));
        baselines = new HashMap<>();
    }

    @Override
    long onPane(String service, Signal signal, long paneEnd, List<PaneRecord> panes, List<Advisory> out)
            throws Exception {
        long window = policies.drift().current().toMillis();
        String key = Keys.service(service, signal);
        DriftMonitor m = monitor.value(key);
        m = m == null ? new DriftMonitor(service, signal, policies.drift(), policies.version())
                : m.configure(policies.drift(), policies.version());
        List<SliceScorecards.Pane> decoded = new ArrayList<>(panes.size());
        List<PaneRecord> serving = new ArrayList<>();
        for (PaneRecord r : panes) {
            if (r.isServingMinute()) {
                serving.add(r);
                continue;
            }
            SlicePane p = r.decode();
            Slice full = r.fullSlice();
            decoded.add(new SliceScorecards.Pane(r.track, r.version, full, p));
            if (r.track != Track.SHADOW && !m.add(r.paneEnd - 1, full, p.drift())) { // shadow: not the input mix
                lateRefused.inc(p.requests()); // older than the baseline the monitor still keeps
            }
        }
        CostMonitor c = cost.value(key);
        c = c == null ? new CostMonitor(service, signal) : c;
        c.configure(policies.drift(), policies.version());
        List<io.speechslo.scorecard.Scorecard> slices = decoded.isEmpty() ? List.of()
                : SliceScorecards.of(service, signal, paneEnd - paneMillis, paneEnd, decoded,
                        baseline(m, service, signal, paneEnd - 1), costSink(c, paneEnd));
        scorecards.addAll(slices);
        for (PaneRecord r : serving) { // after the panes: a version is followed once it has costed requests
            c.addServing(r.paneEnd, r.version, r.servingStats());
        }
        boolean alerting = thresholdSlos.onTimeslice(policies, service, signal, paneEnd, slices, out, scorecards);
        if (paneEnd % window == 0) {
            m.evaluate(paneEnd).ifPresent(out::add);
            out.addAll(c.evaluate(paneEnd));
        }
        if (c.isEmpty()) {
            cost.clear(key);
        } else {
            cost.update(key, c);
        }
        long next = Math.floorDiv(paneEnd, window) * window + window;
        if (m.isEmpty()) {
            monitor.clear(key);
            baselines.remove(key);
            next = c.isEmpty() ? Long.MIN_VALUE : next;
        } else {
            monitor.update(key, m);
        }
        // a standing threshold-SLO alert resolves (or reminds) even when traffic stops
        return alerting ? paneEnd + paneMillis : next;
    }

    @Override
    List<HoldsState.Held> heldEngineStates() {
        return List.of(thresholdSlos.monitors(), monitor, cost);
    }

    @Override
    long paneMillis() {
        return paneMillis;
    }

    /** Hands each cut's whole-service cohorts of a pane to the cost monitor. */
    private static SliceScorecards.CohortSink costSink(CostMonitor c, long paneEnd) {
        return new SliceScorecards.CohortSink() {
            @Override
            public void accept(Track track, String version, MetricSet metrics, RequestStats requests,
                    Map<String, MetricSet> byValue, CostShares costs) {
                c.add(paneEnd, track, version, metrics, requests, byValue, costs);
            }

            @Override
            public String dimension() {
                return CostMonitor.MIX_DIMENSION;
            }
        };
    }

    /** The monitor's trailing baseline for the current window holding {@code at}, rolled up once per window. */
    private Map<Slice, DriftStats> baseline(DriftMonitor m, String service, Signal signal, long at) {
        long start = m.paneStart(at);
        String key = Keys.service(service, signal);
        Baseline b = baselines.get(key);
        if (b == null || b.windowStart() != start) {
            b = new Baseline(start, m.trailing(at, SliceScorecards.MAX_DIMENSIONS));
            baselines.put(key, b);
        }
        return b.slices();
    }
}
