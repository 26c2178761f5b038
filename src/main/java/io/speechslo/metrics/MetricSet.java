package io.speechslo.metrics;

import io.speechslo.bytes.Varints;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Redaction;
import io.speechslo.telemetry.TtsRequest;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/**
 * Every gate metric of one signal for one cohort, accumulated exactly (ratio sums) or to a stated
 * accuracy (latency sketches), and mergeable, so slices and time panes roll up without re-reading
 * requests. Which requests count toward which metric is decided here, in one place.
 */
public final class MetricSet {

    /** By Metric ordinal: a ratio metric's slot among its signal's ratio metrics, -1 for a quantile metric. */
    private static final int[] SLOT = new int[Metric.values().length];
    /** By Metric ordinal: its index among its signal's metrics (looked up on every read the gate makes). */
    private static final int[] INDEX = new int[Metric.values().length];

    static {
        for (Signal signal : Signal.values()) {
            int slot = 0;
            int index = 0;
            for (Metric m : Metric.of(signal)) {
                SLOT[m.ordinal()] = m.kind() == MetricKind.RATIO ? slot++ : -1;
                INDEX[m.ordinal()] = index++;
            }
        }
    }

    // ratio metrics by their slot among the signal's ratio metrics, quantile metrics by metric index
    private static final int WER = slot(Metric.WER);
    private static final int ENTITY = slot(Metric.ENTITY_ERROR_RATE);
    private static final int ASR_TIMEOUT = slot(Metric.ASR_TIMEOUT_RATE);
    private static final int ASR_ERROR = slot(Metric.ASR_ERROR_RATE);
    private static final int FIRST_PARTIAL = idx(Metric.FIRST_PARTIAL_P95_MS);
    private static final int FINALIZATION = idx(Metric.FINALIZATION_P99_MS);
    private static final int CHURN = slot(Metric.PARTIAL_CHURN);
    private static final int ASR_SENSITIVE = slot(Metric.SENSITIVE_LOGGING_RATE);
    private static final int ASR_COST = slot(Metric.COST_PER_AUDIO_MINUTE);
    private static final int FIRST_AUDIO = idx(Metric.FIRST_AUDIO_P95_MS);
    private static final int UNDERRUN = slot(Metric.UNDERRUN_RATE);
    private static final int CHUNK_GAP = idx(Metric.CHUNK_GAP_P95_MS);
    private static final int INTERRUPTION = slot(Metric.INTERRUPTION_RATE);
    private static final int ABANDONMENT = slot(Metric.ABANDONMENT_RATE);
    private static final int PREFERENCE = slot(Metric.PREFERENCE);
    private static final int TTS_COST = slot(Metric.COST_PER_GENERATED_SECOND);
    private static final int TTS_TIMEOUT = slot(Metric.TTS_TIMEOUT_RATE);
    private static final int TTS_ERROR = slot(Metric.TTS_ERROR_RATE);
    private static final int TTS_SENSITIVE = slot(Metric.TTS_SENSITIVE_LOGGING_RATE);

    /** Exact sums per ratio metric: x, y, x^2, y^2 and x*y, in that order. */
    private static final int SUMS_PER_RATIO = 5;

    private static int idx(Metric m) {
        return INDEX[m.ordinal()];
    }

    /** A ratio metric's slot among its signal's ratio metrics; -1 for a quantile metric. */
    private static int slot(Metric m) {
        return SLOT[m.ordinal()];
    }

    private final Signal signal;
    /** Per ratio slot: contributing requests. */
    private final long[] counts;
    /** Per ratio slot s: its sums at {@code s * SUMS_PER_RATIO}, all in one array (a merge is one pass). */
    private final ExactSums sums;
    /** By metric index: the sketch of a quantile metric, null for a ratio metric. */
    private final QuantileSketch[] sketches;
    /** Where the latency went (queue, preprocessing, model...), for the diagnosis of a latency finding. */
    private final LatencyComponents latency = new LatencyComponents();
    private long requests;

    public MetricSet(Signal signal) {
        this.signal = signal;
        List<Metric> metrics = Metric.of(signal);
        this.sketches = new QuantileSketch[metrics.size()];
        int ratios = 0;
        for (int i = 0; i < metrics.size(); i++) {
            if (metrics.get(i).kind() == MetricKind.RATIO) {
                ratios++;
            } else {
                sketches[i] = new QuantileSketch();
            }
        }
        this.counts = new long[ratios];
        this.sums = new ExactSums(ratios * SUMS_PER_RATIO);
    }

    /** Adds one unit (request) of a ratio metric whose x and y are whole numbers (below 2^31). */
    private void ratio(int slot, long x, long y) {
        counts[slot]++;
        int at = slot * SUMS_PER_RATIO;
        sums.add(at, x);
        sums.add(at + 1, y);
        sums.add(at + 2, x * x);
        sums.add(at + 3, y * y);
        sums.add(at + 4, x * y);
    }

    /** Adds one unit (request) of a ratio metric: x over y. */
    private void ratio(int slot, double x, double y) {
        counts[slot]++;
        int at = slot * SUMS_PER_RATIO;
        sums.add(at, x);
        sums.add(at + 1, y);
        sums.add(at + 2, x * x);
        sums.add(at + 3, y * y);
        sums.add(at + 4, x * y);
    }

    public Signal signal() {
        return signal;
    }

    /** Requests accumulated, whatever metrics they contributed to. */
    public long requests() {
        return requests;
    }

    public void add(AsrRequest r) {
        requests++;
        Integer refWords = r.getRefWords();
        Integer wordErrors = r.getWordErrors();
        if (refWords != null && wordErrors != null && refWords > 0) {
            ratio(WER, wordErrors, refWords);
        }
        Integer entityTotal = r.getEntityTotal();
        Integer entityErrors = r.getEntityErrors();
        if (entityTotal != null && entityErrors != null && entityTotal > 0) {
            ratio(ENTITY, entityErrors, entityTotal);
        }
        Outcome outcome = r.getOutcome();
        ratio(ASR_TIMEOUT, outcome == Outcome.TIMEOUT ? 1 : 0, 1);
        ratio(ASR_ERROR, outcome == Outcome.ERROR ? 1 : 0, 1);
        Long firstPartial = r.getFirstPartialMs();
        if (firstPartial != null) {
            sketches[FIRST_PARTIAL].add(firstPartial);
        }
        Long finalization = r.getFinalizationMs();
        if (finalization != null) {
            sketches[FINALIZATION].add(finalization);
        }
        if (r.getPartials() > 0) {
            ratio(CHURN, r.getPartialRewrites(), r.getPartials());
        }
        boolean leaked = r.getSensitiveLogged() || r.getRedaction() == Redaction.FAILED;
        ratio(ASR_SENSITIVE, leaked ? 1 : 0, 1);
        Double cost = r.getCostUsd();
        if (cost != null && r.getAudioMs() > 0) {
            ratio(ASR_COST, cost, r.getAudioMs() / 60_000.0);
        }
        latency.add(LatencyComponents.Part.QUEUE, r.getQueueMs());
        latency.add(LatencyComponents.Part.PREPROCESS, r.getPreprocessMs());
        latency.add(LatencyComponents.Part.MODEL, r.getModelMs());
        latency.addAsr(firstPartial, finalization);
        Integer batch = r.getBatchSize();
        latency.add(LatencyComponents.Part.BATCH, batch == null ? null : batch.longValue());
    }

    public void add(TtsRequest r) {
        requests++;
        Long firstAudio = r.getFirstAudioMs();
        if (firstAudio != null) {
            sketches[FIRST_AUDIO].add(firstAudio);
        }
        if (r.getChunks() > 0) {
            ratio(UNDERRUN, r.getUnderruns() > 0 ? 1 : 0, 1);
        }
        Long gap = r.getMaxChunkGapMs();
        if (gap != null) {
            sketches[CHUNK_GAP].add(gap);
        }
        ratio(INTERRUPTION, r.getInterrupted() ? 1 : 0, 1);
        ratio(ABANDONMENT, r.getAbandoned() ? 1 : 0, 1);
        Float preference = r.getPreference();
        if (preference != null) {
            ratio(PREFERENCE, preference, 1);
        }
        Double cost = r.getCostUsd();
        if (cost != null && r.getGeneratedMs() > 0) {
            ratio(TTS_COST, cost, r.getGeneratedMs() / 1000.0);
        }
        Outcome outcome = r.getOutcome();
        ratio(TTS_TIMEOUT, outcome == Outcome.TIMEOUT ? 1 : 0, 1);
        ratio(TTS_ERROR, outcome == Outcome.ERROR ? 1 : 0, 1);
        ratio(TTS_SENSITIVE, r.getSensitiveLogged() ? 1 : 0, 1);
        latency.add(LatencyComponents.Part.QUEUE, r.getQueueMs());
        latency.add(LatencyComponents.Part.MODEL, r.getModelMs());
        latency.add(LatencyComponents.Part.FIRST_AUDIO, firstAudio);
    }

    /** Adds a request of this set's signal (an AsrRequest or a TtsRequest). */
    public void add(org.apache.avro.specific.SpecificRecord r) {
        if (r instanceof AsrRequest && signal == Signal.ASR) {
            add((AsrRequest) r);
        } else if (r instanceof TtsRequest && signal == Signal.TTS) {
            add((TtsRequest) r);
        } else {
            throw new IllegalArgumentException("a " + signal + " metric set cannot take " + r.getClass().getSimpleName());
        }
    }

    public void merge(MetricSet o) {
        mergeJudged(o);
        latency.merge(o.latency);
    }

    /**
     * Merges what the gate judges (the requests, ratio sums and sketches) and leaves out the latency
     * components, which only explain a finding: the gate's roll-ups take this, and a finding's slice
     * gathers its components from the full slices when it needs them ({@code SliceRollup#gather}).
     */
    public void mergeJudged(MetricSet o) {
        if (o.signal != signal) {
            throw new IllegalArgumentException("cannot merge " + o.signal + " into " + signal);
        }
        requests += o.requests;
        for (int i = 0; i < counts.length; i++) {
            counts[i] += o.counts[i];
        }
        sums.add(o.sums);
        for (int i = 0; i < sketches.length; i++) {
            if (sketches[i] != null) {
                sketches[i].merge(o.sketches[i]);
            }
        }
    }

    /**
     * Merges only the cost metrics of {@code o}: SHADOW traffic costs real money but is never
     * user-facing, so it counts for cost and for nothing else.
     */
    public void mergeCost(MetricSet o) {
        if (o.signal != signal) {
            throw new IllegalArgumentException("cannot merge " + o.signal + " into " + signal);
        }
        int cost = signal == Signal.ASR ? ASR_COST : TTS_COST;
        counts[cost] += o.counts[cost];
        sums.add(o.sums, cost * SUMS_PER_RATIO, (cost + 1) * SUMS_PER_RATIO);
    }

    public MetricSet copy() {
        MetricSet c = new MetricSet(signal);
        c.merge(this);
        return c;
    }

    /** The sums of a RATIO metric, each exact and rounded once. */
    public RatioStat ratio(Metric m) {
        int at = ratioSlot(m) * SUMS_PER_RATIO;
        return new RatioStat(counts[at / SUMS_PER_RATIO], sums.value(at), sums.value(at + 1), sums.value(at + 2),
                sums.value(at + 3), sums.value(at + 4));
    }

    /** Where the latency of these requests went: queue, preprocessing and model time and the like. */
    public LatencyComponents latency() {
        return latency;
    }

    /** The sketch of a QUANTILE metric. */
    public QuantileSketch sketch(Metric m) {
        QuantileSketch s = sketches[check(m)];
        if (s == null) {
            throw new IllegalArgumentException(m.id() + " is not a quantile metric");
        }
        return s;
    }

    /** Samples behind the metric: contributing requests. */
    public long samples(Metric m) {
        int i = check(m);
        return sketches[i] != null ? sketches[i].count() : counts[slot(m)];
    }

    /** The metric's value, NaN when nothing contributed. */
    public double value(Metric m) {
        int i = check(m);
        if (sketches[i] != null) {
            return sketches[i].quantile(m.quantile());
        }
        int at = slot(m) * SUMS_PER_RATIO;
        double sy = sums.value(at + 1);
        return sy == 0 ? Double.NaN : sums.value(at) / sy;
    }

    private int ratioSlot(Metric m) {
        check(m);
        int slot = slot(m);
        if (slot < 0) {
            throw new IllegalArgumentException(m.id() + " is not a ratio metric");
        }
        return slot;
    }

    private int check(Metric m) {
        if (m.signal() != signal) {
            throw new IllegalArgumentException(m.id() + " is a " + m.signal() + " metric, this set is " + signal);
        }
        return idx(m);
    }

    /**
     * The byte format of {@link #writeTo}. Format 1: the request count and the metrics. Format 2
     * (2026-12-05): format 1 followed by the {@link LatencyComponents}. The bytes do not say which format
     * they are in: whoever writes a metric set records it (the slice pane in its first byte, the rollout
     * tracker in its own format) and reads with {@link #readFrom(Signal, DataInput, int)}.
     */
    public static final int FORMAT = 2;

    /**
     * Compact form ({@link #FORMAT}): the request count, then per metric in declaration order a ratio's
     * count and (when not 0) its five exact sums, or a quantile's sketch, then the latency components.
     */
    public void writeTo(DataOutput out) throws IOException {
        writeTo(out, FORMAT);
    }

    /**
     * Writes {@code format} (1 to {@link #FORMAT}) as the release that had it wrote it: format 1 leaves
     * the latency components out. For tests of the upgrade path; the job writes the current format.
     */
    public void writeTo(DataOutput out, int format) throws IOException {
        if (format < 1 || format > FORMAT) {
            throw new IllegalArgumentException("metric set format " + format + " is unknown");
        }
        Varints.writeUnsigned(out, requests);
        int slot = 0;
        for (QuantileSketch sketch : sketches) {
            if (sketch != null) {
                sketch.writeTo(out);
                continue;
            }
            Varints.writeUnsigned(out, counts[slot]);
            if (counts[slot] > 0) {
                for (int k = 0; k < SUMS_PER_RATIO; k++) {
                    sums.writeTo(slot * SUMS_PER_RATIO + k, out);
                }
            }
            slot++;
        }
        if (format >= 2) {
            latency.writeTo(out);
        }
    }

    /** Reads a metric set of the current {@link #FORMAT}. */
    public static MetricSet readFrom(Signal signal, DataInput in) throws IOException {
        return readFrom(signal, in, FORMAT);
    }

    /**
     * Reads a metric set written in {@code format} (1 to {@link #FORMAT}); format 1 has no latency
     * components (they read empty, so an old pane adds nothing to them).
     */
    public static MetricSet readFrom(Signal signal, DataInput in, int format) throws IOException {
        if (format < 1 || format > FORMAT) {
            throw new IOException("metric set format " + format + " is unknown (this version reads 1 to " + FORMAT + ")");
        }
        MetricSet s = new MetricSet(signal);
        s.requests = Varints.readUnsigned(in);
        int slot = 0;
        for (QuantileSketch sketch : s.sketches) {
            if (sketch != null) {
                sketch.readFrom(in);
                continue;
            }
            s.counts[slot] = Varints.readUnsigned(in);
            if (s.counts[slot] > 0) {
                for (int k = 0; k < SUMS_PER_RATIO; k++) {
                    s.sums.readFrom(slot * SUMS_PER_RATIO + k, in);
                }
            }
            slot++;
        }
        if (format >= 2) {
            s.latency.readFrom(in);
        }
        return s;
    }
}
