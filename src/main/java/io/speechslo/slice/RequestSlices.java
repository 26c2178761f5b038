package io.speechslo.slice;

import io.speechslo.metrics.Signal;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;

/**
 * The full slice of a request: its value on every slice dimension of its signal. The characters that
 * delimit a slice key (',' and '=') are replaced by '_' in values, so every key parses back.
 */
public final class RequestSlices {

    private static final String[] ASR_DIMS = {"acoustic_condition", "device", "language", "region"};
    private static final String[] TTS_DIMS = {"device", "language", "region", "voice"};

    private RequestSlices() {}

    public static Slice of(AsrRequest r) {
        return of(Signal.ASR, r.getAcousticCondition(), r.getDevice(), r.getLanguage(), r.getRegion());
    }

    public static Slice of(TtsRequest r) {
        return of(Signal.TTS, r.getDevice(), r.getLanguage(), r.getRegion(), r.getVoice());
    }

    /**
     * The full slice from its values in dimension order: acoustic_condition, device, language, region
     * for ASR; device, language, region, voice for TTS.
     */
    public static Slice of(Signal signal, String v0, String v1, String v2, String v3) {
        return Slice.ofSorted(signal == Signal.ASR ? ASR_DIMS : TTS_DIMS,
                new String[] {clean(v0), clean(v1), clean(v2), clean(v3)});
    }

    /** A dimension value safe inside a slice key. */
    public static String clean(String value) {
        return value.indexOf(',') < 0 && value.indexOf('=') < 0 ? value : value.replace(',', '_').replace('=', '_');
    }
}
