package io.speechslo.metrics;

import java.util.List;

/** The two kinds of speech telemetry, each with the dimensions its slices are cut along. */
public enum Signal {
    ASR(List.of("language", "region", "device", "acoustic_condition")),
    TTS(List.of("language", "region", "device", "voice"));

    private final List<String> sliceDimensions;

    Signal(List<String> sliceDimensions) {
        this.sliceDimensions = sliceDimensions;
    }

    /** Slice dimensions in their canonical order (the order values are passed to {@code Slice.of}). */
    public List<String> sliceDimensions() {
        return sliceDimensions;
    }

    /** Parses "asr"/"ASR"/"AsrRequest" and the like. */
    public static Signal parse(String text) {
        String t = text.trim().toUpperCase(java.util.Locale.ROOT);
        if (t.equals("ASR") || t.equals("ASRREQUEST")) {
            return ASR;
        }
        if (t.equals("TTS") || t.equals("TTSREQUEST")) {
            return TTS;
        }
        throw new IllegalArgumentException("unknown signal '" + text + "' (expected ASR or TTS)");
    }
}
