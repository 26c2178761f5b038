package io.speechslo.metrics;

import io.speechslo.advisory.Direction;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The release-gate and SLI metrics, with the fixed names that appear in findings. The same name can
 * exist for both signals (timeout_rate, error_rate); {@link #find(Signal, String)} resolves it.
 */
public enum Metric {
    // ASR
    WER("wer", Signal.ASR, MetricKind.RATIO, 0, Direction.LOWER_IS_BETTER,
            "word errors / reference words, labelled requests"),
    ENTITY_ERROR_RATE("entity_error_rate", Signal.ASR, MetricKind.RATIO, 0, Direction.LOWER_IS_BETTER,
            "entity errors / entities, labelled requests"),
    ASR_TIMEOUT_RATE("timeout_rate", Signal.ASR, MetricKind.RATIO, 0, Direction.LOWER_IS_BETTER,
            "share of requests that timed out"),
    ASR_ERROR_RATE("error_rate", Signal.ASR, MetricKind.RATIO, 0, Direction.LOWER_IS_BETTER,
            "share of requests that failed"),
    FIRST_PARTIAL_P95_MS("first_partial_p95_ms", Signal.ASR, MetricKind.QUANTILE, 0.95, Direction.LOWER_IS_BETTER,
            "95th percentile of time to first partial, ms"),
    FINALIZATION_P99_MS("finalization_p99_ms", Signal.ASR, MetricKind.QUANTILE, 0.99, Direction.LOWER_IS_BETTER,
            "99th percentile of end-of-speech to final result, ms"),
    PARTIAL_CHURN("partial_churn", Signal.ASR, MetricKind.RATIO, 0, Direction.LOWER_IS_BETTER,
            "words rewritten by later partials / partials"),
    SENSITIVE_LOGGING_RATE("sensitive_logging_rate", Signal.ASR, MetricKind.RATIO, 0, Direction.LOWER_IS_BETTER,
            "share of requests whose transcript or PII reached logs, or whose redaction failed"),
    COST_PER_AUDIO_MINUTE("cost_per_audio_minute", Signal.ASR, MetricKind.RATIO, 0, Direction.LOWER_IS_BETTER,
            "USD / audio minutes, costed requests"),
    // TTS
    FIRST_AUDIO_P95_MS("first_audio_p95_ms", Signal.TTS, MetricKind.QUANTILE, 0.95, Direction.LOWER_IS_BETTER,
            "95th percentile of time to first audio byte, ms"),
    UNDERRUN_RATE("underrun_rate", Signal.TTS, MetricKind.RATIO, 0, Direction.LOWER_IS_BETTER,
            "share of requests with at least one playback underrun"),
    CHUNK_GAP_P95_MS("chunk_gap_p95_ms", Signal.TTS, MetricKind.QUANTILE, 0.95, Direction.LOWER_IS_BETTER,
            "95th percentile of the largest gap between audio chunks, ms"),
    INTERRUPTION_RATE("interruption_rate", Signal.TTS, MetricKind.RATIO, 0, Direction.LOWER_IS_BETTER,
            "share of requests the listener barged in on"),
    ABANDONMENT_RATE("abandonment_rate", Signal.TTS, MetricKind.RATIO, 0, Direction.LOWER_IS_BETTER,
            "share of requests abandoned"),
    PREFERENCE("preference", Signal.TTS, MetricKind.RATIO, 0, Direction.HIGHER_IS_BETTER,
            "mean listener rating (MOS 1-5), rated requests"),
    COST_PER_GENERATED_SECOND("cost_per_generated_second", Signal.TTS, MetricKind.RATIO, 0, Direction.LOWER_IS_BETTER,
            "USD / generated audio seconds, costed requests"),
    TTS_TIMEOUT_RATE("timeout_rate", Signal.TTS, MetricKind.RATIO, 0, Direction.LOWER_IS_BETTER,
            "share of requests that timed out"),
    TTS_ERROR_RATE("error_rate", Signal.TTS, MetricKind.RATIO, 0, Direction.LOWER_IS_BETTER,
            "share of requests that failed"),
    TTS_SENSITIVE_LOGGING_RATE("sensitive_logging_rate", Signal.TTS, MetricKind.RATIO, 0, Direction.LOWER_IS_BETTER,
            "share of requests whose text or PII reached logs");

    private final String id;
    private final Signal signal;
    private final MetricKind kind;
    private final double quantile;
    private final Direction direction;
    private final String description;

    Metric(String id, Signal signal, MetricKind kind, double quantile, Direction direction, String description) {
        this.id = id;
        this.signal = signal;
        this.kind = kind;
        this.quantile = quantile;
        this.direction = direction;
        this.description = description;
    }

    /** The name used in policies and findings. */
    public String id() {
        return id;
    }

    public Signal signal() {
        return signal;
    }

    public MetricKind kind() {
        return kind;
    }

    /** For QUANTILE metrics, the quantile in (0,1). */
    public double quantile() {
        return quantile;
    }

    /** Which way is better, as measured. */
    public Direction direction() {
        return direction;
    }

    public String description() {
        return description;
    }

    private static final List<List<Metric>> BY_SIGNAL = new ArrayList<>();

    static {
        for (Signal s : Signal.values()) {
            List<Metric> l = new ArrayList<>();
            for (Metric m : values()) {
                if (m.signal == s) {
                    l.add(m);
                }
            }
            BY_SIGNAL.add(Collections.unmodifiableList(l));
        }
    }

    /** The metrics of one signal, in declaration order. */
    public static List<Metric> of(Signal signal) {
        return BY_SIGNAL.get(signal.ordinal());
    }

    /** The metric of that signal with that name, or null. */
    public static Metric find(Signal signal, String id) {
        for (Metric m : of(signal)) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        return null;
    }

    /** Names of the metrics of a signal, for error messages. */
    public static List<String> ids(Signal signal) {
        List<String> l = new ArrayList<>();
        for (Metric m : of(signal)) {
            l.add(m.id);
        }
        return l;
    }
}
