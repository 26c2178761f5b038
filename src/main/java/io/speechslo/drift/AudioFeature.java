package io.speechslo.drift;

import io.speechslo.telemetry.AsrRequest;

import java.util.Arrays;

/**
 * The audio features of ASR requests whose distribution is watched for drift, each with the fixed
 * histogram bins it is counted in. Bins are chosen by hand, not learned, so that histograms from any
 * pane, slice or restored snapshot line up and merge exactly.
 *
 * <p>Each feature has about ten bins on purpose: the population stability index of two samples of the
 * same distribution is, on average, about {@code (bins - 1) * (1/n_current + 1/n_baseline)}; with ten
 * bins, the default 200 samples now and a 24 h baseline that noise is about 0.05, well under the 0.2
 * threshold, while the
 * bins are still fine where the values of real speech traffic lie. A value below the first cut falls
 * into the first bin and a value at or above the last cut into the last, so out-of-range values land
 * in the edge bins.
 */
public enum AudioFeature {
    /** Share of the audio that is silence, 0..1: ten equal bins of 0.1. */
    SILENCE_RATIO("silence_ratio", "", new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}),
    /**
     * Share of clipped samples, 0..1. Clean audio clips nothing or almost nothing, and a few percent
     * is already badly damaged, so the bins are fine near 0 and coarse above: [0, 1e-4) is clean audio.
     */
    CLIPPING_RATIO("clipping_ratio", "", new double[] {1e-4, 1e-3, 3e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5}),
    /**
     * Signal-to-noise ratio in dB, roughly -10..60: 5 dB bins from 0 to 30 dB where most speech lies,
     * everything under 0 dB (noise louder than speech) in one bin, 10 dB bins above 30 dB.
     */
    SNR_DB("snr_db", " dB", new double[] {0, 5, 10, 15, 20, 25, 30, 40, 50}),
    /**
     * Speech level in dBFS, -90..0: 5 dB bins from -45 to -5 dBFS where speech is normally recorded,
     * one bin each for near-silent (under -60) and very quiet (-60..-45) input.
     */
    SPEECH_LEVEL_DBFS("speech_level_dbfs", " dBFS", new double[] {-60, -45, -40, -35, -30, -25, -20, -15, -10, -5});

    private final String id;
    private final String unit;
    private final double[] cuts;

    AudioFeature(String id, String unit, double[] cuts) {
        this.id = id;
        this.unit = unit;
        this.cuts = cuts;
    }

    /** The feature's name in policies and findings, e.g. {@code snr_db}. */
    public String id() {
        return id;
    }

    /** Unit suffix for summaries, with its leading space ("" for ratios). */
    public String unit() {
        return unit;
    }

    /** Number of histogram bins. */
    public int bins() {
        return cuts.length + 1;
    }

    /** Bin of a finite value: the number of cuts at or below it (edge bins take out-of-range values). */
    public int bin(double v) {
        int i = Arrays.binarySearch(cuts, v);
        return i >= 0 ? i + 1 : -i - 1;
    }

    /** The feature's value on a request, or null when the request does not carry it. */
    public Float of(AsrRequest r) {
        switch (this) {
            case SILENCE_RATIO:
                return r.getSilenceRatio();
            case CLIPPING_RATIO:
                return r.getClippingRatio();
            case SNR_DB:
                return r.getSnrDb();
            default:
                return r.getSpeechLevelDbfs();
        }
    }

    /** The feature with this id, or null when the id names no audio feature (e.g. traffic_share). */
    public static AudioFeature byId(String id) {
        for (AudioFeature f : values()) {
            if (f.id.equals(id)) {
                return f;
            }
        }
        return null;
    }
}
