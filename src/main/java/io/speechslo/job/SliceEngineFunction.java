package io.speechslo.job;

import io.speechslo.policy.load.PolicyBundle;

import java.util.Comparator;

/** An engine fed the closed slice panes of the slice-pane aggregator (the release gate and slice drift). */
abstract class SliceEngineFunction extends EngineFunction<PaneRecord> {

    SliceEngineFunction(PolicyBundle bundle, long latenessMillis) {
        super(bundle, latenessMillis);
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
