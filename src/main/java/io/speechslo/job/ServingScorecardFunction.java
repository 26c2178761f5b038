package io.speechslo.job;

import io.speechslo.metrics.Signal;
import io.speechslo.scorecard.ScorecardKind;
import io.speechslo.scorecard.ScorecardValue;
import io.speechslo.serving.ServingStats;
import io.speechslo.telemetry.ServingSample;

import java.util.List;
import java.util.Map;

/**
 * The SERVING scorecards: per service, model version and pool, every minute of serving samples. Each
 * minute also goes to slice drift's cost monitor ({@link Tags#SERVING_MINUTES}), once per signal.
 */
final class ServingScorecardFunction extends InputScorecardFunction<ServingSample, ServingStats> {

    ServingScorecardFunction(long latenessMillis) {
        super(latenessMillis);
    }

    @Override
    org.apache.flink.api.common.state.MapStateDescriptor<String, byte[]> minutesState() {
        return States.SERVING_MINUTES;
    }

    @Override
    ScorecardKind kind() {
        return ScorecardKind.SERVING;
    }

    @Override
    long eventTime(ServingSample in) {
        return in.getSampleTime().toEpochMilli();
    }

    @Override
    String modelVersion(ServingSample in) {
        return in.getModelVersion();
    }

    @Override
    Map<String, String> slice(ServingSample in) {
        return Map.of("pool", in.getPool());
    }

    @Override
    ServingStats empty() {
        return new ServingStats();
    }

    @Override
    void add(ServingStats stats, ServingSample in) {
        stats.add(in);
    }

    @Override
    byte[] toBytes(ServingStats stats) {
        return stats.toBytes();
    }

    @Override
    ServingStats fromBytes(byte[] bytes) {
        return ServingStats.fromBytes(bytes);
    }

    @Override
    List<ScorecardValue> values(ServingStats stats) {
        return stats.values();
    }

    @Override
    void closed(OnTimerContext ctx, String version, Map<String, String> slice, long minuteEnd, byte[] stats) {
        for (Signal signal : Signal.values()) {
            ctx.output(Tags.SERVING_MINUTES, PaneRecord.servingMinute(ctx.getCurrentKey(), signal, version,
                    slice.get("pool"), minuteEnd, stats));
        }
    }

    @Override
    ServingSample unwrap(Ingested envelope) {
        return envelope.serving;
    }
}
