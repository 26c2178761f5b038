package io.speechslo.kafka;

/** Why a telemetry record became a dead letter; {@link #code()} is what goes into DeadLetter.reason. */
public enum DeadLetterReason {
    /** The value is empty or does not start with the Confluent magic byte 0. */
    BAD_MAGIC_BYTE("bad_magic_byte"),
    /** The registry has no schema under the id in the value's header. */
    UNKNOWN_SCHEMA_ID("unknown_schema_id"),
    /** Truncated or garbage Avro, a writer schema our reader cannot resolve, or not a telemetry record. */
    UNDECODABLE("undecodable"),
    /**
     * A measurement is negative, NaN, infinite or outside its range, a part exceeds its whole (memory
     * used above the device's, recordings deleted above those due), or a field the record's kind cannot
     * do without is missing (a raw audio access without purpose or opt-in): the detail names the field.
     */
    INVALID_VALUE("invalid_value"),
    /** A slice dimension (or a serving sample's service, version, pool or replica) is blank. */
    EMPTY_DIMENSION("empty_dimension"),
    /**
     * A slice dimension (or a service, version, pool or replica) is longer than
     * {@link TelemetryValidator#MAX_DIMENSION_LENGTH} characters or holds a NUL: a value that long is
     * an id or a blob, not a cohort, and a NUL would split the job's keys, which it joins.
     */
    BAD_DIMENSION("bad_dimension"),
    /** The event time is too far ahead of the Kafka record timestamp. */
    FUTURE_TIMESTAMP("future_timestamp"),
    /** The event time is too far behind the Kafka record timestamp. */
    PAST_TIMESTAMP("past_timestamp"),
    /** The record arrived after its window was closed. */
    LATE("late");

    private final String code;

    DeadLetterReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
