package io.speechslo.job;

import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/** {@link HeldStateOperator} for a function of two inputs: Flink's keyed co-process operator otherwise. */
final class HeldStateCoOperator<IN1, IN2, OUT> extends KeyedCoProcessOperator<String, IN1, IN2, OUT> {

    private static final long serialVersionUID = 1L;

    <F extends KeyedCoProcessFunction<String, IN1, IN2, OUT> & HoldsState> HeldStateCoOperator(F function) {
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
