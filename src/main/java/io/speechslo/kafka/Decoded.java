package io.speechslo.kafka;

import org.apache.avro.specific.SpecificRecord;

/**
 * Outcome of decoding one Kafka record value: either a record of one of
 * {@link TelemetryDecoder#TARGETS} or the reason it could not be decoded. {@code schemaId} is the id read from the
 * header, or {@code null} when there was no valid header.
 */
public record Decoded(SpecificRecord record, DeadLetterReason reason, String detail, Integer schemaId) {

    public static Decoded ok(SpecificRecord record, int schemaId) {
        return new Decoded(record, null, null, schemaId);
    }

    public static Decoded failed(DeadLetterReason reason, String detail, Integer schemaId) {
        return new Decoded(null, reason, detail, schemaId);
    }

    public boolean isOk() {
        return record != null;
    }
}
