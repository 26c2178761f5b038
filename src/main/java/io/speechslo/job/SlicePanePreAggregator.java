package io.speechslo.job;

import io.speechslo.aggregate.SlicePane;
import io.speechslo.deadletter.DeadLetter;
import io.speechslo.kafka.DeadLetterReason;
import io.speechslo.kafka.DeadLetters;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.slice.RequestSlices;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Track;
import io.speechslo.telemetry.TtsRequest;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chained to the source, so a request never crosses the network: dead letters go to their side
 * output, late requests are dead-lettered, and every other request is folded into a partial
 * {@link SlicePane} of its service, signal, track, model version, full slice and event-time pane. Only
 * the partial panes travel on, to the cardinality guard and the keyed slice-pane aggregator, which
 * merges them exactly (sums and sketch bins add), so the final panes are the same however the
 * requests were split into partials. Each request's SLO outcomes are also counted per service,
 * signal, model version and burn pane ({@link BurnTick}, side output {@link Tags#BURN_TICKS}): the
 * burn-rate engine needs no slice, so these counts skip the slice path and leave as soon as the
 * watermark passes their burn pane, which is what lets a page out within seconds.
 *
 * <p>Partials are flushed (emitted and forgotten) before a watermark that closes their pane is
 * forwarded, so downstream a partial always arrives before the watermark that would make it late; all
 * of them before a checkpoint barrier (so this operator keeps no state), before the source is declared
 * idle, at the end of input, and whenever more than {@link #MAX_BUFFERED} are held (and so are
 * burn counts, which go out as soon as the watermark passes their burn pane).
 *
 * <p>Serving samples and privacy events (optional inputs) are not requests: they go unchanged to the
 * side outputs {@link Tags#SERVING_SAMPLES} and {@link Tags#PRIVACY_EVENTS} as they arrive, with
 * their event time, and nothing here judges them late (whoever aggregates them does).
 *
 * <p>A request is late when its pane (plus the allowed lateness) closed at or before this subtask's
 * watermark. Metrics: {@code records_in.asr|tts|serving|privacy}, {@code dead_letters.<reason>}, {@code late_records},
 * {@code shadow_records}, {@code partial_panes_out}, {@code burn_ticks_out} and the gauge
 * {@code buffered_panes}.
 *
 * <p>Duplicates (one request delivered twice, same {@code request_id}) are folded in like any other
 * request: neither dropped nor counted. Dropping them exactly would need the ids in keyed state by
 * request (every request shuffled, which this operator exists to avoid) or in checkpointed operator
 * state, and even counting them costs a hash lookup per request and megabytes of heap per subtask
 * (the README and {@code src/bench/HISTORY.md} have the measured costs and the reasons).
 */
final class SlicePanePreAggregator extends AbstractStreamOperator<PaneRecord>
        implements OneInputStreamOperator<Ingested, PaneRecord>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    /** Partial panes held before all are flushed, whatever their pane: bounds memory under any slice cardinality. */
    static final int MAX_BUFFERED = 10_000;

    /**
     * Where a request is folded, apart from its pane: its slice values in {@link RequestSlices} order.
     * A plain class, not a record: its hash is worked out once, and equality tries identity first (the
     * decoders hand out shared Strings), which a record's generated methods do not.
     */
    private static final class FoldKey {

        final String service;
        final Signal signal;
        final Track track;
        final String version;
        final String v0;
        final String v1;
        final String v2;
        final String v3;
        private final int hash;

        FoldKey(String service, Signal signal, Track track, String version, String v0, String v1, String v2,
                String v3) {
            this.service = service;
            this.signal = signal;
            this.track = track;
            this.version = version;
            this.v0 = v0;
            this.v1 = v1;
            this.v2 = v2;
            this.v3 = v3;
            int h = service.hashCode();
            h = 31 * h + signal.ordinal();
            h = 31 * h + track.ordinal();
            h = 31 * h + version.hashCode();
            h = 31 * h + v0.hashCode();
            h = 31 * h + v1.hashCode();
            h = 31 * h + v2.hashCode();
            this.hash = 31 * h + v3.hashCode();
        }

        static FoldKey of(Ingested in) {
            if (in.asr != null) {
                AsrRequest r = in.asr;
                return new FoldKey(r.getService(), Signal.ASR, r.getTrack(), r.getModelVersion(),
                        r.getAcousticCondition(), r.getDevice(), r.getLanguage(), r.getRegion());
            }
            TtsRequest r = in.tts;
            return new FoldKey(r.getService(), Signal.TTS, r.getTrack(), r.getModelVersion(),
                    r.getDevice(), r.getLanguage(), r.getRegion(), r.getVoice());
        }

        String slice() {
            return RequestSlices.of(signal, v0, v1, v2, v3).key();
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof FoldKey k) || k.hash != hash || k.signal != signal || k.track != track) {
                return false;
            }
            return same(service, k.service) && same(version, k.version) && same(v0, k.v0) && same(v1, k.v1)
                    && same(v2, k.v2) && same(v3, k.v3);
        }

        static boolean same(String a, String b) {
            return a == b || a.equals(b);
        }
    }

    /** Where a request's burn counts go, apart from their burn pane (hashed once, identity first, as {@link FoldKey}). */
    private static final class BurnKey {

        final String service;
        final Signal signal;
        final String version;
        private final int hash;

        BurnKey(String service, Signal signal, String version) {
            this.service = service;
            this.signal = signal;
            this.version = version;
            this.hash = (31 * service.hashCode() + signal.ordinal()) * 31 + version.hashCode();
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return this == o || (o instanceof BurnKey k && k.hash == hash && k.signal == signal
                    && FoldKey.same(service, k.service) && FoldKey.same(version, k.version));
        }
    }

    /**
     * Aggregates held per pane end and key until they are flushed, oldest pane first. The map of the
     * pane looked up last is kept at hand: consecutive requests mostly fall in the same pane.
     */
    private static final class Held<K, V> {

        /** Receives what a flush hands on. */
        interface Sink<K, V> {
            void accept(long paneEnd, K key, V value);
        }

        private final TreeMap<Long, Map<K, V>> byPaneEnd = new TreeMap<>();
        private long cachedPaneEnd = Long.MIN_VALUE;
        private Map<K, V> cached;
        private int size;

        /** The aggregate of {@code key} in the pane ending at {@code paneEnd}, or null. */
        V get(long paneEnd, K key) {
            if (paneEnd != cachedPaneEnd) {
                cached = byPaneEnd.computeIfAbsent(paneEnd, p -> new HashMap<>());
                cachedPaneEnd = paneEnd;
            }
            return cached.get(key);
        }

        /** Holds a new aggregate, right after {@link #get} found none for the same pane and key. */
        void put(K key, V value) {
            cached.put(key, value);
            size++;
        }

        int size() {
            return size;
        }

        /** Hands on and forgets every aggregate of the panes ending at or before {@code upToPaneEnd}. */
        void flush(long upToPaneEnd, Sink<K, V> out) {
            while (!byPaneEnd.isEmpty() && byPaneEnd.firstKey() <= upToPaneEnd) {
                Map.Entry<Long, Map<K, V>> e = byPaneEnd.pollFirstEntry();
                e.getValue().forEach((k, v) -> out.accept(e.getKey(), k, v));
                size -= e.getValue().size();
                if (e.getKey() == cachedPaneEnd) {
                    cachedPaneEnd = Long.MIN_VALUE;
                    cached = null;
                }
            }
        }
    }

    private final PolicyBundle bundle;
    private final long paneMillis;
    private final long burnMillis;
    private final long lateness;

    private transient Policies policies;
    /** Per signal (by ordinal): service -> its SLOs, in the order BurnTick counts them. */
    private transient Map<String, List<SloDefinition>>[] slos;
    /** Per signal (by ordinal): service -> the names of its SLOs, which every BurnTick carries. */
    private transient Map<String, String[]>[] sloNames;
    /** Partial slice panes by pane end and fold key. */
    private transient Held<FoldKey, SlicePane> panes;
    /** Burn counts by burn pane end and burn key. */
    private transient Held<BurnKey, BurnTick> ticks;
    /** The burn counts the last request went into. */
    private transient BurnTick lastTick;
    private transient long watermark;

    private transient Counter asrIn;
    private transient Counter ttsIn;
    private transient Counter servingIn;
    private transient Counter privacyIn;
    private transient Map<DeadLetterReason, Counter> deadByReason;
    private transient Counter deadOther;
    private transient Counter late;
    private transient Counter shadow;
    private transient Counter partialsOut;
    private transient Counter ticksOut;

    /**
     * @param paneMillis the slice pane (the gate interval)
     * @param burnMillis the burn pane: burn counts leave as soon as the watermark passes its end
     * @param latenessMillis how long after the watermark passes a slice pane's end a request still counts
     */
    SlicePanePreAggregator(PolicyBundle bundle, long paneMillis, long burnMillis, long latenessMillis) {
        this.bundle = bundle;
        this.paneMillis = paneMillis;
        this.burnMillis = burnMillis;
        this.lateness = latenessMillis;
    }

    @Override
    public void open() throws Exception {
        super.open();
        policies = bundle.policies();
        @SuppressWarnings("unchecked")
        Map<String, List<SloDefinition>>[] bySignal = new Map[Signal.values().length];
        for (int i = 0; i < bySignal.length; i++) {
            bySignal[i] = new HashMap<>();
        }
        slos = bySignal;
        @SuppressWarnings("unchecked")
        Map<String, String[]>[] names = new Map[Signal.values().length];
        for (int i = 0; i < names.length; i++) {
            names[i] = new HashMap<>();
        }
        sloNames = names;
        panes = new Held<>();
        ticks = new Held<>();
        watermark = Long.MIN_VALUE;
        MetricGroup g = getMetricGroup();
        MetricGroup in = g.addGroup("records_in");
        asrIn = in.counter("asr");
        ttsIn = in.counter("tts");
        servingIn = in.counter("serving");
        privacyIn = in.counter("privacy");
        MetricGroup dead = g.addGroup("dead_letters");
        deadByReason = new EnumMap<>(DeadLetterReason.class);
        for (DeadLetterReason r : DeadLetterReason.values()) {
            deadByReason.put(r, dead.counter(r.code()));
        }
        deadOther = dead.counter("other");
        late = g.counter("late_records");
        shadow = g.counter("shadow_records");
        partialsOut = g.counter("partial_panes_out");
        ticksOut = g.counter("burn_ticks_out");
        g.<Integer, Gauge<Integer>>gauge("buffered_panes", () -> panes.size());
    }

    @Override
    public void processElement(StreamRecord<Ingested> element) {
        Ingested in = element.getValue();
        if (in.isDead()) {
            deadLetter(in.dead, element);
            return;
        }
        if (in.serving != null) {
            servingIn.inc();
            output.collect(Tags.SERVING_SAMPLES, new StreamRecord<>(in, in.eventTime()));
            return;
        }
        if (in.privacy != null) {
            privacyIn.inc();
            output.collect(Tags.PRIVACY_EVENTS, new StreamRecord<>(in, in.eventTime()));
            return;
        }
        (in.asr != null ? asrIn : ttsIn).inc();
        Track track = in.track();
        if (track == Track.SHADOW) {
            shadow.inc();
        }
        long t = in.eventTime();
        long paneEnd = Math.floorDiv(t, paneMillis) * paneMillis + paneMillis;
        if (paneEnd + lateness <= watermark) {
            late.inc();
            deadLetter(DeadLetters.of(in.topic, in.partition, in.offset, null,
                    in.record().toString().getBytes(StandardCharsets.UTF_8), DeadLetterReason.LATE,
                    "event_time " + t + " is in a pane that closed at " + (paneEnd + lateness)
                            + "; the watermark is at " + watermark + " (raw holds the record as JSON)",
                    null, -1), element);
            return;
        }
        FoldKey key = FoldKey.of(in);
        SlicePane pane = panes.get(paneEnd, key);
        if (pane == null) {
            pane = new SlicePane(key.signal);
            panes.put(key, pane);
        }
        pane.add(in.record(), t);
        if (track != Track.SHADOW) { // shadow traffic is not user-facing: no burn counts
            List<SloDefinition> sloList = slosOf(key.service, key.signal);
            tickOf(key, t).add(in.record(), sloList, pane.sloCounts()); // the same verdicts, per slice too
        }
        if (panes.size() > MAX_BUFFERED) {
            flush(Long.MAX_VALUE);
        }
        if (ticks.size() > MAX_BUFFERED) {
            flushTicks(Long.MAX_VALUE); // a model version per request: burn counts stay bounded too
        }
    }

    /**
     * The burn counts a request at {@code t} goes into. Its burn pane may already be behind the
     * watermark while its slice pane is not (a late request within the allowed lateness): the counts
     * then leave with the next watermark, and the engine adds them to later evaluations.
     */
    private BurnTick tickOf(FoldKey key, long t) {
        long tickEnd = Math.floorDiv(t, burnMillis) * burnMillis + burnMillis;
        BurnTick last = lastTick;
        if (last != null && last.tickEnd == tickEnd && last.signal == key.signal
                && last.service.equals(key.service) && last.version.equals(key.version)) {
            return last; // consecutive requests of one service and version: no lookup
        }
        BurnKey bk = new BurnKey(key.service, key.signal, key.version);
        BurnTick tick = ticks.get(tickEnd, bk);
        if (tick == null) {
            tick = new BurnTick(key.service, key.signal, key.version, tickEnd, sloNames[key.signal.ordinal()]
                    .computeIfAbsent(key.service, s -> BurnTick.names(slosOf(s, key.signal))));
            ticks.put(bk, tick);
        }
        lastTick = tick;
        return tick;
    }

    private List<SloDefinition> slosOf(String service, Signal signal) {
        return slos[signal.ordinal()].computeIfAbsent(service, s -> policies.slosFor(s, signal));
    }

    private void deadLetter(DeadLetter d, StreamRecord<Ingested> element) {
        Counter c = deadOther;
        for (Map.Entry<DeadLetterReason, Counter> e : deadByReason.entrySet()) {
            if (e.getKey().code().equals(d.getReason())) {
                c = e.getValue();
                break;
            }
        }
        c.inc();
        output.collect(Tags.DEAD_LETTERS, element.hasTimestamp()
                ? new StreamRecord<>(d, element.getTimestamp()) : new StreamRecord<>(d));
    }

    /** Emits and forgets every partial pane whose pane ends at or before {@code upToPaneEnd}. */
    private void flush(long upToPaneEnd) {
        panes.flush(upToPaneEnd, (paneEnd, k, pane) -> {
            output.collect(new StreamRecord<>(new PaneRecord(k.service, k.signal, k.track, k.version, k.slice(),
                    paneEnd, pane.toPartialBytes()), paneEnd - 1));
            partialsOut.inc();
        });
    }

    /** Emits and forgets the burn counts of every burn pane ending at or before {@code upToTickEnd}. */
    private void flushTicks(long upToTickEnd) {
        ticks.flush(upToTickEnd, (tickEnd, k, tick) -> {
            output.collect(Tags.BURN_TICKS, new StreamRecord<>(tick, tickEnd - 1));
            ticksOut.inc();
        });
        lastTick = null;
    }

    private void flushAll() {
        flush(Long.MAX_VALUE);
        flushTicks(Long.MAX_VALUE);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        // panes the watermark closes go out ahead of it, so they are never late downstream; burn counts
        // go out when the watermark passes their burn pane, whatever the allowed lateness
        flush(mark.getTimestamp() == Long.MAX_VALUE ? Long.MAX_VALUE : mark.getTimestamp() - lateness);
        flushTicks(mark.getTimestamp());
        super.processWatermark(mark);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        if (status.isIdle()) {
            // downstream stops waiting for this channel's watermark: nothing may be held back behind it
            flushAll();
        }
        super.processWatermarkStatus(status);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flushAll();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() {
        flushAll();
    }

    @Override
    public void finish() throws Exception {
        flushAll();
        super.finish();
    }
}
