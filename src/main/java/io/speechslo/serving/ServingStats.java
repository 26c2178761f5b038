package io.speechslo.serving;

import io.speechslo.bytes.ByteReader;
import io.speechslo.bytes.ByteWriter;
import io.speechslo.bytes.Varints;
import io.speechslo.metrics.ExactSums;
import io.speechslo.scorecard.ScorecardValue;
import io.speechslo.telemetry.ServingSample;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * What the serving samples of one pool (of one service and model version) say over one window, for
 * the serving view of the scorecard: how busy and how full the GPUs were, how far the autoscaler lagged
 * behind what it asked for, how deep the queue got and how thin the pool ran.
 *
 * <p>Mergeable, so partial aggregates of any split of the samples combine into the window's: the one
 * sum (GPU utilisation) is exact ({@link ExactSums}) and everything else is a count, a minimum or a
 * maximum, so neither the order of the samples nor of the merges changes a value or a byte of
 * {@link #writeTo}. Every value says how many samples are behind it, and is null when none are: no
 * data, never zero.
 *
 * <p>Pool-level fields (desired, ready, warm) are reported by every replica of the pool; a minimum or
 * maximum over the replicas' samples is the pool's worst moment in the window whichever replica saw it.
 */
public final class ServingStats {

    /** Mean GPU utilisation over the samples, 0..1. */
    public static final String GPU_UTIL_MEAN = "gpu_util_mean";
    /** Highest share of GPU memory in use in any sample (samples of devices with a memory size only). */
    public static final String GPU_MEM_USED_RATIO_MAX = "gpu_mem_used_ratio_max";
    /**
     * Longest wait, in seconds, for replicas the autoscaler had asked for: the largest
     * {@code sample_time - scale_up_requested_at} of any sample, 0 when no sample had a scale-up pending.
     */
    public static final String AUTOSCALER_LAG_S = "autoscaler_lag_s";
    public static final String QUEUE_DEPTH_MAX = "queue_depth_max";
    public static final String READY_REPLICAS_MIN = "ready_replicas_min";
    public static final String DESIRED_REPLICAS_MAX = "desired_replicas_max";
    public static final String WARM_POOL_SIZE_MIN = "warm_pool_size_min";
    /** How many samples the window holds. */
    public static final String SAMPLES = "samples";

    /** The names {@link #values()} gives, in its order. */
    public static final List<String> NAMES = List.of(GPU_UTIL_MEAN, GPU_MEM_USED_RATIO_MAX, AUTOSCALER_LAG_S,
            QUEUE_DEPTH_MAX, READY_REPLICAS_MIN, DESIRED_REPLICAS_MAX, WARM_POOL_SIZE_MIN, SAMPLES);

    /**
     * Written first by {@link #writeTo}; a reader reads this and every earlier one. 2 (2026-12-05): the
     * sums of ready replicas and of the warm pool over the samples, and the samples per precision, which
     * the cost drivers read ({@link #readyMean}, {@link #warmMean}, {@link #precisions}); a window read
     * from format 1 has none of them ({@link #detailed} false).
     */
    static final int FORMAT_VERSION = 2;
    /** At most this many precisions are told apart; the rest count under {@link #OTHER_PRECISION}. */
    static final int MAX_PRECISIONS = 8;
    public static final String OTHER_PRECISION = "(other)";

    private long samples;
    private final ExactSums gpuUtil = new ExactSums(1);
    /** Samples of a device with a memory size (gpu_mem_total_bytes > 0): the ones a memory ratio exists for. */
    private long memSamples;
    /** The largest used / total ratio; 0 while {@link #memSamples} is 0. */
    private double memRatioMax;
    private long lagMaxMillis;
    private int queueMax;
    private int readyMin = Integer.MAX_VALUE;
    private int desiredMax;
    private int warmMin = Integer.MAX_VALUE;
    // format 2
    private boolean detailed = true;
    private long readySum;
    private long warmSum;
    private final java.util.TreeMap<String, Long> precisions = new java.util.TreeMap<>();

    /** Folds one sample in (a validated one: see TelemetryValidator). */
    public void add(ServingSample s) {
        samples++;
        gpuUtil.add(0, (double) s.getGpuUtil());
        if (s.getGpuMemTotalBytes() > 0) {
            memSamples++;
            memRatioMax = Math.max(memRatioMax, (double) s.getGpuMemUsedBytes() / s.getGpuMemTotalBytes());
        }
        Instant requested = s.getScaleUpRequestedAt();
        if (requested != null) {
            lagMaxMillis = Math.max(lagMaxMillis, s.getSampleTime().toEpochMilli() - requested.toEpochMilli());
        }
        queueMax = Math.max(queueMax, s.getQueueDepth());
        readyMin = Math.min(readyMin, s.getReadyReplicas());
        desiredMax = Math.max(desiredMax, s.getDesiredReplicas());
        warmMin = Math.min(warmMin, s.getWarmPoolSize());
        readySum += s.getReadyReplicas();
        warmSum += s.getWarmPoolSize();
        countPrecision(s.getPrecision(), 1);
    }

    private void countPrecision(String precision, long n) {
        String key = precisions.containsKey(precision) || precisions.size() < MAX_PRECISIONS ? precision
                : OTHER_PRECISION;
        precisions.merge(key, n, Long::sum);
    }

    /** Adds the samples of another window part of the same pool. */
    public void merge(ServingStats o) {
        if (o.samples == 0) {
            return;
        }
        samples += o.samples;
        gpuUtil.add(o.gpuUtil);
        memSamples += o.memSamples;
        memRatioMax = Math.max(memRatioMax, o.memRatioMax);
        lagMaxMillis = Math.max(lagMaxMillis, o.lagMaxMillis);
        queueMax = Math.max(queueMax, o.queueMax);
        readyMin = Math.min(readyMin, o.readyMin);
        desiredMax = Math.max(desiredMax, o.desiredMax);
        warmMin = Math.min(warmMin, o.warmMin);
        detailed &= o.detailed;
        readySum += o.readySum;
        warmSum += o.warmSum;
        o.precisions.forEach(this::countPrecision);
    }

    public long samples() {
        return samples;
    }

    /** The longest wait for a pending scale-up in any sample, millis; 0 when none was pending. */
    public long autoscalerLagMillis() {
        return lagMaxMillis;
    }

    /** Whether the figures of format 2 are here: false for a window read from format 1 (or merged with one). */
    public boolean detailed() {
        return detailed;
    }

    /** Mean GPU utilisation over the samples, NaN without any. */
    public double gpuUtilMean() {
        return samples > 0 ? gpuUtil.value(0) / samples : Double.NaN;
    }

    /** Mean ready replicas of the pool over the samples, NaN without any (or without the figure). */
    public double readyMean() {
        return samples > 0 && detailed ? (double) readySum / samples : Double.NaN;
    }

    /** Mean warm (standby) replicas of the pool over the samples, NaN without any (or without the figure). */
    public double warmMean() {
        return samples > 0 && detailed ? (double) warmSum / samples : Double.NaN;
    }

    /** Samples per precision (at most {@value #MAX_PRECISIONS} named), in name order; empty for format 1. */
    public java.util.SortedMap<String, Long> precisions() {
        return java.util.Collections.unmodifiableSortedMap(precisions);
    }

    /** The scorecard values, in {@link #NAMES} order; each null with samples 0 when there is no sample. */
    public List<ScorecardValue> values() {
        boolean any = samples > 0;
        return List.of(
                value(GPU_UTIL_MEAN, any ? gpuUtilMean() : null, samples),
                value(GPU_MEM_USED_RATIO_MAX, memSamples > 0 ? memRatioMax : null, memSamples),
                value(AUTOSCALER_LAG_S, any ? lagMaxMillis / 1000.0 : null, samples),
                value(QUEUE_DEPTH_MAX, any ? (double) queueMax : null, samples),
                value(READY_REPLICAS_MIN, any ? (double) readyMin : null, samples),
                value(DESIRED_REPLICAS_MAX, any ? (double) desiredMax : null, samples),
                value(WARM_POOL_SIZE_MIN, any ? (double) warmMin : null, samples),
                value(SAMPLES, any ? (double) samples : null, samples));
    }

    private static ScorecardValue value(String name, Double value, long samples) {
        return new ScorecardValue(name, value, samples, null);
    }

    /**
     * Compact form: the format version, the sample count, and when there are samples the exact GPU
     * utilisation sum, the memory-ratio sample count (and the largest ratio when not 0), then the lag in
     * millis, then queue maximum, ready minimum, desired maximum and warm minimum as signed varints;
     * since format 2 then whether the window holds the figures below, the sums of ready and warm replicas
     * (signed varints) and the samples per precision (a count, then name and samples each).
     */
    public void writeTo(DataOutput out) throws IOException {
        out.writeByte(FORMAT_VERSION);
        Varints.writeUnsigned(out, samples);
        if (samples == 0) {
            return;
        }
        gpuUtil.writeTo(0, out);
        Varints.writeUnsigned(out, memSamples);
        if (memSamples > 0) {
            out.writeDouble(memRatioMax);
        }
        Varints.writeUnsigned(out, lagMaxMillis);
        // signed: a sample that skipped validation cannot make the state unwritable
        Varints.writeSigned(out, queueMax);
        Varints.writeSigned(out, readyMin);
        Varints.writeSigned(out, desiredMax);
        Varints.writeSigned(out, warmMin);
        // format 2
        out.writeBoolean(detailed);
        Varints.writeSigned(out, readySum);
        Varints.writeSigned(out, warmSum);
        Varints.writeUnsigned(out, precisions.size());
        for (java.util.Map.Entry<String, Long> e : precisions.entrySet()) {
            out.writeUTF(e.getKey());
            Varints.writeUnsigned(out, e.getValue());
        }
    }

    public static ServingStats readFrom(DataInput in) throws IOException {
        int version = in.readUnsignedByte();
        if (version < 1 || version > FORMAT_VERSION) {
            throw new IOException("serving stats have format version " + version + ", this version reads 1 to "
                    + FORMAT_VERSION);
        }
        ServingStats s = new ServingStats();
        s.samples = Varints.readUnsigned(in);
        if (s.samples == 0) {
            return s;
        }
        s.gpuUtil.readFrom(0, in);
        s.memSamples = Varints.readUnsigned(in);
        if (s.memSamples > 0) {
            s.memRatioMax = in.readDouble();
        }
        s.lagMaxMillis = Varints.readUnsigned(in);
        s.queueMax = readInt(in);
        s.readyMin = readInt(in);
        s.desiredMax = readInt(in);
        s.warmMin = readInt(in);
        if (version == 1) {
            s.detailed = false;
            return s;
        }
        s.detailed = in.readBoolean();
        s.readySum = Varints.readSigned(in);
        s.warmSum = Varints.readSigned(in);
        long n = Varints.readUnsigned(in);
        for (long i = 0; i < n; i++) {
            s.precisions.put(in.readUTF(), Varints.readUnsigned(in));
        }
        return s;
    }

    private static int readInt(DataInput in) throws IOException {
        long v = Varints.readSigned(in);
        if (v != (int) v) {
            throw new IOException("serving stats hold " + v + " where an int was written");
        }
        return (int) v;
    }

    public byte[] toBytes() {
        return ByteWriter.bytes(this::writeTo, 64);
    }

    public static ServingStats fromBytes(byte[] bytes) {
        try {
            return readFrom(new ByteReader(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
