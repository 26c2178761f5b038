package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.policy.load.PolicyBundle;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

import java.util.Comparator;

/**
 * An engine fed the closed slice panes of the slice-pane aggregator (the release gate and slice drift),
 * and the pools' minutes of serving samples ({@link PaneRecord#servingMinute}). A serving minute is folded
 * in at the timer of the pane it ends in, with that pane's slice panes, whatever order they arrive in. One
 * later than that (only when an idle input source let the watermark pass it) is counted
 * ({@code late_serving_minutes}) and left out: its timer would fire in the past.
 */
abstract class SliceEngineFunction extends EngineFunction<PaneRecord> {

    private transient Counter lateServing;

    SliceEngineFunction(PolicyBundle bundle, long latenessMillis) {
        super(bundle, latenessMillis);
    }

    /** The slice pane: serving minutes wait for the end of the pane they end in. */
    abstract long paneMillis();

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        lateServing = getRuntimeContext().getMetricGroup().counter("late_serving_minutes");
    }

    @Override
    public void processElement(PaneRecord r, Context ctx, Collector<Advisory> out) throws Exception {
        if (r.isServingMinute() && wakeUp(r, Long.MIN_VALUE) <= ctx.timerService().currentWatermark()) {
            lateServing.inc();
            return;
        }
        super.processElement(r, ctx, out);
    }

    @Override
    final long wakeUp(PaneRecord r, long watermark) {
        long pane = paneMillis();
        long end = r.isServingMinute() ? Math.floorDiv(r.paneEnd + pane - 1, pane) * pane : r.paneEnd;
        return end + lateness;
    }

    @Override
    final Class<PaneRecord> inputType() {
        return PaneRecord.class;
    }

    @Override
    final long paneEnd(PaneRecord r) {
        return r.paneEnd;
    }

    @Override
    final Comparator<PaneRecord> foldOrder() {
        return PANE_ORDER;
    }
}
