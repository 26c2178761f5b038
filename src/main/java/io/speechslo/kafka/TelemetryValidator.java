package io.speechslo.kafka;

import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.PrivacyEventKind;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.specific.SpecificRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks a decoded telemetry record before it reaches any metric: blank slice dimensions
 * ({@code empty_dimension}), dimension values longer than {@value #MAX_DIMENSION_LENGTH} characters or
 * holding a NUL ({@code bad_dimension}: a request id or a 100 kB blob in a dimension is not a cohort,
 * and a NUL would split the job's keys, which it joins), impossible measurements ({@code invalid_value}: negative durations,
 * counts or cost, NaN or infinite numbers, ratios outside [0, 1], preference outside [1, 5]) and an
 * event time too far from the Kafka record timestamp ({@code future_timestamp},
 * {@code past_timestamp}; an event time before 1970 or after 9999 always is, with or without a record
 * timestamp, so pane arithmetic near the ends of {@code long} never overflows). The first problem found is reported; details name the field and value.
 * Stateless and thread-safe.
 *
 * <p>Serving samples and privacy events are checked the same way, their sample or event time against
 * the record timestamp with the same limits. What would make their figures wrong is
 * {@code invalid_value} too: memory in use above the device's, a scale-up requested after the sample
 * that reports it, more recordings deleted than were due, more fixture slices covered than given, and
 * a field its kind needs that is missing (a raw audio access that does not say why or whether the
 * speaker opted in would hide exactly what the privacy view is there to count). A missing field is
 * an impossible value of the event, not a new kind of problem, so it has no reason code of its own;
 * the detail names the field and the kind.
 */
public final class TelemetryValidator {

    public static final Duration DEFAULT_MAX_FUTURE = Duration.ofHours(1);
    public static final Duration DEFAULT_MAX_PAST = Duration.ofDays(7);
    /** The longest dimension value (in UTF-16 characters) that is taken as a cohort. */
    public static final int MAX_DIMENSION_LENGTH = 256;
    /** 9999-12-31T23:59:59.999Z: later event times are refused whatever the record timestamp. */
    static final long LATEST_EVENT_TIME = 253_402_300_799_999L;

    /** The character the job joins key parts with; no dimension value may hold it. */
    private static final class Keys {
        static final char NUL = '\u0000';
    }

    private final long maxFutureMillis;
    private final long maxPastMillis;
    private final Duration maxFuture;
    private final Duration maxPast;

    /**
     * @param maxFuture how far the event time may be ahead of the record timestamp
     * @param maxPast how far the event time may be behind the record timestamp
     */
    public TelemetryValidator(Duration maxFuture, Duration maxPast) {
        if (maxFuture.isNegative() || maxPast.isNegative()) {
            throw new IllegalArgumentException("timestamp limits must not be negative: maxFuture=" + maxFuture
                    + ", maxPast=" + maxPast);
        }
        this.maxFuture = maxFuture;
        this.maxPast = maxPast;
        this.maxFutureMillis = maxFuture.toMillis();
        this.maxPastMillis = maxPast.toMillis();
    }

    /** One hour ahead, seven days behind. */
    public static TelemetryValidator withDefaults() {
        return new TelemetryValidator(DEFAULT_MAX_FUTURE, DEFAULT_MAX_PAST);
    }

    /**
     * @param record an {@link AsrRequest}, {@link TtsRequest}, {@link ServingSample} or {@link PrivacyEvent}
     * @param referenceMillis the Kafka record timestamp; negative (no timestamp) skips the comparison with it
     * @return the first problem, or empty when the record is usable
     */
    public Optional<Rejection> validate(SpecificRecord record, long referenceMillis) {
        Check check = new Check();
        Instant eventTime;
        if (record instanceof AsrRequest a) {
            check.dimension("service", a.getService())
                    .dimension("model_version", a.getModelVersion())
                    .dimension("language", a.getLanguage())
                    .dimension("region", a.getRegion())
                    .dimension("device", a.getDevice())
                    .dimension("acoustic_condition", a.getAcousticCondition())
                    .atLeastZero("audio_ms", a.getAudioMs())
                    .atLeastZero("first_partial_ms", a.getFirstPartialMs())
                    .atLeastZero("finalization_ms", a.getFinalizationMs())
                    .atLeastZero("partials", a.getPartials())
                    .atLeastZero("partial_rewrites", a.getPartialRewrites())
                    .atLeastZero("ref_words", a.getRefWords())
                    .atLeastZero("word_errors", a.getWordErrors())
                    .atLeastZero("entity_total", a.getEntityTotal())
                    .atLeastZero("entity_errors", a.getEntityErrors())
                    .within("confidence", a.getConfidence(), 0, 1)
                    .atLeastZero("corrections", a.getCorrections())
                    .within("silence_ratio", a.getSilenceRatio(), 0, 1)
                    .within("clipping_ratio", a.getClippingRatio(), 0, 1)
                    .finite("snr_db", a.getSnrDb())
                    .finite("speech_level_dbfs", a.getSpeechLevelDbfs())
                    .atLeastZero("queue_ms", a.getQueueMs())
                    .atLeastZero("preprocess_ms", a.getPreprocessMs())
                    .atLeastZero("model_ms", a.getModelMs())
                    .atLeastZero("batch_size", a.getBatchSize())
                    .atLeastZero("retries", a.getRetries())
                    .atLeastZero("cost_usd", a.getCostUsd())
                    .atLeastZero("ref_chars", a.getRefChars())
                    .atLeastZero("char_errors", a.getCharErrors())
                    .optionalDimension("pool", a.getPool());
            eventTime = a.getEventTime();
        } else if (record instanceof TtsRequest t) {
            check.dimension("service", t.getService())
                    .dimension("model_version", t.getModelVersion())
                    .dimension("language", t.getLanguage())
                    .dimension("region", t.getRegion())
                    .dimension("device", t.getDevice())
                    .dimension("voice", t.getVoice())
                    .atLeastZero("text_chars", t.getTextChars())
                    .atLeastZero("first_audio_ms", t.getFirstAudioMs())
                    .atLeastZero("chunks", t.getChunks())
                    .atLeastZero("max_chunk_gap_ms", t.getMaxChunkGapMs())
                    .atLeastZero("underruns", t.getUnderruns())
                    .atLeastZero("generated_ms", t.getGeneratedMs())
                    .within("preference", t.getPreference(), 1, 5)
                    .atLeastZero("queue_ms", t.getQueueMs())
                    .atLeastZero("model_ms", t.getModelMs())
                    .atLeastZero("retries", t.getRetries())
                    .atLeastZero("cost_usd", t.getCostUsd())
                    .optionalDimension("pool", t.getPool());
            eventTime = t.getEventTime();
        } else if (record instanceof ServingSample s) {
            check.dimension("service", s.getService())
                    .dimension("model_version", s.getModelVersion())
                    .dimension("pool", s.getPool())
                    .dimension("replica", s.getReplica())
                    .within("gpu_util", s.getGpuUtil(), 0, 1)
                    .atLeastZero("gpu_mem_used_bytes", s.getGpuMemUsedBytes())
                    .atLeastZero("gpu_mem_total_bytes", s.getGpuMemTotalBytes())
                    .atMost("gpu_mem_used_bytes", s.getGpuMemUsedBytes(), "gpu_mem_total_bytes", s.getGpuMemTotalBytes())
                    .atLeastZero("queue_depth", s.getQueueDepth())
                    .atLeastZero("desired_replicas", s.getDesiredReplicas())
                    .atLeastZero("ready_replicas", s.getReadyReplicas())
                    .atLeastZero("warm_pool_size", s.getWarmPoolSize())
                    .atLeastZero("max_batch_size", s.getMaxBatchSize())
                    .dimension("precision", s.getPrecision()) // counted by name for the cost drivers
                    .notAfter("scale_up_requested_at", s.getScaleUpRequestedAt(), "sample_time", s.getSampleTime());
            eventTime = s.getSampleTime();
        } else if (record instanceof PrivacyEvent p) {
            check.dimension("service", p.getService())
                    .optionalDimension("model_version", p.getModelVersion())
                    .atLeastZero("retention_due", p.getRetentionDue())
                    .atLeastZero("retention_done", p.getRetentionDone())
                    .atMost("retention_done", p.getRetentionDone(), "retention_due", p.getRetentionDue())
                    .atLeastZero("fixture_slices_covered", p.getFixtureSlicesCovered())
                    .atLeastZero("fixture_slices_total", p.getFixtureSlicesTotal())
                    .atMost("fixture_slices_covered", p.getFixtureSlicesCovered(), "fixture_slices_total",
                            p.getFixtureSlicesTotal());
            PrivacyEventKind kind = p.getKind();
            if (kind == PrivacyEventKind.RAW_AUDIO_ACCESS) {
                check.present("purpose", p.getPurpose(), kind).present("opted_in", p.getOptedIn(), kind);
            } else if (kind == PrivacyEventKind.RETENTION) {
                check.present("retention_due", p.getRetentionDue(), kind).present("retention_done", p.getRetentionDone(), kind);
            } else if (kind == PrivacyEventKind.REDACTION) {
                check.present("redaction", p.getRedaction(), kind);
            } else if (kind == PrivacyEventKind.FIXTURE_RUN) {
                check.present("fixture_set", Check.blank(p.getFixtureSet()) ? null : p.getFixtureSet(), kind)
                        .present("fixture_slices_covered", p.getFixtureSlicesCovered(), kind)
                        .present("fixture_slices_total", p.getFixtureSlicesTotal(), kind);
            }
            eventTime = p.getEventTime();
        } else {
            throw new IllegalArgumentException("not a telemetry record: "
                    + (record == null ? "null" : record.getSchema().getFullName()));
        }
        if (check.found == null) {
            checkTime(check, record instanceof ServingSample ? "sample_time" : "event_time", eventTime, referenceMillis);
        }
        return Optional.ofNullable(check.found);
    }

    /** Differences, not sums, below: with the event time within 1970..9999 none can overflow. */
    private void checkTime(Check check, String field, Instant eventTime, long referenceMillis) {
        long event = eventTime.toEpochMilli();
        if (event < 0) {
            check.found = new Rejection(DeadLetterReason.PAST_TIMESTAMP, field + " " + eventTime + " is before 1970");
        } else if (event > LATEST_EVENT_TIME) {
            check.found = new Rejection(DeadLetterReason.FUTURE_TIMESTAMP, field + " " + eventTime + " is after 9999");
        } else if (referenceMillis < 0) {
            return; // no record timestamp (a file): nothing to compare with
        } else if (event - referenceMillis > maxFutureMillis) {
            check.found = new Rejection(DeadLetterReason.FUTURE_TIMESTAMP, field + " " + eventTime + " is "
                    + Duration.ofMillis(event - referenceMillis) + " ahead of the record timestamp "
                    + Instant.ofEpochMilli(referenceMillis) + " (limit " + maxFuture + ")");
        } else if (referenceMillis - event > maxPastMillis) {
            check.found = new Rejection(DeadLetterReason.PAST_TIMESTAMP, field + " " + eventTime + " is "
                    + Duration.ofMillis(referenceMillis - event) + " behind the record timestamp "
                    + Instant.ofEpochMilli(referenceMillis) + " (limit " + maxPast + ")");
        }
    }

    /** Records the first failed check; later checks are no-ops once one failed. */
    private static final class Check {
        Rejection found;

        private Check fail(DeadLetterReason reason, String detail) {
            found = new Rejection(reason, detail);
            return this;
        }

        Check dimension(String field, String value) {
            if (found != null) {
                return this;
            }
            if (blank(value)) {
                return fail(DeadLetterReason.EMPTY_DIMENSION, field + " is blank ('" + Objects.toString(value, "") + "')");
            }
            if (value.length() > MAX_DIMENSION_LENGTH) {
                return fail(DeadLetterReason.BAD_DIMENSION, field + " is " + value.length() + " characters long, at most "
                        + MAX_DIMENSION_LENGTH + " (it begins '" + value.substring(0, 40) + "')");
            }
            int nul = value.indexOf(Keys.NUL);
            if (nul >= 0) {
                return fail(DeadLetterReason.BAD_DIMENSION, field + " holds a NUL character (U+0000) at index " + nul);
            }
            return this;
        }

        /** An optional dimension: absent (null) is fine, present must not be blank. */
        Check optionalDimension(String field, String value) {
            return value == null ? this : dimension(field, value);
        }

        /**
         * {@link String#isBlank()}, answered from the first character for the usual value, which starts
         * with a printable ASCII character other than a space; any other first character takes
         * {@code isBlank}.
         */
        private static boolean blank(String value) {
            if (value == null || value.isEmpty()) {
                return true;
            }
            char first = value.charAt(0);
            return (first <= ' ' || first >= 0x7f) && value.isBlank();
        }

        Check atLeastZero(String field, long value) {
            if (found == null && value < 0) {
                return fail(DeadLetterReason.INVALID_VALUE, field + " is " + value + ", must be >= 0");
            }
            return this;
        }

        Check atLeastZero(String field, Long value) {
            return value == null ? this : atLeastZero(field, value.longValue());
        }

        Check atLeastZero(String field, Integer value) {
            return value == null ? this : atLeastZero(field, value.longValue());
        }

        Check atLeastZero(String field, Double value) {
            if (found == null && value != null && !(value >= 0 && value < Double.POSITIVE_INFINITY)) {
                return fail(DeadLetterReason.INVALID_VALUE, field + " is " + value + ", must be finite and >= 0");
            }
            return this;
        }

        /** {@code value <= limit} when both are present: a part cannot exceed its whole. */
        Check atMost(String field, Number value, String limitField, Number limit) {
            if (found == null && value != null && limit != null && value.longValue() > limit.longValue()) {
                return fail(DeadLetterReason.INVALID_VALUE, field + " is " + value + ", more than " + limitField
                        + " " + limit);
            }
            return this;
        }

        /** A time that must not come after another (when both are present). */
        Check notAfter(String field, Instant value, String laterField, Instant later) {
            if (found == null && value != null && later != null && value.isAfter(later)) {
                return fail(DeadLetterReason.INVALID_VALUE, field + " " + value + " is after " + laterField + " "
                        + later);
            }
            return this;
        }

        /** A field that an event of {@code kind} cannot do without. */
        Check present(String field, Object value, PrivacyEventKind kind) {
            if (found == null && value == null) {
                return fail(DeadLetterReason.INVALID_VALUE, field + " is missing, required for kind " + kind);
            }
            return this;
        }

        Check within(String field, Float value, int min, int max) {
            if (found == null && value != null && !(value >= min && value <= max)) {
                return fail(DeadLetterReason.INVALID_VALUE, field + " is " + value + ", must be within [" + min + ", " + max + "]");
            }
            return this;
        }

        Check finite(String field, Float value) {
            if (found == null && value != null && !Float.isFinite(value)) {
                return fail(DeadLetterReason.INVALID_VALUE, field + " is " + value + ", must be finite");
            }
            return this;
        }
    }
}
