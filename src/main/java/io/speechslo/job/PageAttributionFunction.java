package io.speechslo.job;

import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Hint;
import io.speechslo.aggregate.SloCounts;
import io.speechslo.burn.SliceBadCounts;
import io.speechslo.aggregate.SlicePane;
import io.speechslo.burn.PaneEvidence;
import io.speechslo.burn.PaneEvidence.Outcomes;
import io.speechslo.diagnosis.CapacityDiagnosis;
import io.speechslo.diagnosis.LatencyDiagnosis;
import io.speechslo.diagnosis.SliceAttribution;
import io.speechslo.diagnosis.TimeoutDiagnosis;
import io.speechslo.metrics.LatencyComponents;
import io.speechslo.metrics.LatencyComponents.Part;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.SloDefinition;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.Track;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Page attribution, keyed by service, between the burn rates and the advisory sink: a BURN_RATE page
 * leaves with the slices (one and two dimensions) that hold its bad requests ({@link SliceAttribution},
 * driver {@code slice}), so the on-call engineer learns "region=eu-west-1 holds 91% of the bad requests
 * with 30% of the traffic" from the page itself. Burn counts carry no slice (that is what lets a page out
 * within seconds); the closed slice panes do ({@link SloCounts}, counted with the burn counts' own
 * verdicts), so this operator keeps each pane's bad and total requests per SLO, version and full slice
 * for the last {@link #WINDOW} and rolls them up when a page comes.
 *
 * <p>A page or ticket of a latency SLO (one whose good filter bounds first_partial_ms, finalization_ms or
 * first_audio_ms) also says which component moved ({@link LatencyDiagnosis}: queue, preprocessing or
 * model time, batch size and first partial against finalization as evidence): the mean of the latency
 * over its window's requests of the version burning, against the window of the same length just before
 * (the hour before for a 1h page), on the whole service. One of an availability SLO (good: outcome OK or
 * CANCELLED) names {@code timeouts} when its bad requests are mostly TIMEOUT and the timeout rate rose
 * beyond noise against that window ({@link TimeoutDiagnosis}). For that the operator keeps, per closed
 * pane, each signal and version's requests, timeouts, errors and latency components summed over its
 * slices ({@link PaneEvidence}: counts and exact sums, no sketch) for two windows. These hints come before
 * the slices'. They are over the whole service even when a slice is named: per-slice evidence is not kept
 * here (it would multiply this state by the slices). A latency alert whose component moved also says
 * whether the serving pools ran short ({@link CapacityDiagnosis}: {@code autoscaler}, {@code gpu_saturation}
 * as evidence), from each pool's minute of serving samples ({@link PaneRecord#servingMinute}, kept two
 * windows in {@link States#PAGE_ATTRIBUTION_SERVING}).
 *
 * <p>Deterministic: every burn advisory waits for an event-time timer at its window end (one the
 * watermark has passed already, a threshold-SLO alert of the drift engine, for the next watermark). The
 * watermark here is the lesser of both inputs', so when it passes the window end every slice pane ending
 * at or before window end minus the allowed lateness has arrived, and an alert is attributed over exactly
 * the panes that start within its long window (at most the last {@link #WINDOW}) and end by then, whatever
 * the arrival order. Panes are kept the allowed lateness longer than the latest window reaching back to
 * them, so a threshold-SLO alert (made when its pane closed) still finds them. Both inputs carry the same
 * source watermark, so a page leaves at the same watermark as before, one operator hop later. Advisories
 * leave in the order of their timers, then of arrival (the burn rates' own order per service); all but
 * pages and tickets pass unchanged. A page whose attribution names
 * nothing (bad requests spread evenly, too few of them, or no pane counted yet) is also unchanged.
 *
 * <p>State: {@link States#PAGE_ATTRIBUTION_PANES} (one entry per pane with SLO counts, each gone by an
 * event-time timer once no page can reach it), {@link States#PAGE_ATTRIBUTION_EVIDENCE} (one entry per
 * pane for a service with a latency or availability SLO, gone after two windows) and
 * {@link States#PAGE_ATTRIBUTION_HELD} (advisories for one watermark step); the panes and their evidence
 * are held as objects between checkpoints ({@link HeldState}), not read and rewritten at every slice
 * pane. Metrics: {@code pages_attributed} (pages that named a slice),
 * {@code pages_unattributed}, {@code pages_latency_explained} (pages and tickets that named a latency
 * component), {@code pages_timeouts_named}.
 */
final class PageAttributionFunction extends KeyedCoProcessFunction<String, Advisory, PaneRecord, Advisory>
        implements HoldsState {

    /** How far back a page is attributed: the last hour of its long window at most (the page is about now). */
    static final long WINDOW = Duration.ofHours(1).toMillis();

    private static final DateTimeFormatter HHMM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private final long paneMillis;
    private final long lateness;
    /** The SLOs (null: no latency or timeout hints). */
    private final PolicyBundle bundle;

    /** Panes (a service's minute: every slice's bad counts, or its evidence) held at most between checkpoints. */
    static final int MAX_HELD = 1_000;

    private transient HeldState<Long, SliceBadCounts> panes;
    private transient HeldState<Long, PaneEvidence> evidence;
    private transient ServingMinutes serving;
    /** Per service, its request-based latency and availability SLOs by name (parsed once per service). */
    private transient Map<String, Map<String, DiagnosedSlo>> diagnosedSlos;
    private transient Counter latencyExplained;
    private transient Counter timeoutsNamed;
    private transient MapState<Tuple2<Long, Integer>, Advisory> held;
    private transient MapState<Long, Integer> heldCounts;
    private transient Counter attributed;
    private transient Counter unattributed;

    /**
     * @param paneMillis the slice pane (the gate interval)
     * @param latenessMillis the allowed lateness: a slice pane arrives once the watermark passes its end plus this
     */
    PageAttributionFunction(long paneMillis, long latenessMillis) {
        this(paneMillis, latenessMillis, null);
    }

    /**
     * @param bundle the SLOs: a page or ticket of a latency SLO among them says which component moved, of an
     *        availability SLO whether timeouts drove it (null: none does)
     */
    PageAttributionFunction(long paneMillis, long latenessMillis, PolicyBundle bundle) {
        this.paneMillis = paneMillis;
        this.lateness = latenessMillis;
        this.bundle = bundle;
    }

    /**
     * A request-based SLO whose alerts are decomposed: its signal, and the part of the latency components
     * holding the latency it judges (null: an availability SLO, whose alerts may name timeouts).
     */
    private record DiagnosedSlo(Signal signal, Part total, boolean threshold) {}

    @Override
    public void open(OpenContext openContext) {
        panes = new HeldState<>(getRuntimeContext().getMapState(States.PAGE_ATTRIBUTION_PANES), MAX_HELD);
        held = getRuntimeContext().getMapState(States.PAGE_ATTRIBUTION_HELD);
        heldCounts = getRuntimeContext().getMapState(States.PAGE_ATTRIBUTION_HELD_COUNTS);
        evidence = new HeldState<>(getRuntimeContext().getMapState(States.PAGE_ATTRIBUTION_EVIDENCE), MAX_HELD);
        serving = new ServingMinutes(getRuntimeContext().getMapState(States.PAGE_ATTRIBUTION_SERVING));
        diagnosedSlos = new HashMap<>();
        latencyExplained = getRuntimeContext().getMetricGroup().counter("pages_latency_explained");
        timeoutsNamed = getRuntimeContext().getMetricGroup().counter("pages_timeouts_named");
        attributed = getRuntimeContext().getMetricGroup().counter("pages_attributed");
        unattributed = getRuntimeContext().getMetricGroup().counter("pages_unattributed");
    }

    @Override
    public List<HoldsState.Held> heldStates() {
        return List.of(panes, evidence);
    }

    /** The key of both inputs: the service (SLO names tell its signals apart). */
    static String key(Advisory a) {
        return a.getService();
    }

    static String key(PaneRecord r) {
        return r.service;
    }

    @Override
    public void processElement1(Advisory a, Context ctx, Collector<Advisory> out) throws Exception {
        long due = Math.max(a.getWindowEnd(), ctx.timerService().currentWatermark() + 1);
        Integer n = heldCounts.get(due);
        int index = n == null ? 0 : n;
        held.put(Tuple2.of(due, index), a);
        heldCounts.put(due, index + 1);
        ctx.timerService().registerEventTimeTimer(due);
    }

    @Override
    public void processElement2(PaneRecord r, Context ctx, Collector<Advisory> out) throws Exception {
        long paneStart = r.paneEnd - paneMillis;
        long watermark = ctx.timerService().currentWatermark();
        if (r.isServingMinute()) {
            // a service's minute comes once per signal (slice drift needs it per signal): one copy is kept
            long start = r.paneEnd - InputScorecardFunction.MINUTE;
            if (ServingMinutes.isCopyToKeep(r) && forget(start, 2) > watermark) {
                serving.put(r);
                ctx.timerService().registerEventTimeTimer(forget(start, 2));
            }
            return;
        }
        if (r.track == Track.SHADOW) {
            return; // shadow traffic spends no budget (its panes count no SLO) and serves no user
        }
        // else no alert from now on reaches back to this pane (see forget)
        boolean counted = forget(paneStart, 1) > watermark;
        boolean timed = forget(paneStart, 2) > watermark && hasDiagnosedSlo(r.service, r.signal);
        if (!counted && !timed) {
            return;
        }
        SlicePane decoded = r.decode();
        SloCounts counts = decoded.sloCounts();
        if (counted && !counts.isEmpty()) {
            SliceBadCounts pane = panes.get(ctx.getCurrentKey(), r.paneEnd);
            if (pane == null) {
                pane = new SliceBadCounts();
                ctx.timerService().registerEventTimeTimer(forget(paneStart, 1));
            }
            for (String slo : counts.names()) {
                if (counts.total(slo) > 0) {
                    pane.add(slo, r.version, r.slice, counts.bad(slo), counts.total(slo));
                }
            }
            panes.put(ctx.getCurrentKey(), r.paneEnd, pane);
        }
        if (timed && decoded.requests() > 0) {
            // a page compares its window with the one before: its evidence stays two windows
            PaneEvidence l = evidence.get(ctx.getCurrentKey(), r.paneEnd);
            if (l == null) {
                l = new PaneEvidence();
                ctx.timerService().registerEventTimeTimer(forget(paneStart, 2));
            }
            l.add(r.version, decoded.metrics(), poolRequests(decoded.costShares()));
            evidence.put(ctx.getCurrentKey(), r.paneEnd, l);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Advisory> out) throws Exception {
        Integer n = heldCounts.get(timestamp);
        for (int i = 0; n != null && i < n; i++) {
            Tuple2<Long, Integer> slot = Tuple2.of(timestamp, i);
            Advisory a = held.get(slot);
            held.remove(slot);
            out.collect(isAlert(a) ? attribute(a) : a);
        }
        heldCounts.remove(timestamp);
        List<Long> gone = new ArrayList<>();
        for (Long paneEnd : panes.keys(ctx.getCurrentKey())) {
            if (forget(paneEnd - paneMillis, 1) <= timestamp) {
                gone.add(paneEnd);
            }
        }
        for (Long paneEnd : gone) {
            panes.remove(ctx.getCurrentKey(), paneEnd);
        }
        gone.clear();
        for (Long paneEnd : evidence.keys(ctx.getCurrentKey())) {
            if (forget(paneEnd - paneMillis, 2) <= timestamp) {
                gone.add(paneEnd);
            }
        }
        for (Long paneEnd : gone) {
            evidence.remove(ctx.getCurrentKey(), paneEnd);
        }
        // a minute goes when forget(its start, 2) has passed
        serving.forgetUntil(timestamp - 2 * WINDOW - lateness + InputScorecardFunction.MINUTE);
    }

    /** A pane's requests per pool that name one (its cost shares: costed requests). */
    private static Map<String, Long> poolRequests(io.speechslo.cost.CostShares shares) {
        if (shares.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> out = new java.util.TreeMap<>();
        shares.pools(1).forEach((pool, v) -> out.put(pool, Math.round(v[2])));
        return out;
    }

    /**
     * When a pane starting at {@code paneStart} is forgotten, kept for {@code windows} windows: the
     * latest alert that reaches back to it ends {@code windows} windows after its start, and may arrive
     * up to the allowed lateness after the watermark passed its window end (a threshold-SLO alert of the
     * drift engine, made once its pane closed).
     */
    private long forget(long paneStart, int windows) {
        return paneStart + windows * WINDOW + lateness;
    }

    /** A page or ticket of one SLO. */
    private static boolean isAlert(Advisory a) {
        return a.getKind() == AdvisoryKind.BURN_RATE && a.getSlo() != null
                && (a.getDecision() == Decision.PAGE || a.getDecision() == Decision.TICKET);
    }

    /**
     * A page with what moved (a latency SLO's component, an availability SLO's timeouts) and the slices
     * that hold its bad requests, a ticket with what moved; as it is when nothing is named.
     */
    private Advisory attribute(Advisory alert) throws Exception {
        long at = alert.getWindowEnd(); // not the timer's time: the same window however late the alert came
        long span = Math.min(alert.getLongWindow() == null ? WINDOW : alert.getLongWindow(), WINDOW);
        Found components = components(alert, at, span);
        // a threshold SLO's alert names its slice itself (its findings), and slice panes count no timeslices
        Found slices = alert.getDecision() == Decision.PAGE && !isThreshold(alert) ? slices(alert, at, span) : Found.NONE;
        if (components.hints().isEmpty() && slices.hints().isEmpty()) {
            return alert;
        }
        List<Hint> hints = new ArrayList<>(alert.getHints());
        hints.addAll(components.hints());
        hints.addAll(slices.hints());
        alert.setHints(hints);
        alert.setSummary(alert.getSummary() + components.summary() + slices.summary());
        return Advisories.withId(alert);
    }

    /** Hints found for an alert, and what its summary gains. */
    private record Found(List<Hint> hints, String summary) {
        static final Found NONE = new Found(List.of(), "");
    }

    /** The slices that hold a page's bad requests, over the closed panes of its window. */
    private Found slices(Advisory page, long at, long span) throws Exception {
        long from = at - span;
        long to = at - lateness; // the panes the watermark has closed
        Map<Slice, long[]> bySlice = new HashMap<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Map.Entry<Long, SliceBadCounts> e : panes.entries(key(page)).entrySet()) {
            long paneEnd = e.getKey();
            if (paneEnd - paneMillis >= from && paneEnd <= to) {
                e.getValue().addTo(bySlice, page.getSlo(), page.getModelVersion());
                first = Math.min(first, paneEnd - paneMillis);
                last = Math.max(last, paneEnd);
            }
        }
        List<SliceAttribution.Named> named = SliceAttribution.attribute(bySlice);
        if (named.isEmpty()) {
            unattributed.inc();
            return Found.NONE;
        }
        attributed.inc();
        return new Found(SliceAttribution.hints(named, first, last).sorted(), SliceAttribution.summary(named));
    }

    /**
     * What moved between the alert's window (the closed panes of its long window, at most the last
     * {@link #WINDOW}) and the window of the same length just before it, over the requests of the version
     * burning, on the whole service: for a latency SLO the component ({@link LatencyDiagnosis}), for an
     * availability SLO timeouts ({@link TimeoutDiagnosis}).
     */
    private Found components(Advisory alert, long at, long span) throws Exception {
        DiagnosedSlo slo = diagnosedSlos(alert.getService()).get(alert.getSlo());
        if (slo == null || slo.total() == null && slo.threshold()) {
            return Found.NONE; // not a latency or availability SLO
        }
        long from = at - span;
        long to = at - lateness; // the panes the watermark has closed
        LatencyComponents now = LatencyComponents.sumsOnly();
        LatencyComponents before = LatencyComponents.sumsOnly();
        Outcomes nowOutcomes = new Outcomes(0, 0, 0);
        Outcomes beforeOutcomes = new Outcomes(0, 0, 0);
        long[] nowSpan = {Long.MAX_VALUE, Long.MIN_VALUE};
        long[] beforeSpan = {Long.MAX_VALUE, Long.MIN_VALUE};
        Map<String, Long> nowPools = new java.util.TreeMap<>();
        Map<String, Long> beforePools = new java.util.TreeMap<>();
        for (Map.Entry<Long, PaneEvidence> e : evidence.entries(key(alert)).entrySet()) {
            long paneEnd = e.getKey();
            long paneStart = paneEnd - paneMillis;
            if (paneStart >= from && paneEnd <= to) {
                nowOutcomes = nowOutcomes.plus(e.getValue().addTo(now, slo.signal(), alert.getModelVersion()));
                e.getValue().poolsTo(nowPools, slo.signal(), alert.getModelVersion());
                widen(nowSpan, paneStart, paneEnd);
            } else if (paneStart >= from - span && paneEnd <= from) {
                beforeOutcomes = beforeOutcomes.plus(e.getValue().addTo(before, slo.signal(), alert.getModelVersion()));
                e.getValue().poolsTo(beforePools, slo.signal(), alert.getModelVersion());
                widen(beforeSpan, paneStart, paneEnd);
            }
        }
        if (nowOutcomes.requests() == 0 || beforeOutcomes.requests() == 0) {
            return Found.NONE;
        }
        String where = alert.getModelVersion() == null ? "on the whole service" : "of " + alert.getModelVersion();
        // the sentences name the minutes the panes cover (the window before may start with the data)
        String nowName = "in " + span(nowSpan);
        String beforeName = "in " + span(beforeSpan);
        if (slo.total() == null) {
            List<Hint> hints = TimeoutDiagnosis.hints(where,
                    new TimeoutDiagnosis.Window(nowName, nowOutcomes.requests(), nowOutcomes.timeouts(), nowOutcomes.errors()),
                    new TimeoutDiagnosis.Window(beforeName, beforeOutcomes.requests(), beforeOutcomes.timeouts(),
                            beforeOutcomes.errors()));
            if (hints.isEmpty()) {
                return Found.NONE;
            }
            timeoutsNamed.inc();
            return new Found(hints, " Most bad requests timed out (" + nowOutcomes.timeouts() + " TIMEOUT, "
                    + nowOutcomes.errors() + " ERROR " + nowName + ").");
        }
        List<Hint> hints = LatencyDiagnosis.hints(slo.total(), where, now, nowOutcomes.requests(), before,
                beforeOutcomes.requests(), nowName, beforeName);
        if (hints.isEmpty()) {
            return Found.NONE;
        }
        latencyExplained.inc();
        Hint first = hints.get(0);
        hints = new ArrayList<>(hints);
        hints.addAll(capacity(alert.getModelVersion(), where, from, to, span, nowName, beforeName));
        hints.addAll(CapacityDiagnosis.poolHints(where + " " + nowName, nowPools, nowOutcomes.requests(), beforeName,
                beforePools, beforeOutcomes.requests()));
        return new Found(hints, " Of the rise in mean " + slo.total().field() + " against " + span(beforeSpan)
                + ", " + first.getDriver() + " time explains " + Math.round(first.getShareExplained() * 100) + "%.");
    }

    /**
     * The capacity evidence of a latency alert ({@link CapacityDiagnosis}) from the serving minutes of the
     * version (every version for a service-wide alert) in the alert's window and the one before.
     */
    private List<Hint> capacity(String version, String where, long from, long to, long span, String nowName,
            String beforeName) throws Exception {
        return CapacityDiagnosis.hints(where + " " + nowName, serving.window(version, from, to), beforeName,
                serving.window(version, from - span, from));
    }

    private static void widen(long[] span, long start, long end) {
        span[0] = Math.min(span[0], start);
        span[1] = Math.max(span[1], end);
    }

    /** "08:00-09:00 UTC" for {@code {start, end}}. */
    private static String span(long[] span) {
        return HHMM.format(Instant.ofEpochMilli(span[0])) + "-" + HHMM.format(Instant.ofEpochMilli(span[1])) + " UTC";
    }

    private boolean isThreshold(Advisory alert) {
        DiagnosedSlo slo = diagnosedSlos(alert.getService()).get(alert.getSlo());
        return slo != null && slo.threshold();
    }

    private boolean hasDiagnosedSlo(String service, Signal signal) {
        for (DiagnosedSlo s : diagnosedSlos(service).values()) {
            if (s.signal() == signal) {
                return true;
            }
        }
        return false;
    }

    /**
     * The service's threshold SLOs (the drift engine's threshold-SLO alerts come through here too), and its
     * request-based latency and availability SLOs, by name.
     */
    private Map<String, DiagnosedSlo> diagnosedSlos(String service) {
        if (bundle == null) {
            return Map.of();
        }
        return diagnosedSlos.computeIfAbsent(service, svc -> {
            Map<String, DiagnosedSlo> m = new HashMap<>();
            for (Signal signal : Signal.values()) {
                for (SloDefinition slo : bundle.policies().allSlosFor(svc, signal)) {
                    Part total = LatencyDiagnosis.totalOf(slo);
                    if (total != null || TimeoutDiagnosis.judgesOutcomes(slo) || slo.isThreshold()) {
                        m.put(slo.name(), new DiagnosedSlo(signal, total, slo.isThreshold()));
                    }
                }
            }
            return m;
        });
    }
}
