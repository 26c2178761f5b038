package io.speechslo.testing;

import io.speechslo.telemetry.AccessPurpose;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.PrivacyEventKind;
import io.speechslo.telemetry.Redaction;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.Track;
import io.speechslo.telemetry.TtsRequest;

import java.time.Instant;

/**
 * Plausible, fully populated telemetry records for tests: every optional field set, so a round trip
 * that loses a field shows. Values derive from {@code n}, so records differ and stay deterministic.
 */
public final class TelemetrySamples {

    private TelemetrySamples() {}

    public static AsrRequest.Builder asr(int n, Instant eventTime) {
        return AsrRequest.newBuilder()
                .setRequestId("asr-" + n)
                .setEventTime(eventTime)
                .setService("dictation")
                .setModelVersion(n % 2 == 0 ? "asr-2024.06" : "asr-2024.07")
                .setTrack(n % 2 == 0 ? Track.STABLE : Track.CANARY)
                .setLanguage("en-US")
                .setRegion("eu-west-1")
                .setDevice("mobile")
                .setAcousticCondition("noisy")
                .setOutcome(Outcome.OK)
                .setAudioMs(4_000L + n)
                .setFirstPartialMs(180L + n % 50)
                .setFinalizationMs(320L + n % 70)
                .setPartials(7)
                .setPartialRewrites(2)
                .setRefWords(20)
                .setWordErrors(n % 3)
                .setEntityTotal(4)
                .setEntityErrors(n % 2)
                .setConfidence(0.9f)
                .setCorrections(0)
                .setSilenceRatio(0.25f)
                .setClippingRatio(0.01f)
                .setSnrDb(18.5f)
                .setSpeechLevelDbfs(-23.5f)
                .setQueueMs(5L)
                .setPreprocessMs(12L)
                .setModelMs(140L)
                .setBatchSize(8)
                .setRetries(0)
                .setFallback(false)
                .setCostUsd(0.0012)
                .setRawAudioRetained(false)
                .setSensitiveLogged(false)
                .setRedaction(Redaction.REDACTED)
                .setRefChars(110)
                .setCharErrors(n % 5)
                .setPool("gpu-eu-west-1");
    }

    public static TtsRequest.Builder tts(int n, Instant eventTime) {
        return TtsRequest.newBuilder()
                .setRequestId("tts-" + n)
                .setEventTime(eventTime)
                .setService("assistant-voice")
                .setModelVersion("tts-2024.05")
                .setTrack(Track.STABLE)
                .setLanguage("de-DE")
                .setRegion("eu-central-1")
                .setDevice("car")
                .setVoice("anna")
                .setOutcome(n % 5 == 0 ? Outcome.TIMEOUT : Outcome.OK)
                .setTextChars(120 + n)
                .setFirstAudioMs(210L + n % 40)
                .setChunks(6)
                .setMaxChunkGapMs(80L)
                .setUnderruns(n % 2)
                .setGeneratedMs(5_500L)
                .setInterrupted(false)
                .setAbandoned(false)
                .setPreference(4.5f)
                .setQueueMs(3L)
                .setModelMs(190L)
                .setRetries(1)
                .setFallback(false)
                .setCacheHit(n % 3 == 0)
                .setCostUsd(0.0004)
                .setSensitiveLogged(false)
                .setPool("gpu-eu-central-1");
    }

    /** A serving sample of a pool scaling up: two of three replicas ready, the third asked for 40 s ago. */
    public static ServingSample.Builder serving(int n, Instant sampleTime) {
        return ServingSample.newBuilder()
                .setSampleTime(sampleTime)
                .setService("dictation")
                .setModelVersion("asr-2024.06")
                .setPool("gpu-eu-west-1")
                .setReplica("replica-" + n % 3)
                .setGpuUtil(0.5f + n % 5 / 10f)
                .setGpuMemUsedBytes(12_000_000_000L + n)
                .setGpuMemTotalBytes(24_000_000_000L)
                .setQueueDepth(n % 7)
                .setDesiredReplicas(3)
                .setReadyReplicas(2)
                .setWarmPoolSize(1)
                .setPrecision("fp16")
                .setMaxBatchSize(8)
                .setScaleUpRequestedAt(sampleTime.minusSeconds(40));
    }

    /** A raw audio access for labelling, of a speaker who opted in. */
    public static PrivacyEvent.Builder privacy(int n, Instant eventTime) {
        return PrivacyEvent.newBuilder()
                .setEventTime(eventTime)
                .setService("dictation")
                .setModelVersion("asr-2024.06")
                .setKind(PrivacyEventKind.RAW_AUDIO_ACCESS)
                .setRequestId("asr-" + n)
                .setPurpose(AccessPurpose.LABELLING)
                .setOptedIn(true);
    }
}
