package io.speechslo.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speechslo.deadletter.DeadLetter;
import io.speechslo.telemetry.AccessPurpose;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.PrivacyEventKind;
import io.speechslo.telemetry.Redaction;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.TtsRequest;
import io.speechslo.testing.TelemetrySamples;

import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

class TelemetryValidatorTest {

    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
    private static final long REF = T0.toEpochMilli();
    private final TelemetryValidator validator = TelemetryValidator.withDefaults();

    @Test
    void plausibleRecordsPass() {
        assertThat(validator.validate(TelemetrySamples.asr(1, T0).build(), REF)).isEmpty();
        assertThat(validator.validate(TelemetrySamples.tts(1, T0).build(), REF)).isEmpty();
    }

    @Test
    void optionalFieldsMayBeAbsent() {
        AsrRequest asr = TelemetrySamples.asr(1, T0).setFirstPartialMs(null).setConfidence(null).setSnrDb(null)
                .setCostUsd(null).setRefWords(null).setWordErrors(null).build();
        TtsRequest tts = TelemetrySamples.tts(1, T0).setPreference(null).setFirstAudioMs(null).build();
        assertThat(validator.validate(asr, REF)).isEmpty();
        assertThat(validator.validate(tts, REF)).isEmpty();
    }

    @Test
    void blankDimensionsAreEmptyDimension() {
        assertRejected(TelemetrySamples.asr(1, T0).setAcousticCondition(" ").build(),
                DeadLetterReason.EMPTY_DIMENSION, "acoustic_condition is blank");
        assertRejected(TelemetrySamples.asr(1, T0).setModelVersion("").build(),
                DeadLetterReason.EMPTY_DIMENSION, "model_version is blank");
        assertRejected(TelemetrySamples.tts(1, T0).setVoice("\t").build(), DeadLetterReason.EMPTY_DIMENSION, "voice is blank");
        assertRejected(TelemetrySamples.tts(1, T0).setRegion("").build(), DeadLetterReason.EMPTY_DIMENSION, "region is blank");
        assertRejected(TelemetrySamples.asr(1, T0).setDevice(" \t\n ").build(), DeadLetterReason.EMPTY_DIMENSION, "device is blank");
        assertRejected(TelemetrySamples.asr(1, T0).setLanguage("\u2003\u3000").build(), // em space, ideographic space
                DeadLetterReason.EMPTY_DIMENSION, "language is blank");
    }

    @Test
    void valuesWithSomethingBesideWhitespaceAreNotBlank() {
        assertThat(validator.validate(TelemetrySamples.asr(1, T0).setDevice(" mobile").build(), REF)).isEmpty();
        assertThat(validator.validate(TelemetrySamples.asr(1, T0).setRegion("\teu-west").build(), REF)).isEmpty();
        assertThat(validator.validate(TelemetrySamples.tts(1, T0).setVoice("\u00a0").build(), REF)) // no-break space is not whitespace
                .isEmpty();
        assertThat(validator.validate(TelemetrySamples.tts(1, T0).setVoice("\uD83D\uDE00").build(), REF)).isEmpty();
    }

    @Test
    void impossibleAsrMeasurementsAreInvalidValue() {
        assertRejected(TelemetrySamples.asr(1, T0).setAudioMs(-1).build(), DeadLetterReason.INVALID_VALUE, "audio_ms is -1");
        assertRejected(TelemetrySamples.asr(1, T0).setFinalizationMs(-20L).build(),
                DeadLetterReason.INVALID_VALUE, "finalization_ms is -20");
        assertRejected(TelemetrySamples.asr(1, T0).setWordErrors(-2).build(), DeadLetterReason.INVALID_VALUE, "word_errors is -2");
        assertRejected(TelemetrySamples.asr(1, T0).setConfidence(1.5f).build(),
                DeadLetterReason.INVALID_VALUE, "confidence is 1.5, must be within [0, 1]");
        assertRejected(TelemetrySamples.asr(1, T0).setSilenceRatio(Float.NaN).build(),
                DeadLetterReason.INVALID_VALUE, "silence_ratio is NaN");
        assertRejected(TelemetrySamples.asr(1, T0).setClippingRatio(-0.1f).build(),
                DeadLetterReason.INVALID_VALUE, "clipping_ratio is -0.1");
        assertRejected(TelemetrySamples.asr(1, T0).setSnrDb(Float.POSITIVE_INFINITY).build(),
                DeadLetterReason.INVALID_VALUE, "snr_db is Infinity, must be finite");
        assertRejected(TelemetrySamples.asr(1, T0).setCostUsd(-0.01).build(), DeadLetterReason.INVALID_VALUE, "cost_usd is -0.01");
        assertRejected(TelemetrySamples.asr(1, T0).setCostUsd(Double.NaN).build(), DeadLetterReason.INVALID_VALUE, "cost_usd is NaN");
        assertRejected(TelemetrySamples.asr(1, T0).setRetries(-1).build(), DeadLetterReason.INVALID_VALUE, "retries is -1");
        assertRejected(TelemetrySamples.asr(1, T0).setRefChars(-3).build(), DeadLetterReason.INVALID_VALUE, "ref_chars is -3");
        assertRejected(TelemetrySamples.asr(1, T0).setCharErrors(-1).build(), DeadLetterReason.INVALID_VALUE, "char_errors is -1");
    }

    @Test
    void poolMayBeAbsentButNotBlank() {
        assertThat(validator.validate(TelemetrySamples.asr(1, T0).setPool(null).build(), REF)).isEmpty();
        assertThat(validator.validate(TelemetrySamples.tts(1, T0).setPool("gpu-eu").build(), REF)).isEmpty();
        assertRejected(TelemetrySamples.asr(1, T0).setPool(" ").build(), DeadLetterReason.EMPTY_DIMENSION, "pool is blank");
        assertRejected(TelemetrySamples.tts(1, T0).setPool("").build(), DeadLetterReason.EMPTY_DIMENSION, "pool is blank");
    }

    @Test
    void impossibleTtsMeasurementsAreInvalidValue() {
        assertRejected(TelemetrySamples.tts(1, T0).setPreference(0.5f).build(),
                DeadLetterReason.INVALID_VALUE, "preference is 0.5, must be within [1, 5]");
        assertRejected(TelemetrySamples.tts(1, T0).setPreference(5.5f).build(), DeadLetterReason.INVALID_VALUE, "preference is 5.5");
        assertRejected(TelemetrySamples.tts(1, T0).setFirstAudioMs(-3L).build(), DeadLetterReason.INVALID_VALUE, "first_audio_ms is -3");
        assertRejected(TelemetrySamples.tts(1, T0).setUnderruns(-1).build(), DeadLetterReason.INVALID_VALUE, "underruns is -1");
        assertRejected(TelemetrySamples.tts(1, T0).setGeneratedMs(-5).build(), DeadLetterReason.INVALID_VALUE, "generated_ms is -5");
        assertThat(validator.validate(TelemetrySamples.tts(1, T0).setPreference(1f).build(), REF)).isEmpty();
        assertThat(validator.validate(TelemetrySamples.tts(1, T0).setPreference(5f).build(), REF)).isEmpty();
    }

    @Test
    void eventTimeFarFromTheRecordTimestampIsRejected() {
        assertRejected(TelemetrySamples.asr(1, T0.plus(Duration.ofHours(2))).build(), DeadLetterReason.FUTURE_TIMESTAMP,
                "event_time 2025-03-01T12:00:00Z is PT2H ahead of the record timestamp 2025-03-01T10:00:00Z (limit PT1H)");
        assertRejected(TelemetrySamples.tts(1, T0.minus(Duration.ofDays(8))).build(), DeadLetterReason.PAST_TIMESTAMP,
                "is PT192H behind the record timestamp 2025-03-01T10:00:00Z (limit PT168H)");
    }

    @Test
    void limitsAreInclusiveAndConfigurable() {
        assertThat(validator.validate(TelemetrySamples.asr(1, T0.plus(Duration.ofHours(1))).build(), REF)).isEmpty();
        assertThat(validator.validate(TelemetrySamples.asr(1, T0.minus(Duration.ofDays(7))).build(), REF)).isEmpty();

        TelemetryValidator strict = new TelemetryValidator(Duration.ofSeconds(1), Duration.ofMinutes(1));
        assertThat(strict.validate(TelemetrySamples.asr(1, T0.plusSeconds(2)).build(), REF).map(Rejection::reason))
                .contains(DeadLetterReason.FUTURE_TIMESTAMP);
        assertThat(strict.validate(TelemetrySamples.asr(1, T0.minusSeconds(61)).build(), REF).map(Rejection::reason))
                .contains(DeadLetterReason.PAST_TIMESTAMP);
        assertThatThrownBy(() -> new TelemetryValidator(Duration.ofSeconds(-1), Duration.ZERO))
                .hasMessageContaining("maxFuture=PT-1S");
    }

    @Test
    void plausibleServingSamplesPass() {
        assertThat(validator.validate(TelemetrySamples.serving(1, T0).build(), REF)).isEmpty();
        // no scale-up pending, an idle GPU, a full one
        assertThat(validator.validate(TelemetrySamples.serving(1, T0).setScaleUpRequestedAt(null).setGpuUtil(0f)
                .setGpuMemUsedBytes(24_000_000_000L).build(), REF)).isEmpty();
        assertThat(validator.validate(TelemetrySamples.serving(1, T0).setGpuUtil(1f).setScaleUpRequestedAt(T0).build(), REF))
                .isEmpty();
    }

    @Test
    void servingSamplesWithBlankDimensionsOrImpossibleValuesAreRejected() {
        assertRejected(TelemetrySamples.serving(1, T0).setService(" ").build(), DeadLetterReason.EMPTY_DIMENSION, "service is blank");
        assertRejected(TelemetrySamples.serving(1, T0).setModelVersion("").build(), DeadLetterReason.EMPTY_DIMENSION,
                "model_version is blank");
        assertRejected(TelemetrySamples.serving(1, T0).setPool("\t").build(), DeadLetterReason.EMPTY_DIMENSION, "pool is blank");
        assertRejected(TelemetrySamples.serving(1, T0).setReplica("").build(), DeadLetterReason.EMPTY_DIMENSION, "replica is blank");
        // precision is counted by name (the cost drivers): a name like a dimension value
        assertRejected(TelemetrySamples.serving(1, T0).setPrecision(" ").build(), DeadLetterReason.EMPTY_DIMENSION,
                "precision is blank");
        assertRejected(TelemetrySamples.serving(1, T0).setPrecision("x".repeat(300)).build(),
                DeadLetterReason.BAD_DIMENSION, "precision is 300 characters long");
        assertRejected(TelemetrySamples.serving(1, T0).setGpuUtil(1.2f).build(), DeadLetterReason.INVALID_VALUE,
                "gpu_util is 1.2, must be within [0, 1]");
        assertRejected(TelemetrySamples.serving(1, T0).setGpuUtil(-0.1f).build(), DeadLetterReason.INVALID_VALUE, "gpu_util is -0.1");
        assertRejected(TelemetrySamples.serving(1, T0).setGpuUtil(Float.NaN).build(), DeadLetterReason.INVALID_VALUE, "gpu_util is NaN");
        assertRejected(TelemetrySamples.serving(1, T0).setGpuMemUsedBytes(-1).build(), DeadLetterReason.INVALID_VALUE,
                "gpu_mem_used_bytes is -1");
        assertRejected(TelemetrySamples.serving(1, T0).setGpuMemUsedBytes(24_000_000_001L).build(),
                DeadLetterReason.INVALID_VALUE, "gpu_mem_used_bytes is 24000000001, more than gpu_mem_total_bytes 24000000000");
        assertRejected(TelemetrySamples.serving(1, T0).setReadyReplicas(-1).build(), DeadLetterReason.INVALID_VALUE,
                "ready_replicas is -1");
        assertRejected(TelemetrySamples.serving(1, T0).setDesiredReplicas(-2).build(), DeadLetterReason.INVALID_VALUE,
                "desired_replicas is -2");
        assertRejected(TelemetrySamples.serving(1, T0).setQueueDepth(-3).build(), DeadLetterReason.INVALID_VALUE, "queue_depth is -3");
        assertRejected(TelemetrySamples.serving(1, T0).setWarmPoolSize(-1).build(), DeadLetterReason.INVALID_VALUE,
                "warm_pool_size is -1");
        assertRejected(TelemetrySamples.serving(1, T0).setScaleUpRequestedAt(T0.plusSeconds(5)).build(),
                DeadLetterReason.INVALID_VALUE, "scale_up_requested_at 2025-03-01T10:00:05Z is after sample_time");
    }

    @Test
    void plausiblePrivacyEventsOfEveryKindPass() {
        assertThat(validator.validate(TelemetrySamples.privacy(1, T0).build(), REF)).isEmpty();
        assertThat(validator.validate(TelemetrySamples.privacy(1, T0).setModelVersion(null).setOptedIn(false)
                .setPurpose(AccessPurpose.REVIEW).build(), REF)).isEmpty();
        assertThat(validator.validate(retention(10, 10).build(), REF)).isEmpty();
        assertThat(validator.validate(redaction(Redaction.FAILED).build(), REF)).isEmpty();
        assertThat(validator.validate(fixtureRun(12, 12).build(), REF)).isEmpty();
    }

    @Test
    void privacyEventsMissingWhatTheirKindNeedsOrWithImpossibleCountsAreInvalidValue() {
        assertRejected(TelemetrySamples.privacy(1, T0).setService("").build(), DeadLetterReason.EMPTY_DIMENSION, "service is blank");
        assertRejected(TelemetrySamples.privacy(1, T0).setModelVersion(" ").build(), DeadLetterReason.EMPTY_DIMENSION,
                "model_version is blank");
        assertRejected(TelemetrySamples.privacy(1, T0).setPurpose(null).build(), DeadLetterReason.INVALID_VALUE,
                "purpose is missing, required for kind RAW_AUDIO_ACCESS");
        assertRejected(TelemetrySamples.privacy(1, T0).setOptedIn(null).build(), DeadLetterReason.INVALID_VALUE,
                "opted_in is missing, required for kind RAW_AUDIO_ACCESS");
        assertRejected(retention(10, 11).build(), DeadLetterReason.INVALID_VALUE, "retention_done is 11, more than retention_due 10");
        assertRejected(retention(-1, 0).build(), DeadLetterReason.INVALID_VALUE, "retention_due is -1");
        assertRejected(retention(10, 5).setRetentionDone(null).build(), DeadLetterReason.INVALID_VALUE,
                "retention_done is missing, required for kind RETENTION");
        assertRejected(redaction(null).build(), DeadLetterReason.INVALID_VALUE, "redaction is missing, required for kind REDACTION");
        assertRejected(fixtureRun(5, 12).setFixtureSet(null).build(), DeadLetterReason.INVALID_VALUE,
                "fixture_set is missing, required for kind FIXTURE_RUN");
        assertRejected(fixtureRun(5, 12).setFixtureSet(" ").build(), DeadLetterReason.INVALID_VALUE, "fixture_set is missing");
        assertRejected(fixtureRun(13, 12).build(), DeadLetterReason.INVALID_VALUE,
                "fixture_slices_covered is 13, more than fixture_slices_total 12");
        assertRejected(fixtureRun(-1, 12).build(), DeadLetterReason.INVALID_VALUE, "fixture_slices_covered is -1");
        assertRejected(fixtureRun(5, 12).setFixtureSlicesTotal(null).build(), DeadLetterReason.INVALID_VALUE,
                "fixture_slices_total is missing, required for kind FIXTURE_RUN");
    }

    @Test
    void sampleAndEventTimesAreCheckedLikeTelemetry() {
        assertRejected(TelemetrySamples.serving(1, T0.plus(Duration.ofHours(2))).build(), DeadLetterReason.FUTURE_TIMESTAMP,
                "sample_time 2025-03-01T12:00:00Z is PT2H ahead of the record timestamp 2025-03-01T10:00:00Z (limit PT1H)");
        assertRejected(TelemetrySamples.privacy(1, T0.minus(Duration.ofDays(8))).build(), DeadLetterReason.PAST_TIMESTAMP,
                "event_time 2025-02-21T10:00:00Z is PT192H behind the record timestamp");
        assertThat(validator.validate(TelemetrySamples.serving(1, Instant.EPOCH).build(), -1)).isEmpty();
    }

    private static PrivacyEvent.Builder retention(int due, int done) {
        return PrivacyEvent.newBuilder().setEventTime(T0).setService("dictation").setKind(PrivacyEventKind.RETENTION)
                .setRetentionDue(due).setRetentionDone(done);
    }

    private static PrivacyEvent.Builder redaction(Redaction outcome) {
        return PrivacyEvent.newBuilder().setEventTime(T0).setService("dictation").setModelVersion("asr-2024.06")
                .setKind(PrivacyEventKind.REDACTION).setRequestId("asr-1").setRedaction(outcome);
    }

    private static PrivacyEvent.Builder fixtureRun(int covered, int total) {
        return PrivacyEvent.newBuilder().setEventTime(T0).setService("dictation").setModelVersion("asr-2024.07")
                .setKind(PrivacyEventKind.FIXTURE_RUN).setFixtureSet("accents-v3").setFixtureSlicesCovered(covered)
                .setFixtureSlicesTotal(total);
    }

    @Test
    void withoutRecordTimestampTheTimeIsNotComparedButMustLieBetween1970And9999() {
        assertThat(validator.validate(TelemetrySamples.asr(1, Instant.EPOCH).build(), -1)).isEmpty();
        assertThat(validator.validate(TelemetrySamples.asr(1, Instant.parse("9999-12-31T23:59:59.999Z")).build(), -1)).isEmpty();
        assertThat(validator.validate(TelemetrySamples.asr(1, Instant.ofEpochMilli(Long.MAX_VALUE)).build(), -1))
                .hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.FUTURE_TIMESTAMP));
        assertThat(validator.validate(TelemetrySamples.asr(1, Instant.ofEpochMilli(-1)).build(), -1))
                .hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.PAST_TIMESTAMP));
        // with a record timestamp at the end of time too: no sum overflows into a pass
        assertThat(validator.validate(TelemetrySamples.asr(1, T0).build(), Long.MAX_VALUE))
                .hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.PAST_TIMESTAMP));
        assertThat(validator.validate(TelemetrySamples.asr(1, Instant.ofEpochMilli(Long.MIN_VALUE)).build(), REF))
                .hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.PAST_TIMESTAMP));
    }

    @Test
    void overlongDimensionsAndNulAreBadDimension() {
        String max = "x".repeat(TelemetryValidator.MAX_DIMENSION_LENGTH);
        assertThat(validator.validate(TelemetrySamples.asr(1, T0).setRegion(max).build(), REF)).isEmpty();
        assertRejected(TelemetrySamples.asr(1, T0).setRegion(max + "x").build(), DeadLetterReason.BAD_DIMENSION,
                "region is 257 characters long, at most 256");
        assertRejected(TelemetrySamples.asr(1, T0).setLanguage("\u00e9".repeat(50_000)).build(), DeadLetterReason.BAD_DIMENSION,
                "language is 50000 characters long");
        // a NUL would split the job's keys (service NUL signal ...)
        assertRejected(TelemetrySamples.tts(1, T0).setService("a\u0000b").build(), DeadLetterReason.BAD_DIMENSION,
                "service holds a NUL character (U+0000) at index 1");
        assertRejected(TelemetrySamples.serving(1, T0).setReplica("r1\u0000").build(), DeadLetterReason.BAD_DIMENSION,
                "replica holds a NUL");
        // any other unicode is a value like any other
        for (String ok : new String[] {"\u0645\u0631\u062D\u0628\u0627", "\uD83C\uDF99\uFE0F mic", "e\u0301", "ja-JP \u6771\u4EAC", "web\u0085", "r\t1"}) {
            assertThat(validator.validate(TelemetrySamples.asr(1, T0).setRegion(ok).build(), REF)).as(ok).isEmpty();
        }
    }

    @Test
    void firstProblemWinsInFieldOrder() {
        AsrRequest twoProblems = TelemetrySamples.asr(1, T0.plus(Duration.ofDays(1))).setService("").setAudioMs(-1).build();
        assertRejected(twoProblems, DeadLetterReason.EMPTY_DIMENSION, "service is blank");
    }

    @Test
    void deadLetterKeepsWhereItCameFromAndTheBytes() {
        DeadLetter letter = DeadLetters.of("asr-telemetry", 3, 42L, "k".getBytes(), new byte[] {1, 2, 3},
                DeadLetterReason.INVALID_VALUE, "audio_ms is -1, must be >= 0", 7, REF);

        assertThat(letter.getSourceTopic()).isEqualTo("asr-telemetry");
        assertThat(letter.getPartition()).isEqualTo(3);
        assertThat(letter.getOffset()).isEqualTo(42L);
        assertThat(letter.getReason()).isEqualTo("invalid_value");
        assertThat(letter.getDetail()).isEqualTo("audio_ms is -1, must be >= 0");
        assertThat(letter.getSchemaId()).isEqualTo(7);
        assertThat(letter.getRecordTimestamp()).isEqualTo(REF);
        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap("k".getBytes()));
        assertThat(letter.getRaw()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));

        DeadLetter bare = DeadLetters.of("t", 0, 0L, null, null, DeadLetterReason.BAD_MAGIC_BYTE, "empty", null, -1);
        assertThat(bare.getKey()).isNull();
        assertThat(bare.getRaw()).isNull();
        assertThat(bare.getSchemaId()).isNull();
        assertThat(bare.getRecordTimestamp()).isNull();
    }

    private void assertRejected(SpecificRecord record, DeadLetterReason reason, String detailPart) {
        Optional<Rejection> rejection = validator.validate(record, REF);
        assertThat(rejection).isPresent();
        assertThat(rejection.get().reason()).isEqualTo(reason);
        assertThat(rejection.get().detail()).contains(detailPart);
    }
}
