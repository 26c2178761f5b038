package io.speechslo.drift;

import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * What drift needs from one slice in one pane: how many requests it had (for its traffic share) and,
 * for ASR, a histogram per audio feature. TTS requests carry no audio features, so a TTS slice keeps
 * only its count and allocates no histograms.
 */
public final class DriftStats {

    private static final AudioFeature[] FEATURES = AudioFeature.values();

    private long requests;
    /** One histogram per {@link AudioFeature}, by ordinal; null until an ASR request arrives. */
    private FeatureHistogram[] histograms;

    public void add(AsrRequest r) {
        requests++;
        FeatureHistogram[] h = histograms();
        for (AudioFeature f : FEATURES) {
            Float v = f.of(r);
            if (v != null) {
                h[f.ordinal()].add(v);
            }
        }
    }

    public void add(TtsRequest r) {
        requests++;
    }

    public void merge(DriftStats o) {
        requests += o.requests;
        if (o.histograms != null) {
            FeatureHistogram[] h = histograms();
            for (int i = 0; i < h.length; i++) {
                h[i].merge(o.histograms[i]);
            }
        }
    }

    /** Requests of the slice in the pane, ASR or TTS. */
    public long requests() {
        return requests;
    }

    /** The feature's histogram; an empty one when no ASR request was counted. */
    public FeatureHistogram histogram(AudioFeature feature) {
        return histograms == null ? new FeatureHistogram(feature) : histograms[feature.ordinal()];
    }

    private FeatureHistogram[] histograms() {
        if (histograms == null) {
            histograms = new FeatureHistogram[FEATURES.length];
            for (AudioFeature f : FEATURES) {
                histograms[f.ordinal()] = new FeatureHistogram(f);
            }
        }
        return histograms;
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeLong(requests);
        out.writeBoolean(histograms != null);
        if (histograms != null) {
            for (FeatureHistogram h : histograms) {
                h.writeTo(out);
            }
        }
    }

    public static DriftStats readFrom(DataInput in) throws IOException {
        DriftStats s = new DriftStats();
        s.requests = in.readLong();
        if (in.readBoolean()) {
            s.histograms = new FeatureHistogram[FEATURES.length];
            for (AudioFeature f : FEATURES) {
                s.histograms[f.ordinal()] = FeatureHistogram.readFrom(f, in);
            }
        }
        return s;
    }
}
