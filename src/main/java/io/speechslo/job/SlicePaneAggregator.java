package io.speechslo.job;

import io.speechslo.aggregate.SlicePane;
import io.speechslo.kafka.DeadLetterReason;
import io.speechslo.kafka.DeadLetters;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.telemetry.Track;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keyed by service, signal, track, model version and full slice: folds requests into one
 * {@link SlicePane} per event-time pane and emits it when the watermark passes the pane's end (plus
 * the allowed lateness); the pane's state is then gone. A request whose pane was already emitted is
 * late: it goes to the late side output as a dead letter (reason {@code late}) and is counted.
 * SHADOW traffic is counted (metric {@code shadow_records}) and aggregated like the rest; downstream
 * it only counts for cost (burn rates and drift skip it, the gate takes only its cost).
 * Gauge {@code active_slices}: the slices (of this subtask) that had traffic in the last closed pane.
 */
final class SlicePaneAggregator extends KeyedProcessFunction<String, Ingested, PaneRecord> {

    static final MapStateDescriptor<Long, SlicePane> PANES =
            new MapStateDescriptor<>("slice-panes", LongSerializer.INSTANCE, new SlicePaneSerializer());

    private final PolicyBundle bundle;
    private final long paneMillis;
    private final long lateness;

    private transient Policies policies;
    private transient Map<String, List<SloDefinition>> slos;
    private transient MapState<Long, SlicePane> panes;
    private transient Counter late;
    private transient Counter shadow;
    /** Slices that closed a pane at the latest pane end this subtask saw, and that pane end. */
    private transient long activeSlices;
    private transient long countingPane;
    private transient long countedSlices;

    SlicePaneAggregator(PolicyBundle bundle, long paneMillis, long latenessMillis) {
        this.bundle = bundle;
        this.paneMillis = paneMillis;
        this.lateness = latenessMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        policies = bundle.policies();
        slos = new HashMap<>();
        panes = getRuntimeContext().getMapState(PANES);
        late = getRuntimeContext().getMetricGroup().counter("late_records");
        shadow = getRuntimeContext().getMetricGroup().counter("shadow_records");
        getRuntimeContext().getMetricGroup().<Long, org.apache.flink.metrics.Gauge<Long>>gauge("active_slices", () -> activeSlices);
    }

    @Override
    public void processElement(Ingested in, Context ctx, Collector<PaneRecord> out) throws Exception {
        if (in.track() == Track.SHADOW) {
            shadow.inc();
        }
        long t = in.eventTime();
        long paneEnd = Math.floorDiv(t, paneMillis) * paneMillis + paneMillis;
        long watermark = ctx.timerService().currentWatermark();
        if (paneEnd + lateness <= watermark) {
            late.inc();
            ctx.output(Tags.LATE, DeadLetters.of(in.topic, in.partition, in.offset, null,
                    in.record().toString().getBytes(StandardCharsets.UTF_8), DeadLetterReason.LATE,
                    "event_time " + t + " is in a pane that closed at " + (paneEnd + lateness)
                            + "; the watermark is at " + watermark + " (raw holds the record as JSON)",
                    null, -1));
            return;
        }
        List<SloDefinition> sloList = slos.computeIfAbsent(Keys.service(in.service(), in.signal()),
                k -> policies.slosFor(in.service(), in.signal()));
        SlicePane pane = panes.get(paneEnd);
        if (pane == null) {
            pane = new SlicePane(in.signal(), sloList.size());
        }
        pane.add(in.record(), t, sloList);
        panes.put(paneEnd, pane); // in place on the heap backend; written through on RocksDB
        ctx.timerService().registerEventTimeTimer(paneEnd + lateness);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PaneRecord> out) throws Exception {
        long paneEnd = timestamp - lateness;
        SlicePane pane = panes.get(paneEnd);
        if (pane == null) {
            return;
        }
        String[] k = Keys.split(ctx.getCurrentKey());
        out.collect(new PaneRecord(k[0], Signal.valueOf(k[1]), Track.valueOf(k[2]), k[3], k[4], paneEnd, pane.toBytes()));
        panes.remove(paneEnd);
        if (paneEnd != countingPane) {
            activeSlices = countedSlices;
            countingPane = paneEnd;
            countedSlices = 0;
        }
        countedSlices++;
    }
}
