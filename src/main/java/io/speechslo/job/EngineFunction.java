package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.Decision;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.Policies;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.scorecard.EncodedScorecard;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The shared shape of the engine adapters, keyed by service and signal: slice panes (or burn counts)
 * are buffered as they arrive, and when the watermark passes a pane's end the subclass folds them into its engine,
 * evaluates, and says when it next wants to wake up (so a standing alert can resolve, and a rollout
 * can expire, even when traffic stops). Scorecards an engine makes on the way go to the side output
 * {@link Tags#SCORECARDS}. Engines are kept as objects in keyed state, each with its own
 * serializer; their configuration is not state, and the subclass attaches it again after every read.
 *
 * <p>Inputs wait by the time they are due (their timer), so a timer takes exactly its own inputs. (A
 * single list, scanned and rewritten at every timer, made a catch-up quadratic: one watermark step there
 * spans minutes of event time, and every pane of it rescanned all the later ones.) They wait as objects
 * and go to keyed state only when the operator flushes what its function holds ({@link HoldsState}:
 * before every checkpoint barrier, at the end of the input, and after a watermark step once more than
 * {@link #MAX_HELD_INPUTS} wait), so on RocksDB an input taken before the next checkpoint is never
 * written there; a timer takes the inputs in state first, then those held, in the order they came.
 */
abstract class EngineFunction<IN> extends KeyedProcessFunction<String, IN, Advisory> implements HoldsState {

    /** Inputs held at most, across keys, before the end of a watermark step writes them to state. */
    static final int MAX_HELD_INPUTS = 10_000;

    /** The order the slice engines fold a pane's records in, whatever channel they came from. */
    static final java.util.Comparator<PaneRecord> PANE_ORDER = java.util.Comparator
            .<PaneRecord>comparingLong(r -> r.paneEnd)
            .thenComparing(r -> r.track, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
            .thenComparing(r -> r.version)
            .thenComparing(r -> r.slice);

    private final PolicyBundle bundle;
    protected final long lateness;

    protected transient Policies policies;
    /** Buffered inputs by (due time, index among those due then). */
    private transient MapState<Tuple2<Long, Integer>, IN> buffer;
    /** How many inputs are buffered per due time. */
    private transient MapState<Long, Integer> buffered;
    /** Inputs not in state yet, by key and due time. */
    private transient HeldInputs held;
    /** {@link #held} and what the engine holds ({@link #heldEngineStates}). */
    private transient List<HoldsState.Held> heldStates;
    private transient Map<Decision, Counter> advisoriesOut;
    private transient Counter scorecardsOut;
    /**
     * Requests the engine refused as late: their pane was already evaluated or is older than what the
     * engine still keeps (metric {@code late_refused_requests}). Upstream lateness handling makes this 0;
     * a non-zero count means inputs were lost to a decision, so it is counted rather than dropped in silence.
     */
    transient Counter lateRefused;
    /** SLO and rollout gauges, read off the scorecards on their way out. */
    private transient ScorecardGauges gauges;
    /** Scorecards {@link #onPane} made, sent on to {@link Tags#SCORECARDS} (encoded) after it returns. */
    protected transient List<io.speechslo.scorecard.Scorecard> scorecards;
    private transient EncodedScorecard.Encoder encoder;

    EngineFunction(PolicyBundle bundle, long latenessMillis) {
        this.bundle = bundle;
        this.lateness = latenessMillis;
    }

    /** This engine's buffer state ({@link States}). */
    abstract States.Buffer<IN> bufferState();

    /** The POJO class of the input (buffered in state with Flink's POJO serializer). */
    abstract Class<IN> inputType();

    /** End of the pane an input belongs to, exclusive, event-time millis. */
    abstract long paneEnd(IN in);

    /** The fixed order inputs are folded in: they arrive from parallel channels in any order. */
    abstract java.util.Comparator<IN> foldOrder();

    @Override
    public void open(OpenContext openContext) throws Exception {
        policies = bundle.policies();
        buffer = getRuntimeContext().getMapState(bufferState().inputs());
        buffered = getRuntimeContext().getMapState(bufferState().counts());
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("advisories_out");
        advisoriesOut = new EnumMap<>(Decision.class);
        for (Decision d : Decision.values()) {
            advisoriesOut.put(d, g.counter(d.name().toLowerCase(java.util.Locale.ROOT)));
        }
        scorecardsOut = getRuntimeContext().getMetricGroup().counter("scorecards_out");
        lateRefused = getRuntimeContext().getMetricGroup().counter("late_refused_requests");
        gauges = new ScorecardGauges(getRuntimeContext().getMetricGroup());
        scorecards = new ArrayList<>();
        encoder = new EncodedScorecard.Encoder();
        held = new HeldInputs();
        openEngine();
        List<HoldsState.Held> all = new ArrayList<>(heldEngineStates());
        all.add(held);
        heldStates = List.copyOf(all);
    }

    void openEngine() throws Exception {}

    /** Keyed state the engine holds as objects between checkpoints (opened by {@link #openEngine}). */
    abstract List<HoldsState.Held> heldEngineStates();

    @Override
    public final List<HoldsState.Held> heldStates() {
        return heldStates;
    }

    @Override
    public void processElement(IN r, Context ctx, Collector<Advisory> out) throws Exception {
        long due = wakeUp(r, ctx.timerService().currentWatermark());
        held.add(ctx.getCurrentKey(), due, r);
        ctx.timerService().registerEventTimeTimer(due);
    }

    /** When to fold a buffered input in: once the watermark passes its pane's end and the allowed lateness. */
    long wakeUp(IN r, long watermark) {
        return paneEnd(r) + lateness;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Advisory> out) throws Exception {
        long paneEnd = timestamp - lateness;
        // Timers fire in time order, so every input due earlier went at its own timer: these are all
        // that end at or before paneEnd.
        Integer n = buffered.get(timestamp);
        List<IN> due = new ArrayList<>(n == null ? 0 : n);
        for (int i = 0; n != null && i < n; i++) {
            Tuple2<Long, Integer> slot = Tuple2.of(timestamp, i);
            due.add(buffer.get(slot));
            buffer.remove(slot);
        }
        if (n != null) {
            buffered.remove(timestamp);
        }
        held.take(ctx.getCurrentKey(), timestamp, due);
        // At the end of a bounded input the watermark jumps to the end of time and every timer fires:
        // evaluate the panes the data reached, nothing beyond (a live job given the same telemetry would
        // never see its watermark pass them either).
        boolean endOfInput = ctx.timerService().currentWatermark() == Long.MAX_VALUE;
        if (endOfInput && due.isEmpty()) {
            return;
        }
        // panes arrive from parallel channels in any order; engines fold them in one fixed order
        due.sort(foldOrder());
        String[] k = Keys.split(ctx.getCurrentKey());
        List<Advisory> advisories = new ArrayList<>();
        long next = onPane(k[0], Signal.valueOf(k[1]), paneEnd, due, advisories);
        for (Advisory a : advisories) {
            advisoriesOut.get(a.getDecision()).inc();
            out.collect(a);
        }
        for (io.speechslo.scorecard.Scorecard s : scorecards) {
            gauges.update(s);
            ctx.output(Tags.SCORECARDS, encoder.encode(s));
        }
        scorecardsOut.inc(scorecards.size());
        scorecards.clear();
        if (next != Long.MIN_VALUE && !endOfInput) {
            ctx.timerService().registerEventTimeTimer(next + lateness);
        }
    }

    /** The inputs waiting for their timer that are not in state yet. */
    private final class HeldInputs implements HoldsState.Held {

        private final Map<String, Map<Long, List<IN>>> byKey = new java.util.HashMap<>();
        private int count;

        void add(String key, long due, IN r) {
            byKey.computeIfAbsent(key, k -> new java.util.HashMap<>()).computeIfAbsent(due, d -> new ArrayList<>()).add(r);
            count++;
        }

        /** Adds the inputs held for {@code key} due at {@code due} to {@code into}, and forgets them. */
        void take(String key, long due, List<IN> into) {
            Map<Long, List<IN>> byDue = byKey.get(key);
            List<IN> inputs = byDue == null ? null : byDue.remove(due);
            if (inputs != null) {
                into.addAll(inputs);
                count -= inputs.size();
                if (byDue.isEmpty()) {
                    byKey.remove(key);
                }
            }
        }

        @Override
        public boolean full() {
            return count > MAX_HELD_INPUTS;
        }

        @Override
        public void flush(java.util.function.Consumer<String> setKey) throws Exception {
            for (Map.Entry<String, Map<Long, List<IN>>> e : byKey.entrySet()) {
                setKey.accept(e.getKey());
                for (Map.Entry<Long, List<IN>> d : e.getValue().entrySet()) {
                    Integer n = buffered.get(d.getKey());
                    int index = n == null ? 0 : n;
                    for (IN r : d.getValue()) {
                        buffer.put(Tuple2.of(d.getKey(), index++), r);
                    }
                    buffered.put(d.getKey(), index);
                }
            }
            byKey.clear();
            count = 0;
        }
    }

    /**
     * Folds the panes that ended at or before {@code paneEnd} into the engine and evaluates.
     *
     * @return the next pane end to wake up at even without traffic, or Long.MIN_VALUE for none
     */
    abstract long onPane(String service, Signal signal, long paneEnd, List<IN> panes, List<Advisory> out)
            throws Exception;
}
