package io.speechslo.policy.load;

import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Redaction;
import io.speechslo.telemetry.Track;
import io.speechslo.telemetry.TtsRequest;

import java.time.Instant;

/** Hand-built telemetry records for tests: a healthy request, to be changed field by field. */
final class Telemetry {

    static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

    private Telemetry() {}

    static AsrRequest.Builder asr() {
        return AsrRequest.newBuilder()
                .setRequestId("asr-1").setEventTime(T0).setService("svc").setModelVersion("m1")
                .setTrack(Track.STABLE).setLanguage("en-US").setRegion("eu-west-1").setDevice("mobile")
                .setAcousticCondition("quiet").setOutcome(Outcome.OK).setAudioMs(4_000)
                .setFirstPartialMs(200L).setFinalizationMs(500L).setPartials(5).setPartialRewrites(1)
                .setRetries(0).setFallback(false).setRawAudioRetained(false).setSensitiveLogged(false)
                .setRedaction(Redaction.NOT_NEEDED);
    }

    static TtsRequest.Builder tts() {
        return TtsRequest.newBuilder()
                .setRequestId("tts-1").setEventTime(T0).setService("svc").setModelVersion("v1")
                .setTrack(Track.STABLE).setLanguage("en-US").setRegion("eu-west-1").setDevice("web")
                .setVoice("ava").setOutcome(Outcome.OK).setTextChars(120).setFirstAudioMs(180L)
                .setChunks(12).setUnderruns(0).setGeneratedMs(3_500).setInterrupted(false).setAbandoned(false)
                .setRetries(0).setFallback(false).setCacheHit(false).setSensitiveLogged(false);
    }
}
