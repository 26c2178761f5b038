package io.speechslo.generate;

import io.speechslo.metrics.Signal;

import java.util.ArrayList;
import java.util.List;

/**
 * The knobs of generated telemetry: every per-request distribution a scenario can set for a service
 * ({@code base}), for a cohort ({@code profiles}) and adjust from a point in time ({@code changes}).
 *
 * <ul>
 *   <li>{@link Kind#RATE}: a probability per request, 0..1. Adjustments apply to the probability.
 *   <li>{@link Kind#AMOUNT}: a non-negative amount (a cost rate, a mean score). Adjustments apply to it.
 *   <li>{@link Kind#LOGNORMAL}: a heavy-tailed per-request value, set as {@code {median, p99}}.
 *       Adjustments apply to every drawn value (x1.5 multiplies each latency, +40 adds 40 ms).
 *   <li>{@link Kind#FEATURE}: an audio feature, set as its mean; each request draws around it with a
 *       fixed spread (normal with {@link #spread()}, or exponential when the spread is 0) and is
 *       clamped to {@link #min()}..{@link #max()}. Adjustments apply to every drawn value.
 * </ul>
 */
public enum Quantity {
    LABELLED_RATE("labelledRate", null, Kind.RATE, 0.1, 0, 0, 1,
            "share of requests that are labelled (ASR: ref_words, word_errors, entities) or rated (TTS: preference)"),
    TIMEOUT_RATE("timeoutRate", null, Kind.RATE, 0.00001, 0, 0, 1, "share of requests that end TIMEOUT"),
    ERROR_RATE("errorRate", null, Kind.RATE, 0.00001, 0, 0, 1, "share of requests that end ERROR"),
    CANCEL_RATE("cancelRate", null, Kind.RATE, 0.002, 0, 0, 1, "share of requests the caller cancels"),
    SENSITIVE_LOGGING_RATE("sensitiveLoggingRate", null, Kind.RATE, 0, 0, 0, 1,
            "share of requests whose transcript or text reaches the logs"),
    RETRY_RATE("retryRate", null, Kind.RATE, 0.005, 0, 0, 1,
            "share of answered requests that needed one retry (a timeout always retries); a retried request"
                    + " costs its attempts"),
    MODEL_TIME("modelTime", null, Kind.AMOUNT, 1, 0, 0.01, 100,
            "model time per unit of audio, relative (2 = twice the GPU time, and so twice the compute cost)"),
    FALLBACK_RATE("fallbackRate", null, Kind.RATE, 0, 0, 0, 1,
            "share of answered requests the primary path failed and a fallback path answered (fallback=true):"
                    + " such a request pays for both, twice its cost"),
    COST_PER_REQUEST("costPerRequest", null, Kind.AMOUNT, 0, 0, 0, 1000,
            "USD every attempt costs on top of its length-priced cost (set-up, network, minimum billing):"
                    + " shorter requests then cost more per unit"),
    OVERFLOW_RATE("overflowRate", null, Kind.RATE, 0, 0, 0, 1,
            "share of requests answered by their region's overflow pool (pool gpu-<region>-overflow)"),
    OVERFLOW_PRICE("overflowPrice", null, Kind.AMOUNT, 2.5, 0, 0, 100,
            "cost of a request answered by an overflow pool, relative to its region's pool"),
    SHADOW_RATE("shadowRate", null, Kind.RATE, 0, 0, 0, 1,
            "share of requests the service's shadow deployment (shadow.version) also answers: a mirrored copy"
                    + " of the same slice and time, track SHADOW, pool gpu-<region>-shadow, request id"
                    + " <id>-shadow, its own draws; it costs and counts toward nothing user-facing"
                    + " (the base value is shadow.share)"),
    QUEUE_DELAY_MS("queueDelayMs", null, Kind.AMOUNT, 0, 0, 0, 600_000,
            "extra time every request waits in the queue, ms (a backlog): added to queue_ms and to the"
                    + " request's latencies (ASR first partial and final result, TTS first audio)"),

    AUDIO_MS("audioMs", Signal.ASR, Kind.LOGNORMAL, 5000, 30000, 200, 600_000, "audio duration, ms"),
    WER("wer", Signal.ASR, Kind.RATE, 0.08, 0, 0, 1, "word error probability of labelled requests"),
    ENTITY_ERROR_RATE("entityErrorRate", Signal.ASR, Kind.RATE, 0.10, 0, 0, 1, "entity error probability"),
    FIRST_PARTIAL_MS("firstPartialMs", Signal.ASR, Kind.LOGNORMAL, 120, 250, 0, 600_000, "time to first partial, ms"),
    FINALIZATION_MS("finalizationMs", Signal.ASR, Kind.LOGNORMAL, 350, 700, 0, 600_000,
            "end of speech to final result, ms"),
    COST_PER_AUDIO_MINUTE("costPerAudioMinute", Signal.ASR, Kind.AMOUNT, 0.006, 0, 0, 1000, "USD per audio minute"),
    BATCH_SIZE("batchSize", Signal.ASR, Kind.AMOUNT, 8, 0, 1, 1024,
            "largest batch: each request shares the GPU with 1..batchSize (uniform); compute cost per request"
                    + " scales with 1 / mean batch"),
    PREPROCESS_DELAY_MS("preprocessDelayMs", Signal.ASR, Kind.AMOUNT, 0, 0, 0, 600_000,
            "extra preprocessing time per request, ms: added to preprocess_ms and to the first partial and"
                    + " final result"),
    SILENCE_RATIO("silenceRatio", Signal.ASR, Kind.FEATURE, 0.2, 0.06, 0, 1, "share of the audio that is silence"),
    CLIPPING_RATIO("clippingRatio", Signal.ASR, Kind.FEATURE, 0.0005, 0, 0, 1,
            "share of clipped samples (exponential around its mean)"),
    SNR_DB("snrDb", Signal.ASR, Kind.FEATURE, 22, 4, -20, 80, "signal-to-noise ratio, dB"),
    SPEECH_LEVEL_DBFS("speechLevelDbfs", Signal.ASR, Kind.FEATURE, -26, 3, -90, 0, "speech level, dBFS"),

    TEXT_CHARS("textChars", Signal.TTS, Kind.LOGNORMAL, 120, 600, 1, 20_000, "characters to synthesize"),
    FIRST_AUDIO_MS("firstAudioMs", Signal.TTS, Kind.LOGNORMAL, 120, 220, 0, 600_000, "request to first audio byte, ms"),
    CHUNK_GAP_MS("chunkGapMs", Signal.TTS, Kind.LOGNORMAL, 40, 120, 0, 600_000,
            "largest gap between audio chunks, ms"),
    UNDERRUN_RATE("underrunRate", Signal.TTS, Kind.RATE, 0.0005, 0, 0, 1, "share of playbacks with an underrun"),
    INTERRUPTION_RATE("interruptionRate", Signal.TTS, Kind.RATE, 0.04, 0, 0, 1, "share the listener barges in on"),
    ABANDONMENT_RATE("abandonmentRate", Signal.TTS, Kind.RATE, 0.01, 0, 0, 1, "share abandoned"),
    PREFERENCE("preference", Signal.TTS, Kind.AMOUNT, 4.0, 0, 1, 5,
            "mean listener rating (MOS 1-5); each rating is drawn around it and rounded to a whole score"),
    COST_PER_GENERATED_SECOND("costPerGeneratedSecond", Signal.TTS, Kind.AMOUNT, 0.00002, 0, 0, 1000,
            "USD per generated audio second"),
    CACHE_HIT_RATE("cacheHitRate", Signal.TTS, Kind.RATE, 0.08, 0, 0, 1,
            "share of requests answered from the cache, at 5% of the cost of synthesis");

    /** How a quantity is set, drawn and adjusted; see the class comment. */
    public enum Kind { RATE, AMOUNT, LOGNORMAL, FEATURE }

    private final String id;
    private final Signal signal;
    private final Kind kind;
    private final double value;
    private final double second;
    private final double min;
    private final double max;
    private final String description;

    Quantity(String id, Signal signal, Kind kind, double value, double second, double min, double max,
            String description) {
        this.id = id;
        this.signal = signal;
        this.kind = kind;
        this.value = value;
        this.second = second;
        this.min = min;
        this.max = max;
        this.description = description;
    }

    /** The name in scenario files. */
    public String id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    /** True when services of this signal have the quantity. */
    public boolean appliesTo(Signal s) {
        return signal == null || signal == s;
    }

    /** The default: the value, mean or median. */
    public double defaultValue() {
        return value;
    }

    /** The default p99 of a LOGNORMAL quantity. */
    public double defaultP99() {
        return kind == Kind.LOGNORMAL ? second : Double.NaN;
    }

    /** Standard deviation of a FEATURE's normal draw; 0 for an exponential draw. */
    public double spread() {
        return kind == Kind.FEATURE ? second : 0;
    }

    /** Lowest valid value: settings below it are rejected, drawn values are clamped to it. */
    public double min() {
        return min;
    }

    /** Highest valid value, as {@link #min()}. */
    public double max() {
        return max;
    }

    public String description() {
        return description;
    }

    /** The quantity with this scenario name, or null. */
    public static Quantity byId(String id) {
        for (Quantity q : values()) {
            if (q.id.equals(id)) {
                return q;
            }
        }
        return null;
    }

    /** Names of the quantities of a signal, for error messages. */
    public static List<String> ids(Signal s) {
        List<String> l = new ArrayList<>();
        for (Quantity q : values()) {
            if (q.appliesTo(s)) {
                l.add(q.id);
            }
        }
        return l;
    }
}
