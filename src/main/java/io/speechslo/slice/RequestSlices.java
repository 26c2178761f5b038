package io.speechslo.slice;

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
        return Slice.ofSorted(ASR_DIMS, new String[] {
            clean(r.getAcousticCondition()), clean(r.getDevice()), clean(r.getLanguage()), clean(r.getRegion())});
    }

    public static Slice of(TtsRequest r) {
        return Slice.ofSorted(TTS_DIMS, new String[] {
            clean(r.getDevice()), clean(r.getLanguage()), clean(r.getRegion()), clean(r.getVoice())});
    }

    /** A dimension value safe inside a slice key. */
    public static String clean(String value) {
        return value.indexOf(',') < 0 && value.indexOf('=') < 0 ? value : value.replace(',', '_').replace('=', '_');
    }
}
