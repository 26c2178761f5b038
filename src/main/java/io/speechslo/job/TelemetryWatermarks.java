package io.speechslo.job;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness over telemetry only: dead letters never move the watermark, so a record
 * rejected for a timestamp years in the future cannot make every later record late.
 */
final class TelemetryWatermarks implements WatermarkGenerator<Ingested> {

    private final long outOfOrderness;
    private long maxTimestamp;

    TelemetryWatermarks(long outOfOrdernessMillis) {
        this.outOfOrderness = outOfOrdernessMillis;
        this.maxTimestamp = Long.MIN_VALUE + outOfOrdernessMillis + 1;
    }

    @Override
    public void onEvent(Ingested event, long eventTimestamp, WatermarkOutput output) {
        if (!event.isDead()) {
            maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        output.emitWatermark(new Watermark(maxTimestamp - outOfOrderness - 1));
    }
}
