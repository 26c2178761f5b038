package io.speechslo.job;

import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * Flink's keyed process operator (same timers, same state: a savepoint restores whichever ran the
 * function) for a function that {@link HoldsState}, writing its held state back before every checkpoint
 * barrier, at the end of the input, and after a watermark step once too much is held.
 */
final class HeldStateOperator<IN, OUT> extends KeyedProcessOperator<String, IN, OUT> {

    private static final long serialVersionUID = 1L;

    <F extends KeyedProcessFunction<String, IN, OUT> & HoldsState> HeldStateOperator(F function) {
        super(function);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        super.processWatermark(mark);
        ((HoldsState) getUserFunction()).flushHeld(this::setCurrentKey, false);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        ((HoldsState) getUserFunction()).flushHeld(this::setCurrentKey, true);
    }

    @Override
    public void finish() throws Exception {
        ((HoldsState) getUserFunction()).flushHeld(this::setCurrentKey, true);
        super.finish();
    }
}
