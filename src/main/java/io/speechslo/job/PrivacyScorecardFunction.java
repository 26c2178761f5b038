package io.speechslo.job;

import io.speechslo.scorecard.ScorecardKind;
import io.speechslo.scorecard.ScorecardValue;
import io.speechslo.privacy.PrivacyStats;
import io.speechslo.telemetry.PrivacyEvent;

import java.util.List;
import java.util.Map;

/** The PRIVACY scorecards: per service and model version (null: events of no version), every minute of privacy events. */
final class PrivacyScorecardFunction extends InputScorecardFunction<PrivacyEvent, PrivacyStats> {

    PrivacyScorecardFunction(long latenessMillis) {
        super(latenessMillis);
    }

    @Override
    org.apache.flink.api.common.state.MapStateDescriptor<String, byte[]> minutesState() {
        return States.PRIVACY_MINUTES;
    }

    @Override
    ScorecardKind kind() {
        return ScorecardKind.PRIVACY;
    }

    @Override
    long eventTime(PrivacyEvent in) {
        return in.getEventTime().toEpochMilli();
    }

    @Override
    String modelVersion(PrivacyEvent in) {
        return in.getModelVersion();
    }

    @Override
    Map<String, String> slice(PrivacyEvent in) {
        return Map.of();
    }

    @Override
    PrivacyStats empty() {
        return new PrivacyStats();
    }

    @Override
    void add(PrivacyStats stats, PrivacyEvent in) {
        stats.add(in);
    }

    @Override
    byte[] toBytes(PrivacyStats stats) {
        return stats.toBytes();
    }

    @Override
    PrivacyStats fromBytes(byte[] bytes) {
        return PrivacyStats.fromBytes(bytes);
    }

    @Override
    List<ScorecardValue> values(PrivacyStats stats) {
        return stats.values();
    }

    @Override
    PrivacyEvent unwrap(Ingested envelope) {
        return envelope.privacy;
    }
}
