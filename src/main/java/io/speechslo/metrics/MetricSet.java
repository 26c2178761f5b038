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

    private static final int WER = idx(Metric.WER);
    private static final int ENTITY = idx(Metric.ENTITY_ERROR_RATE);
    private static final int ASR_TIMEOUT = idx(Metric.ASR_TIMEOUT_RATE);
    private static final int ASR_ERROR = idx(Metric.ASR_ERROR_RATE);
    private static final int FIRST_PARTIAL = idx(Metric.FIRST_PARTIAL_P95_MS);
    private static final int FINALIZATION = idx(Metric.FINALIZATION_P99_MS);
    private static final int CHURN = idx(Metric.PARTIAL_CHURN);
    private static final int ASR_SENSITIVE = idx(Metric.SENSITIVE_LOGGING_RATE);
    private static final int ASR_COST = idx(Metric.COST_PER_AUDIO_MINUTE);
    private static final int FIRST_AUDIO = idx(Metric.FIRST_AUDIO_P95_MS);
    private static final int UNDERRUN = idx(Metric.UNDERRUN_RATE);
    private static final int CHUNK_GAP = idx(Metric.CHUNK_GAP_P95_MS);
    private static final int INTERRUPTION = idx(Metric.INTERRUPTION_RATE);
    private static final int ABANDONMENT = idx(Metric.ABANDONMENT_RATE);
    private static final int PREFERENCE = idx(Metric.PREFERENCE);
    private static final int TTS_COST = idx(Metric.COST_PER_GENERATED_SECOND);
    private static final int TTS_TIMEOUT = idx(Metric.TTS_TIMEOUT_RATE);
    private static final int TTS_ERROR = idx(Metric.TTS_ERROR_RATE);
    private static final int TTS_SENSITIVE = idx(Metric.TTS_SENSITIVE_LOGGING_RATE);

    private static int idx(Metric m) {
        return Metric.of(m.signal()).indexOf(m);
    }

    private final Signal signal;
    private final RatioStat[] ratios;
    private final QuantileSketch[] sketches;
    private long requests;

    public MetricSet(Signal signal) {
        this.signal = signal;
        List<Metric> metrics = Metric.of(signal);
        this.ratios = new RatioStat[metrics.size()];
        this.sketches = new QuantileSketch[metrics.size()];
        for (int i = 0; i < metrics.size(); i++) {
            if (metrics.get(i).kind() == MetricKind.RATIO) {
                ratios[i] = new RatioStat();
            } else {
                sketches[i] = new QuantileSketch();
            }
        }
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
            ratios[WER].add(wordErrors, refWords);
        }
        Integer entityTotal = r.getEntityTotal();
        Integer entityErrors = r.getEntityErrors();
        if (entityTotal != null && entityErrors != null && entityTotal > 0) {
            ratios[ENTITY].add(entityErrors, entityTotal);
        }
        Outcome outcome = r.getOutcome();
        ratios[ASR_TIMEOUT].add(outcome == Outcome.TIMEOUT ? 1 : 0, 1);
        ratios[ASR_ERROR].add(outcome == Outcome.ERROR ? 1 : 0, 1);
        Long firstPartial = r.getFirstPartialMs();
        if (firstPartial != null) {
            sketches[FIRST_PARTIAL].add(firstPartial);
        }
        Long finalization = r.getFinalizationMs();
        if (finalization != null) {
            sketches[FINALIZATION].add(finalization);
        }
        if (r.getPartials() > 0) {
            ratios[CHURN].add(r.getPartialRewrites(), r.getPartials());
        }
        boolean leaked = r.getSensitiveLogged() || r.getRedaction() == Redaction.FAILED;
        ratios[ASR_SENSITIVE].add(leaked ? 1 : 0, 1);
        Double cost = r.getCostUsd();
        if (cost != null && r.getAudioMs() > 0) {
            ratios[ASR_COST].add(cost, r.getAudioMs() / 60_000.0);
        }
    }

    public void add(TtsRequest r) {
        requests++;
        Long firstAudio = r.getFirstAudioMs();
        if (firstAudio != null) {
            sketches[FIRST_AUDIO].add(firstAudio);
        }
        if (r.getChunks() > 0) {
            ratios[UNDERRUN].add(r.getUnderruns() > 0 ? 1 : 0, 1);
        }
        Long gap = r.getMaxChunkGapMs();
        if (gap != null) {
            sketches[CHUNK_GAP].add(gap);
        }
        ratios[INTERRUPTION].add(r.getInterrupted() ? 1 : 0, 1);
        ratios[ABANDONMENT].add(r.getAbandoned() ? 1 : 0, 1);
        Float preference = r.getPreference();
        if (preference != null) {
            ratios[PREFERENCE].add(preference, 1);
        }
        Double cost = r.getCostUsd();
        if (cost != null && r.getGeneratedMs() > 0) {
            ratios[TTS_COST].add(cost, r.getGeneratedMs() / 1000.0);
        }
        Outcome outcome = r.getOutcome();
        ratios[TTS_TIMEOUT].add(outcome == Outcome.TIMEOUT ? 1 : 0, 1);
        ratios[TTS_ERROR].add(outcome == Outcome.ERROR ? 1 : 0, 1);
        ratios[TTS_SENSITIVE].add(r.getSensitiveLogged() ? 1 : 0, 1);
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
        if (o.signal != signal) {
            throw new IllegalArgumentException("cannot merge " + o.signal + " into " + signal);
        }
        requests += o.requests;
        for (int i = 0; i < ratios.length; i++) {
            if (ratios[i] != null) {
                ratios[i].merge(o.ratios[i]);
            } else {
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
        ratios[cost].merge(o.ratios[cost]);
    }

    public MetricSet copy() {
        MetricSet c = new MetricSet(signal);
        c.merge(this);
        return c;
    }

    /** The ratio sums of a RATIO metric. */
    public RatioStat ratio(Metric m) {
        RatioStat r = ratios[check(m)];
        if (r == null) {
            throw new IllegalArgumentException(m.id() + " is not a ratio metric");
        }
        return r;
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
        return ratios[i] != null ? ratios[i].count() : sketches[i].count();
    }

    /** The metric's value, NaN when nothing contributed. */
    public double value(Metric m) {
        int i = check(m);
        return ratios[i] != null ? ratios[i].value() : sketches[i].quantile(m.quantile());
    }

    private int check(Metric m) {
        if (m.signal() != signal) {
            throw new IllegalArgumentException(m.id() + " is a " + m.signal() + " metric, this set is " + signal);
        }
        return idx(m);
    }

    public void writeTo(DataOutput out) throws IOException {
        Varints.writeUnsigned(out, requests);
        for (int i = 0; i < ratios.length; i++) {
            if (ratios[i] != null) {
                ratios[i].writeTo(out);
            } else {
                sketches[i].writeTo(out);
            }
        }
    }

    public static MetricSet readFrom(Signal signal, DataInput in) throws IOException {
        MetricSet s = new MetricSet(signal);
        s.requests = Varints.readUnsigned(in);
        for (int i = 0; i < s.ratios.length; i++) {
            if (s.ratios[i] != null) {
                s.ratios[i].readFrom(in);
            } else {
                s.sketches[i].readFrom(in);
            }
        }
        return s;
    }
}
