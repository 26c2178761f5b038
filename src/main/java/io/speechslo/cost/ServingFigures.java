package io.speechslo.cost;

import io.speechslo.serving.ServingStats;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the serving samples of one model version said over one cost window, for the drivers that only
 * serving samples can name ({@code precision}, {@code gpu_saturation}, {@code autoscaler}). Each pool's
 * minute ({@link ServingStats} of one pool, version and minute) is one observation of the mean GPU
 * utilisation, ready replicas and warm replicas, so a test of a change sees how much these move from
 * minute to minute, not only between samples of one replica; ready and warm replicas are also summed
 * over the samples for the standby share; precisions are counted per sample.
 */
final class ServingFigures {

    /** Pool-minutes observed, and per figure the sum and sum of squares of the minutes' means. */
    long minutes;
    double utilSum;
    double utilSquared;
    double readySum;
    double readySquared;
    double warmSum;
    double warmSquared;
    /** Samples, and ready and warm replicas summed over them. */
    long samples;
    double readySamples;
    double warmSamples;
    /** Samples per precision. */
    final Map<String, Long> precisions = new TreeMap<>();

    /** Adds one pool's minute; a minute read from an older format (no replica figures) is left out. */
    void add(ServingStats minute) {
        if (minute.samples() == 0 || !minute.detailed()) {
            return;
        }
        double u = minute.gpuUtilMean();
        double r = minute.readyMean();
        double w = minute.warmMean();
        minutes++;
        utilSum += u;
        utilSquared += u * u;
        readySum += r;
        readySquared += r * r;
        warmSum += w;
        warmSquared += w * w;
        samples += minute.samples();
        readySamples += r * minute.samples();
        warmSamples += w * minute.samples();
        minute.precisions().forEach(this::countPrecision);
    }

    /** At most this many precisions are kept apart per bucket; the rest add up under one name. */
    static final int MAX_PRECISIONS = 16;

    private void countPrecision(String precision, long n) {
        String key = precisions.containsKey(precision) || precisions.size() < MAX_PRECISIONS ? precision
                : ServingStats.OTHER_PRECISION;
        precisions.merge(key, n, Long::sum);
    }

    void merge(ServingFigures o) {
        minutes += o.minutes;
        utilSum += o.utilSum;
        utilSquared += o.utilSquared;
        readySum += o.readySum;
        readySquared += o.readySquared;
        warmSum += o.warmSum;
        warmSquared += o.warmSquared;
        samples += o.samples;
        readySamples += o.readySamples;
        warmSamples += o.warmSamples;
        o.precisions.forEach(this::countPrecision);
    }

    double utilMean() {
        return utilSum / minutes;
    }

    double readyMean() {
        return readySum / minutes;
    }

    double warmMean() {
        return warmSum / minutes;
    }

    /** Standby replicas per ready one, over the samples. */
    double standbyRatio() {
        return readySamples > 0 ? warmSamples / readySamples : 0;
    }

    void writeTo(DataOutput out) throws IOException {
        out.writeLong(minutes);
        for (double d : new double[] {utilSum, utilSquared, readySum, readySquared, warmSum, warmSquared,
                readySamples, warmSamples}) {
            out.writeDouble(d);
        }
        out.writeLong(samples);
        out.writeInt(precisions.size());
        for (Map.Entry<String, Long> e : precisions.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    static ServingFigures readFrom(DataInput in) throws IOException {
        ServingFigures f = new ServingFigures();
        f.minutes = in.readLong();
        f.utilSum = in.readDouble();
        f.utilSquared = in.readDouble();
        f.readySum = in.readDouble();
        f.readySquared = in.readDouble();
        f.warmSum = in.readDouble();
        f.warmSquared = in.readDouble();
        f.readySamples = in.readDouble();
        f.warmSamples = in.readDouble();
        f.samples = in.readLong();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            f.precisions.put(in.readUTF(), in.readLong());
        }
        return f;
    }
}
