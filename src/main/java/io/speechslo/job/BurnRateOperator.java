package io.speechslo.job;

import io.speechslo.advisory.Advisory;

import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * Flink's keyed process operator for the {@link BurnRateFunction} (same timers, same state, so a
 * savepoint restores whichever ran it), plus the points at which the function's held monitors
 * ({@link HeldMonitors}) are written back to keyed state: before every checkpoint barrier, at the end
 * of the input, and after a watermark step once too many are held.
 */
final class BurnRateOperator extends KeyedProcessOperator<String, BurnTick, Advisory> {

    private static final long serialVersionUID = 1L;

    BurnRateOperator(BurnRateFunction function) {
        super(function);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        super.processWatermark(mark);
        if (held().full()) {
            flush();
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private HeldMonitors<?> held() {
        return ((BurnRateFunction) getUserFunction()).held();
    }

    private void flush() throws Exception {
        held().flush(this::setCurrentKey);
    }
}
