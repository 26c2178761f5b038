package io.speechslo.slice;

import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;

/** The full slice of a request: its value on every slice dimension of its signal. */
public final class RequestSlices {

    private static final String[] ASR_DIMS = {"acoustic_condition", "device", "language", "region"};
    private static final String[] TTS_DIMS = {"device", "language", "region", "voice"};

    private RequestSlices() {}

    public static Slice of(AsrRequest r) {
        return Slice.ofSorted(ASR_DIMS, new String[] {
            r.getAcousticCondition(), r.getDevice(), r.getLanguage(), r.getRegion()});
    }

    public static Slice of(TtsRequest r) {
        return Slice.ofSorted(TTS_DIMS, new String[] {r.getDevice(), r.getLanguage(), r.getRegion(), r.getVoice()});
    }
}
