package io.speechslo.scorecard;

import io.speechslo.bytes.Varints;
import io.speechslo.metrics.ExactSums;
import io.speechslo.metrics.LatencyComponents;
import io.speechslo.metrics.QuantileSketch;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Redaction;
import io.speechslo.telemetry.TtsRequest;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * What the decision views need of a cohort's requests beyond the release gate's {@code MetricSet}:
 * character errors, confidence, corrections, where the time went (queue, preprocessing, model), batch
 * sizes, retries and fallbacks, retention and redaction, cache hits and the cost wasted on retries.
 * Counts are longs and money and confidence exact sums, so any split of the requests into partials,
 * merged in any order, gives the same figures; times are sketched to
 * {@link QuantileSketch#RELATIVE_ACCURACY}. Kept apart from the gate's metrics so that the gate's
 * roll-ups do not carry what only the views read.
 */
public final class RequestStats {

    /**
     * Format of {@link #writeTo}. {@link #readFrom} also reads format 1 (before the model-time and batch
     * sums the cost diagnosis reads) and format 2 (before the squares of the confidences the release
     * gate's cohort evidence reads), whose missing sums are 0; it refuses any other.
     */
    private static final int FORMAT = 3;
    /** Sums a format-1 form carries (the first ones). */
    private static final int FORMAT_1_SUMS = 3;
    /** Sums a format-2 form carries (the first ones). */
    private static final int FORMAT_2_SUMS = 6;

    // counts
    public static final int REQUESTS = 0;
    public static final int RETRIED = 1;
    public static final int FALLBACK = 2;
    public static final int COSTED = 3;
    public static final int CER_REQUESTS = 4;
    public static final int CHAR_ERRORS = 5;
    public static final int REF_CHARS = 6;
    public static final int CONFIDENCE_REQUESTS = 7;
    public static final int CORRECTION_REQUESTS = 8;
    public static final int CORRECTED = 9;
    public static final int BATCHED = 10;
    public static final int BATCH_SUM = 11;
    public static final int RAW_AUDIO_RETAINED = 12;
    public static final int REDACTION_FAILED = 13;
    public static final int CACHE_HITS = 14;
    public static final int WASTED = 15;
    private static final int COUNTS = 16;

    // exact sums
    public static final int COST = 0;
    public static final int RETRY_WASTE = 1;
    public static final int CONFIDENCE = 2;
    /** Model time of the requests that report it, ms, and its square (for the spread of the mean). */
    public static final int MODEL_MS = 3;
    public static final int MODEL_MS_SQUARED = 4;
    /** Squares of the batch sizes (for the spread of the mean batch). */
    public static final int BATCH_SQUARED = 5;
    /** Squares of the confidences (for the spread of the mean confidence). */
    public static final int CONFIDENCE_SQUARED = 6;
    private static final int SUMS = 7;

    // sketches, ms
    public static final int QUEUE = 0;
    public static final int PREPROCESS = 1;
    public static final int MODEL = 2;
    private static final int SKETCHES = 3;

    private final long[] counts = new long[COUNTS];
    private final ExactSums sums = new ExactSums(SUMS);
    private final QuantileSketch[] sketches = new QuantileSketch[SKETCHES];
    /**
     * True when the queue, preprocessing and model sketches are those of a metric set's latency
     * components (a slice pane's): that metric set adds and merges them, so this leaves them alone.
     */
    private final boolean sharedSketches;

    public RequestStats() {
        this(null);
    }

    /**
     * Request stats whose queue, preprocessing and model sketches are {@code latency}'s (the same
     * objects): a slice pane's metric set already sketches those times for the gate, and sketching every
     * request twice would cost as much again. Whoever holds both adds and merges the metric set with
     * these stats, always together; null: sketches of its own.
     */
    public RequestStats(LatencyComponents latency) {
        sharedSketches = latency != null;
        for (int i = 0; i < SKETCHES; i++) {
            sketches[i] = new QuantileSketch();
        }
        if (sharedSketches) {
            sketches[QUEUE] = latency.sketch(LatencyComponents.Part.QUEUE);
            sketches[PREPROCESS] = latency.sketch(LatencyComponents.Part.PREPROCESS);
            sketches[MODEL] = latency.sketch(LatencyComponents.Part.MODEL);
        }
    }

    public void add(AsrRequest r) {
        common(r.getOutcome(), r.getRetries(), r.getFallback(), r.getCostUsd(), r.getQueueMs(), r.getModelMs());
        Integer refChars = r.getRefChars();
        Integer charErrors = r.getCharErrors();
        if (refChars != null && charErrors != null && refChars > 0) {
            counts[CER_REQUESTS]++;
            counts[CHAR_ERRORS] += charErrors;
            counts[REF_CHARS] += refChars;
        }
        Float confidence = r.getConfidence();
        if (confidence != null) {
            counts[CONFIDENCE_REQUESTS]++;
            double c = confidence.doubleValue();
            sums.add(CONFIDENCE, c);
            sums.add(CONFIDENCE_SQUARED, c * c);
        }
        Integer corrections = r.getCorrections();
        if (corrections != null) {
            counts[CORRECTION_REQUESTS]++;
            if (corrections > 0) {
                counts[CORRECTED]++;
            }
        }
        Long preprocess = r.getPreprocessMs();
        if (preprocess != null && !sharedSketches) {
            sketches[PREPROCESS].add(preprocess);
        }
        Integer batch = r.getBatchSize();
        if (batch != null) {
            counts[BATCHED]++;
            counts[BATCH_SUM] += batch;
            sums.add(BATCH_SQUARED, (double) batch * batch);
        }
        if (r.getRawAudioRetained()) {
            counts[RAW_AUDIO_RETAINED]++;
        }
        if (r.getRedaction() == Redaction.FAILED) {
            counts[REDACTION_FAILED]++;
        }
    }

    public void add(TtsRequest r) {
        common(r.getOutcome(), r.getRetries(), r.getFallback(), r.getCostUsd(), r.getQueueMs(), r.getModelMs());
        if (r.getCacheHit()) {
            counts[CACHE_HITS]++;
        }
    }

    private void common(Outcome outcome, int retries, boolean fallback, Double cost, Long queueMs, Long modelMs) {
        counts[REQUESTS]++;
        if (retries > 0) {
            counts[RETRIED]++;
        }
        if (fallback) {
            counts[FALLBACK]++;
        }
        if (cost != null) {
            counts[COSTED]++;
            sums.add(COST, cost.doubleValue());
            double waste = waste(outcome, retries, cost);
            if (waste > 0) {
                counts[WASTED]++;
                sums.add(RETRY_WASTE, waste);
            }
        }
        if (queueMs != null && !sharedSketches) {
            sketches[QUEUE].add(queueMs);
        }
        if (modelMs != null) {
            if (!sharedSketches) {
                sketches[MODEL].add(modelMs);
            }
            double ms = modelMs;
            sums.add(MODEL_MS, ms);
            sums.add(MODEL_MS_SQUARED, ms * ms);
        }
    }

    /**
     * The part of a request's cost that bought nothing: all of it when the request failed (ERROR or
     * TIMEOUT), else the attempts that were retried, each taken to cost as much as the one that
     * answered ({@code cost * retries / (retries + 1)}).
     */
    static double waste(Outcome outcome, int retries, double cost) {
        if (outcome == Outcome.ERROR || outcome == Outcome.TIMEOUT) {
            return cost;
        }
        return retries > 0 ? cost * retries / (retries + 1) : 0;
    }

    public void merge(RequestStats o) {
        for (int i = 0; i < COUNTS; i++) {
            counts[i] += o.counts[i];
        }
        sums.add(o.sums);
        // two panes' shared sketches are merged with their metric sets; stats of a pane from before the
        // latency components (sketches of their own) still bring theirs
        if (!sharedSketches || !o.sharedSketches) {
            for (int i = 0; i < SKETCHES; i++) {
                sketches[i].merge(o.sketches[i]);
            }
        }
    }

    /** A count (one of the constants above). */
    public long count(int which) {
        return counts[which];
    }

    /** An exact sum, rounded once. */
    public double sum(int which) {
        return sums.value(which);
    }

    /** Adds exact sum {@code which} (one of the constants above) to sum {@code into} of {@code target}, exactly. */
    public void addSumTo(int which, ExactSums target, int into) {
        sums.addTo(which, target, into);
    }

    public QuantileSketch sketch(int which) {
        return sketches[which];
    }

    public long requests() {
        return counts[REQUESTS];
    }

    /** Compact: a format byte, the counts as varints, the sums, the sketches. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        for (long c : counts) {
            Varints.writeUnsigned(out, c);
        }
        for (int i = 0; i < SUMS; i++) {
            sums.writeTo(i, out);
        }
        for (QuantileSketch s : sketches) {
            s.writeTo(out);
        }
    }

    public static RequestStats readFrom(DataInput in) throws IOException {
        return readFrom(in, null);
    }

    /**
     * Reads what {@link #writeTo} wrote; with {@code latency} not null, into stats sharing its sketches
     * (see {@link #RequestStats(LatencyComponents)}), which the bytes then hold as that latency already does.
     */
    public static RequestStats readFrom(DataInput in, LatencyComponents latency) throws IOException {
        int format = in.readByte();
        if (format < 1 || format > FORMAT) {
            throw new IOException("request stats of format " + format + ", this version reads 1 to " + FORMAT);
        }
        RequestStats s = new RequestStats(latency);
        for (int i = 0; i < COUNTS; i++) {
            s.counts[i] = Varints.readUnsigned(in);
        }
        for (int i = 0; i < (format == 1 ? FORMAT_1_SUMS : format == 2 ? FORMAT_2_SUMS : SUMS); i++) {
            s.sums.readFrom(i, in);
        }
        for (QuantileSketch sketch : s.sketches) {
            sketch.readFrom(in);
        }
        return s;
    }
}
