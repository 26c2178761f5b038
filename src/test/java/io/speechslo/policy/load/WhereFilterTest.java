package io.speechslo.policy.load;

import io.speechslo.metrics.Signal;
import io.speechslo.policy.RequestFilter;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Redaction;
import io.speechslo.telemetry.Track;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code where} predicates compiled against the generated classes. */
class WhereFilterTest {

    /** Compiles a where list written as YAML lines (each "- {field: ..., op: ...}"). */
    static RequestFilter where(Signal signal, String... predicates) {
        String yaml = predicates.length == 0 ? "[]" : String.join("\n", predicates);
        YamlNode node = PolicyLoader.documents(new PolicyLoader.PolicyFile("t.yaml", "t.yaml",
                yaml.getBytes(StandardCharsets.UTF_8))).get(0);
        return WhereCompiler.compile(TelemetrySchema.of(signal), node);
    }

    @Test
    void nullNeverMatchesAComparisonAndPresentFalseMatchesOnlyNull() {
        AsrRequest none = Telemetry.asr().setFirstPartialMs(null).build();
        AsrRequest some = Telemetry.asr().setFirstPartialMs(120L).build();
        for (String op : new String[] {"lte: 300", "gt: 0", "ne: 5", "notIn: [5]", "eq: 120", "in: [120]"}) {
            RequestFilter f = where(Signal.ASR, "- {field: first_partial_ms, " + op + "}");
            assertThat(f.test(none)).as(op + " on null").isFalse();
            assertThat(f.test(some)).as(op + " on 120").isTrue();
        }
        RequestFilter absent = where(Signal.ASR, "- {field: first_partial_ms, present: false}");
        RequestFilter present = where(Signal.ASR, "- {field: first_partial_ms, present: true}");
        assertThat(absent.test(none)).isTrue();
        assertThat(absent.test(some)).isFalse();
        assertThat(present.test(none)).isFalse();
        assertThat(present.test(some)).isTrue();
    }

    @Test
    void numericBoundsAreInclusiveOrExclusiveAsWritten() {
        AsrRequest at300 = Telemetry.asr().setAudioMs(300).build();
        assertThat(where(Signal.ASR, "- {field: audio_ms, lt: 300}").test(at300)).isFalse();
        assertThat(where(Signal.ASR, "- {field: audio_ms, lte: 300}").test(at300)).isTrue();
        assertThat(where(Signal.ASR, "- {field: audio_ms, gt: 300}").test(at300)).isFalse();
        assertThat(where(Signal.ASR, "- {field: audio_ms, gte: 300}").test(at300)).isTrue();
        assertThat(where(Signal.ASR, "- {field: partials, in: [1, 5, 9]}").test(at300)).isTrue();
        assertThat(where(Signal.ASR, "- {field: partials, notIn: [1, 5, 9]}").test(at300)).isFalse();
    }

    @Test
    void enumsCompareBySymbol() {
        RequestFilter bad = where(Signal.ASR, "- {field: outcome, notIn: [OK, CANCELLED]}");
        assertThat(bad.test(Telemetry.asr().setOutcome(Outcome.TIMEOUT).build())).isTrue();
        assertThat(bad.test(Telemetry.asr().setOutcome(Outcome.ERROR).build())).isTrue();
        assertThat(bad.test(Telemetry.asr().setOutcome(Outcome.OK).build())).isFalse();
        assertThat(bad.test(Telemetry.asr().setOutcome(Outcome.CANCELLED).build())).isFalse();
        RequestFilter notShadow = where(Signal.ASR, "- {field: track, ne: SHADOW}");
        assertThat(notShadow.test(Telemetry.asr().setTrack(Track.CANARY).build())).isTrue();
        assertThat(notShadow.test(Telemetry.asr().setTrack(Track.SHADOW).build())).isFalse();
        assertThat(where(Signal.ASR, "- {field: redaction, eq: FAILED}")
                .test(Telemetry.asr().setRedaction(Redaction.FAILED).build())).isTrue();
    }

    @Test
    void allPredicatesMustHold() {
        RequestFilter f = where(Signal.ASR, "- {field: language, in: [en-US, en-GB]}", "- {field: fallback, eq: false}",
                "- {field: cost_usd, gt: 0.01}");
        assertThat(f.test(Telemetry.asr().setCostUsd(0.02).build())).isTrue();
        assertThat(f.test(Telemetry.asr().setCostUsd(0.01).build())).isFalse();
        assertThat(f.test(Telemetry.asr().setCostUsd(0.02).setFallback(true).build())).isFalse();
        assertThat(f.test(Telemetry.asr().setCostUsd(0.02).setLanguage("de-DE").build())).isFalse();
        assertThat(f.test(Telemetry.asr().setCostUsd(null).build())).isFalse();
        assertThat(f.toString()).isEqualTo("language in [en-US, en-GB] and fallback eq false and cost_usd gt 0.01");
    }

    @Test
    void emptyWhereSelectsEveryRecordOfItsClassOnly() {
        RequestFilter all = where(Signal.ASR);
        assertThat(all.test(Telemetry.asr().setOutcome(Outcome.ERROR).build())).isTrue();
        assertThatThrownBy(() -> all.test(Telemetry.tts().build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AsrRequest").hasMessageContaining("TtsRequest");
    }

    @Test
    void eventTimeComparesAsAnInstant() {
        RequestFilter after = where(Signal.ASR, "- {field: event_time, gte: '2025-03-01T12:00:00Z'}");
        assertThat(after.test(Telemetry.asr().setEventTime(Instant.parse("2025-03-01T12:00:00Z")).build())).isTrue();
        assertThat(after.test(Telemetry.asr().setEventTime(Instant.parse("2025-03-01T11:59:59.999Z")).build())).isFalse();
        // Unquoted, YAML reads it as a timestamp: accepted the same way.
        RequestFilter before = where(Signal.ASR, "- {field: event_time, lt: 2025-03-01T12:00:00Z}");
        assertThat(before.test(Telemetry.asr().setEventTime(Instant.parse("2025-03-01T11:59:59.999Z")).build())).isTrue();
    }

    @Test
    void floatFieldsCompareAtFloatPrecision() {
        RequestFilter quiet = where(Signal.ASR, "- {field: silence_ratio, lte: 0.1}");
        assertThat(quiet.test(Telemetry.asr().setSilenceRatio(0.1f).build())).isTrue();
        assertThat(quiet.test(Telemetry.asr().setSilenceRatio(0.1001f).build())).isFalse();
        assertThat(quiet.test(Telemetry.asr().setSilenceRatio(Float.NaN).build())).isFalse();
    }

    @Test
    void ttsFieldsResolveToTtsPositions() {
        RequestFilter f = where(Signal.TTS, "- {field: voice, eq: ava}", "- {field: underruns, eq: 0}",
                "- {field: cache_hit, ne: true}");
        assertThat(f.test(Telemetry.tts().build())).isTrue();
        assertThat(f.test(Telemetry.tts().setVoice("bob").build())).isFalse();
        assertThat(f.test(Telemetry.tts().setCacheHit(true).build())).isFalse();
    }

    @Test
    void compiledFiltersSurviveJavaSerialization() throws Exception {
        RequestFilter f = where(Signal.ASR, "- {field: outcome, in: [OK, CANCELLED]}", "- {field: first_partial_ms, lte: 300}");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(f);
        }
        RequestFilter copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (RequestFilter) in.readObject();
        }
        assertThat(copy.test(Telemetry.asr().setFirstPartialMs(300L).build())).isTrue();
        assertThat(copy.test(Telemetry.asr().setFirstPartialMs(301L).build())).isFalse();
        assertThat(copy.test(Telemetry.asr().setOutcome(Outcome.TIMEOUT).build())).isFalse();
    }
}
