package io.speechslo.job;

import io.speechslo.aggregate.SlicePane;
import io.speechslo.metrics.Signal;
import io.speechslo.telemetry.Track;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Keyed by service, signal, track, model version and full slice: merges the partial panes of the
 * sources' {@link SlicePanePreAggregator}s into one {@link SlicePane} per event-time pane and emits it
 * when the watermark passes the pane's end (plus the allowed lateness); the pane's state is then gone.
 * Requests are judged late upstream, and partials always arrive ahead of the watermark that closes
 * their pane; one that does not (which would be a bug) is dropped, logged and counted
 * ({@code late_partial_panes}, {@code late_partial_requests}) rather than merged into a pane already
 * emitted. Gauge {@code active_slices}: the slices (of this subtask) that had traffic in the last
 * closed pane. Open panes are held as objects between checkpoints ({@link HeldState}), not read and
 * rewritten at every partial.
 */
final class SlicePaneAggregator extends KeyedProcessFunction<String, PaneRecord, PaneRecord> implements HoldsState {

    /** Open panes held at most between checkpoints (a few KB each). */
    static final int MAX_HELD = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(SlicePaneAggregator.class);

    private final long lateness;

    private transient HeldState<Long, SlicePane> panes;
    private transient Counter latePanes;
    private transient Counter lateRequests;
    /** Slices that closed a pane at the latest pane end this subtask saw, and that pane end. */
    private transient long activeSlices;
    private transient long countingPane;
    private transient long countedSlices;

    SlicePaneAggregator(long latenessMillis) {
        this.lateness = latenessMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        panes = new HeldState<>(getRuntimeContext().getMapState(States.SLICE_PANES), MAX_HELD);
        latePanes = getRuntimeContext().getMetricGroup().counter("late_partial_panes");
        lateRequests = getRuntimeContext().getMetricGroup().counter("late_partial_requests");
        getRuntimeContext().getMetricGroup().<Long, org.apache.flink.metrics.Gauge<Long>>gauge("active_slices", () -> activeSlices);
    }

    @Override
    public List<HoldsState.Held> heldStates() {
        return List.of(panes);
    }

    @Override
    public void processElement(PaneRecord in, Context ctx, Collector<PaneRecord> out) throws Exception {
        SlicePane partial = in.decode();
        long watermark = ctx.timerService().currentWatermark();
        if (in.paneEnd + lateness <= watermark) {
            latePanes.inc();
            lateRequests.inc(partial.requests());
            LOG.warn("Dropped a partial pane of {} requests of {} ending at {}: the watermark ({}) had already closed it",
                    partial.requests(), ctx.getCurrentKey().replace(Keys.SEP, '/'), in.paneEnd, watermark);
            return;
        }
        SlicePane pane = panes.get(ctx.getCurrentKey(), in.paneEnd);
        if (pane == null) {
            pane = partial;
            ctx.timerService().registerEventTimeTimer(in.paneEnd + lateness);
        } else {
            pane.merge(partial);
        }
        panes.put(ctx.getCurrentKey(), in.paneEnd, pane);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PaneRecord> out) throws Exception {
        long paneEnd = timestamp - lateness;
        SlicePane pane = panes.get(ctx.getCurrentKey(), paneEnd);
        if (pane == null) {
            return;
        }
        String[] k = Keys.split(ctx.getCurrentKey());
        out.collect(new PaneRecord(k[0], Signal.valueOf(k[1]), Track.valueOf(k[2]), k[3], k[4], paneEnd, pane.toBytes()));
        panes.remove(ctx.getCurrentKey(), paneEnd);
        if (paneEnd != countingPane) {
            activeSlices = countedSlices;
            countingPane = paneEnd;
            countedSlices = 0;
        }
        countedSlices++;
    }
}
