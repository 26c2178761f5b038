package io.speechslo.aggregate;

import io.speechslo.bytes.ByteReader;
import io.speechslo.bytes.ByteWriter;
import io.speechslo.cost.CostShares;
import io.speechslo.drift.DriftStats;
import io.speechslo.gate.CohortSums;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.scorecard.RequestStats;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.specific.SpecificRecord;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What the requests of one full slice (of one service, signal, track and model version) contribute
 * over one event-time pane to the slice engines: the gate's metrics, the drift statistics and what
 * the decision views read beyond them ({@link RequestStats}, for the scorecards). Requests
 * are folded in here, next to the data, so the engines downstream see one aggregate per slice per pane
 * instead of every request. (Burn rates need no slice: their counts travel as {@code BurnTick}s.)
 */
public final class SlicePane {

    /**
     * The first byte of the form with request stats: this plus the signal's ordinal. The first form (before the
     * request stats) began with the bare ordinal, 0 or 1, and is still read: its request stats are
     * empty, so a pane in flight across the upgrade loses nothing the gate and drift read.
     */
    private static final int WITH_REQUEST_STATS = 0x40;
    /**
     * A flag of the first byte, with {@link #WITH_REQUEST_STATS}: the metric set is in
     * {@link MetricSet#FORMAT} 2 (with its latency components); without it, in format 1. The first
     * byte is the signal's ordinal (its low two bits) plus the flags of what the pane carries, so a
     * later addition takes a flag of its own and every earlier form still reads.
     */
    private static final int WITH_LATENCY_COMPONENTS = 0x04;
    /**
     * A flag of the first byte: the pane carries the SLO counts ({@link SloCounts}, after the request
     * stats). Written since 2026-12-05; a pane without them reads with none (a page attributed over such
     * panes names no slice for their minutes).
     */
    private static final int WITH_SLO_COUNTS = 0x20;
    /**
     * A flag of the first byte: the pane carries its cost shares ({@link CostShares}: cost per serving pool
     * and of fallback requests, after the SLO counts). Written since format 3; a pane without them reads
     * with none (the cost monitor judges the pool and fallback drivers only on panes that carry them).
     */
    private static final int WITH_COST_SHARES = 0x10;
    /**
     * A flag of the first byte: right after the metric set, in the pane's head, the release gate's
     * {@link CohortSums} (confidence, corrections and audio-feature sums, derived when the pane is written
     * from its request stats and histograms), so the gate reads them without decoding the rest. Written
     * since format 4; a pane without them gives the gate none.
     */
    private static final int WITH_COHORT_SUMS = 0x08;
    /** The first byte's flags this version knows. */
    private static final int KNOWN_FLAGS = WITH_REQUEST_STATS | WITH_LATENCY_COMPONENTS | WITH_SLO_COUNTS
            | WITH_COST_SHARES | WITH_COHORT_SUMS;

    private final MetricSet metrics;
    private final DriftStats drift;
    private final RequestStats requests;
    private SloCounts slos = new SloCounts();
    private CostShares costs = new CostShares();
    private long lastEventTime = Long.MIN_VALUE;

    public SlicePane(Signal signal) {
        this(new MetricSet(signal), new DriftStats());
    }

    /** Its request stats share the metric set's queue, preprocessing and model sketches: one sketch each. */
    private SlicePane(MetricSet metrics, DriftStats drift) {
        this(metrics, drift, new RequestStats(metrics.latency()));
    }

    private SlicePane(MetricSet metrics, DriftStats drift, RequestStats requests) {
        this.metrics = metrics;
        this.drift = drift;
        this.requests = requests;
    }

    /** Folds one request in. */
    public void add(SpecificRecord request, long eventTime) {
        metrics.add(request);
        if (request instanceof AsrRequest asr) {
            drift.add(asr);
            requests.add(asr);
            Double cost = asr.getCostUsd();
            if (cost != null && asr.getAudioMs() > 0) { // the requests the cost per audio minute counts
                costs.add(asr.getPool(), asr.getFallback(), cost, asr.getAudioMs());
            }
        } else {
            TtsRequest tts = (TtsRequest) request;
            drift.add(tts);
            requests.add(tts);
            Double cost = tts.getCostUsd();
            if (cost != null && tts.getGeneratedMs() > 0) {
                costs.add(tts.getPool(), tts.getFallback(), cost, tts.getGeneratedMs());
            }
        }
        lastEventTime = Math.max(lastEventTime, eventTime);
    }

    /**
     * Adds another pane of the same slice (a partial aggregate of other requests). Exact: merging
     * partials in any grouping or order gives the pane of all their requests.
     */
    public void merge(SlicePane o) {
        if (o.metrics.signal() != metrics.signal()) {
            throw new IllegalArgumentException("cannot merge a " + o.metrics.signal() + " pane into a "
                    + metrics.signal() + " pane");
        }
        metrics.merge(o.metrics);
        drift.merge(o.drift);
        requests.merge(o.requests);
        slos.merge(o.slos);
        costs.merge(o.costs);
        lastEventTime = Math.max(lastEventTime, o.lastEventTime);
    }

    public MetricSet metrics() {
        return metrics;
    }

    public DriftStats drift() {
        return drift;
    }

    /** What the scorecards read beyond the gate's metrics. */
    public RequestStats requestStats() {
        return requests;
    }

    /** Good and total requests per request-based SLO (counted by the pre-aggregator, not by {@link #add}). */
    public SloCounts sloCounts() {
        return slos;
    }

    /** Cost per serving pool and of fallback requests (empty for a pane from before format 3). */
    public CostShares costShares() {
        return costs;
    }

    public long lastEventTime() {
        return lastEventTime;
    }

    public long requests() {
        return metrics.requests();
    }

    /**
     * The byte format of {@link #writeTo} in keyed state (the state serializer's snapshot records which one
     * a state is in). Format 1 describes itself in its first byte (a pane from before the request stats
     * reads too), because panes also travel between operators as bytes. Format 2 (2026-12-05): the metric
     * set carries its latency components ({@link #WITH_LATENCY_COMPONENTS}) and the pane its SLO counts
     * ({@link #WITH_SLO_COUNTS}). Both formats describe themselves, so {@link #readFrom(DataInput, int)}
     * reads either whatever the format it is given; the number is what the state's snapshot records.
     * Format 3 (2026-12-05): the pane carries its cost shares ({@link #WITH_COST_SHARES}). Format 4
     * (2026-12-05): its head carries the gate's cohort sums ({@link #WITH_COHORT_SUMS}); the request stats
     * inside carry a format byte of their own (format 3 adds the squares of the confidences; 1 and 2
     * still read). A change of these bytes adds format 5 here.
     */
    public static final int FORMAT = 4;

    public void writeTo(DataOutput out) throws IOException {
        writeTo(out, true);
    }

    /**
     * With {@code cohortSums} false, the head leaves out the gate's {@link CohortSums} (the flag
     * {@link #WITH_COHORT_SUMS} is not set): they are derived from the rest, so a partial pane on its way to
     * the slice-pane aggregator, which merges partials and derives them once for the whole pane, need not
     * carry them. Every reader reads either form.
     */
    private void writeTo(DataOutput out, boolean cohortSums) throws IOException {
        out.writeByte(WITH_REQUEST_STATS | WITH_LATENCY_COMPONENTS | WITH_SLO_COUNTS | WITH_COST_SHARES
                | (cohortSums ? WITH_COHORT_SUMS : 0) | metrics.signal().ordinal());
        out.writeLong(lastEventTime);
        metrics.writeTo(out);
        if (cohortSums) {
            CohortSums.ofPane(requests, drift).writeTo(out);
        }
        drift.writeTo(out);
        requests.writeTo(out);
        slos.writeTo(out);
        costs.writeTo(out);
    }

    /**
     * Reads any form (see {@link #WITH_REQUEST_STATS}, {@link #WITH_LATENCY_COMPONENTS}, {@link #WITH_SLO_COUNTS},
     * {@link #WITH_COST_SHARES}).
     */
    public static SlicePane readFrom(DataInput in) throws IOException {
        return readFrom(in, FORMAT);
    }

    /** Reads a pane written in {@code format} (1 to {@link #FORMAT}), as {@link #readFrom(DataInput)}. */
    public static SlicePane readFrom(DataInput in, int format) throws IOException {
        if (format < 1 || format > FORMAT) {
            throw new IOException("slice pane state format " + format + " is unknown (this version reads 1 to "
                    + FORMAT + ")");
        }
        int head = in.readByte();
        Head h = readHead(head, in);
        boolean withRequestStats = (head & WITH_REQUEST_STATS) != 0;
        boolean withLatency = (head & WITH_LATENCY_COMPONENTS) != 0;
        boolean withSloCounts = (head & WITH_SLO_COUNTS) != 0;
        boolean withCostShares = (head & WITH_COST_SHARES) != 0;
        long last = h.lastEventTime();
        MetricSet metrics = h.metrics();
        DriftStats drift = DriftStats.readFrom(in);
        // a pane from before the latency components keeps the request stats' own sketches: its metric set has none
        SlicePane p = new SlicePane(metrics, drift, !withRequestStats ? new RequestStats()
                : RequestStats.readFrom(in, withLatency ? metrics.latency() : null));
        if (withSloCounts) {
            p.slos = SloCounts.readFrom(in);
        }
        if (withCostShares) {
            p.costs = CostShares.readFrom(in);
        }
        p.lastEventTime = last;
        return p;
    }

    /**
     * What the release gate reads of a pane: when its last request ended, its metric set and (format 4 on;
     * else null) its cohort sums, which come first, so the rest (audio histograms, request stats, SLO
     * counts, cost shares) is never decoded.
     */
    public record Head(long lastEventTime, MetricSet metrics, CohortSums cohort) {

        public long requests() {
            return metrics.requests();
        }
    }

    /** The {@link Head} of a pane's bytes (any form). */
    public static Head headFromBytes(byte[] bytes) {
        try {
            ByteReader in = new ByteReader(bytes);
            return readHead(in.readByte(), in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Head readHead(int head, DataInput in) throws IOException {
        boolean withRequestStats = (head & WITH_REQUEST_STATS) != 0;
        boolean withLatency = (head & WITH_LATENCY_COMPONENTS) != 0;
        boolean withSloCounts = (head & WITH_SLO_COUNTS) != 0;
        int ordinal = head & 0x03;
        boolean withCostShares = (head & WITH_COST_SHARES) != 0;
        boolean withCohortSums = (head & WITH_COHORT_SUMS) != 0;
        if (head < 0 || (head & ~(KNOWN_FLAGS | 0x03)) != 0 || (withLatency || withSloCounts || withCostShares) && !withRequestStats
                || withCostShares && !withSloCounts || withCohortSums && !withRequestStats) {
            throw new IOException("not a slice pane of a form this version reads: first byte " + head);
        }
        if (ordinal >= Signal.values().length) {
            throw new IOException("not a slice pane: first byte " + head);
        }
        long last = in.readLong();
        MetricSet metrics = MetricSet.readFrom(Signal.values()[ordinal], in, withLatency ? 2 : 1);
        return new Head(last, metrics, withCohortSums ? CohortSums.readFrom(in) : null);
    }

    public byte[] toBytes() {
        return ByteWriter.bytes(this::writeTo, 512);
    }

    /**
     * The bytes of a partial pane, for the slice-pane aggregator only: as {@link #toBytes()} without the
     * cohort sums, which the aggregator derives again when it writes the merged pane (what the release
     * gate reads). Saves deriving, writing and reading them once per partial.
     */
    public byte[] toPartialBytes() {
        return ByteWriter.bytes(out -> writeTo(out, false), 512);
    }

    public static SlicePane fromBytes(byte[] bytes) {
        try {
            return readFrom(new ByteReader(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
