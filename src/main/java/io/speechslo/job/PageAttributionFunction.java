package io.speechslo.job;

import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Hint;
import io.speechslo.aggregate.SloCounts;
import io.speechslo.burn.SliceBadCounts;
import io.speechslo.diagnosis.SliceAttribution;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.Track;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
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
 * <p>Deterministic: every burn advisory waits for an event-time timer at its window end. The watermark
 * here is the lesser of both inputs', so when it passes the window end every slice pane ending at or
 * before window end minus the allowed lateness has arrived, and a page is attributed over exactly the
 * panes that start within its long window (at most the last {@link #WINDOW}) and end by then, whatever
 * the arrival order. Both inputs carry the same source watermark, so a page leaves at the same watermark
 * as before, one operator hop later. Advisories leave in the order of their window end, then of arrival
 * (the burn rates' own order per service); all but pages pass unchanged. A page whose attribution names
 * nothing (bad requests spread evenly, too few of them, or no pane counted yet) is also unchanged.
 *
 * <p>State: {@link States#PAGE_ATTRIBUTION_PANES} (one entry per pane with SLO counts, each gone by an
 * event-time timer once no page can reach it) and {@link States#PAGE_ATTRIBUTION_HELD} (advisories for
 * one watermark step). Metrics: {@code pages_attributed} (pages that named a slice), {@code pages_unattributed}.
 */
final class PageAttributionFunction extends KeyedCoProcessFunction<String, Advisory, PaneRecord, Advisory> {

    /** How far back a page is attributed: the last hour of its long window at most (the page is about now). */
    static final long WINDOW = Duration.ofHours(1).toMillis();

    private final long paneMillis;
    private final long lateness;

    private transient MapState<Long, SliceBadCounts> panes;
    private transient MapState<Tuple2<Long, Integer>, Advisory> held;
    private transient MapState<Long, Integer> heldCounts;
    private transient Counter attributed;
    private transient Counter unattributed;

    /**
     * @param paneMillis the slice pane (the gate interval)
     * @param latenessMillis the allowed lateness: a slice pane arrives once the watermark passes its end plus this
     */
    PageAttributionFunction(long paneMillis, long latenessMillis) {
        this.paneMillis = paneMillis;
        this.lateness = latenessMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        panes = getRuntimeContext().getMapState(States.PAGE_ATTRIBUTION_PANES);
        held = getRuntimeContext().getMapState(States.PAGE_ATTRIBUTION_HELD);
        heldCounts = getRuntimeContext().getMapState(States.PAGE_ATTRIBUTION_HELD_COUNTS);
        attributed = getRuntimeContext().getMetricGroup().counter("pages_attributed");
        unattributed = getRuntimeContext().getMetricGroup().counter("pages_unattributed");
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
        long forgetAt = r.paneEnd - paneMillis + WINDOW; // no page from then on reaches back to this pane
        if (r.track == Track.SHADOW || forgetAt <= ctx.timerService().currentWatermark()) {
            return; // shadow traffic spends no budget (its panes count no SLO)
        }
        SloCounts counts = r.decode().sloCounts();
        if (counts.isEmpty()) {
            return;
        }
        SliceBadCounts pane = panes.get(r.paneEnd);
        if (pane == null) {
            pane = new SliceBadCounts();
            ctx.timerService().registerEventTimeTimer(forgetAt);
        }
        for (String slo : counts.names()) {
            if (counts.total(slo) > 0) {
                pane.add(slo, r.version, r.slice, counts.bad(slo), counts.total(slo));
            }
        }
        panes.put(r.paneEnd, pane); // in place on the heap backend; written through on RocksDB
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Advisory> out) throws Exception {
        Integer n = heldCounts.get(timestamp);
        for (int i = 0; n != null && i < n; i++) {
            Tuple2<Long, Integer> slot = Tuple2.of(timestamp, i);
            Advisory a = held.get(slot);
            held.remove(slot);
            out.collect(isPage(a) ? attribute(a, timestamp) : a);
        }
        heldCounts.remove(timestamp);
        List<Long> gone = new ArrayList<>();
        for (Long paneEnd : panes.keys()) {
            if (paneEnd - paneMillis + WINDOW <= timestamp) {
                gone.add(paneEnd);
            }
        }
        for (Long paneEnd : gone) {
            panes.remove(paneEnd);
        }
    }

    private static boolean isPage(Advisory a) {
        return a.getKind() == AdvisoryKind.BURN_RATE && a.getDecision() == Decision.PAGE && a.getSlo() != null;
    }

    /** The page with the slices that hold its bad requests, or as it is when none is named. */
    private Advisory attribute(Advisory page, long at) throws Exception {
        long span = Math.min(page.getLongWindow() == null ? WINDOW : page.getLongWindow(), WINDOW);
        long from = at - span;
        long to = at - lateness; // the panes the watermark has closed
        Map<Slice, long[]> bySlice = new HashMap<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Map.Entry<Long, SliceBadCounts> e : panes.entries()) {
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
            return page;
        }
        attributed.inc();
        List<Hint> hints = new ArrayList<>(page.getHints());
        hints.addAll(SliceAttribution.hints(named, first, last).sorted());
        page.setHints(hints);
        page.setSummary(page.getSummary() + SliceAttribution.summary(named));
        return Advisories.withId(page);
    }
}
