package io.speechslo.kafka;

import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.specific.SpecificRecord;

/** What every input record has, whatever its schema. */
public final class TelemetryRecords {

    private TelemetryRecords() {}

    /**
     * Event time in epoch millis of an input record: a request's or privacy event's event_time, a
     * serving sample's sample_time.
     */
    public static long eventTime(SpecificRecord r) {
        if (r instanceof AsrRequest a) {
            return a.getEventTime().toEpochMilli();
        }
        if (r instanceof TtsRequest t) {
            return t.getEventTime().toEpochMilli();
        }
        if (r instanceof ServingSample s) {
            return s.getSampleTime().toEpochMilli();
        }
        if (r instanceof PrivacyEvent p) {
            return p.getEventTime().toEpochMilli();
        }
        throw new IllegalArgumentException("not an input record: " + (r == null ? "null" : r.getSchema().getFullName()));
    }
}
