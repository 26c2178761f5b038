package io.speechslo.job;

import io.speechslo.slice.Slice;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Caps the distinct values of every slice dimension per service and signal, on the partial slice
 * panes coming from the sources: at most {@code maxValues} values are kept, any further value is
 * replaced by {@value #OTHER} (so its pane merges into the "other" slice downstream) and counted
 * (metric {@code folded_to_other}, per partial pane), so a producer that puts request ids into a
 * dimension cannot blow up state.
 *
 * <p>A value unseen for {@code expiry} of event time frees its place: a value's last-seen time is the
 * minute of the newest pane it came in, and it expires at the end of that minute plus the expiry. A new
 * value that finds its dimension full first frees the values expired by its own pane's time, so which
 * values expire depends on event time, not on when the watermark got where; an event-time timer at each
 * expiry frees the rest once the watermark passes it, so the state of a dimension whose values stop
 * coming goes too. Which values win a full dimension still depends on arrival order, so replay matches
 * the live job exactly only while no cap is hit.
 *
 * <p>State ({@link States#DIMENSION_VALUES}): {@code dim} -> count of its values, {@code dim NUL value}
 * -> last-seen minute, encoded negative ({@link #encode}). Savepoints before 2026-12-05 hold
 * {@value #UNKNOWN_LAST_SEEN} for every value (no time kept): such values are given the minute of the
 * first partial pane the guard sees for their service and signal after the restore, so they stay at
 * least one expiry from then.
 */
final class CardinalityGuard extends KeyedProcessFunction<String, PaneRecord, PaneRecord> implements HoldsState {

    /**
     * Entries (values and counts, across keys) held as objects between checkpoints at most ({@link
     * HeldState}): on RocksDB every partial pane otherwise read each of its dimension values there.
     */
    static final int MAX_HELD = 100_000;

    static final String OTHER = "other";
    /** What savepoints before 2026-12-05 hold for every admitted value: admitted, last seen unknown. */
    static final int UNKNOWN_LAST_SEEN = 1;
    private static final long MINUTE = 60_000;

    private final int maxValues;
    private final long expiry;
    private transient HeldState<String, Integer> values;
    private transient Counter folded;
    /** Keys whose values from an older savepoint got their last-seen time (not state: redone after each restore). */
    private transient Set<String> migrated;
    /** Per key, the earliest expiry among its values, or absent when not known: a cache, not state. */
    private transient Map<String, Long> nextExpiry;

    CardinalityGuard(int maxValues, Duration expiry) {
        if (maxValues < 1) {
            throw new IllegalArgumentException("max values per dimension must be >= 1");
        }
        if (expiry.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("cardinality expiry must be at least a minute, not " + expiry);
        }
        this.maxValues = maxValues;
        this.expiry = expiry.toMillis();
    }

    /** A last-seen minute as kept in state: negative (at or after 1970), so it never reads as {@link #UNKNOWN_LAST_SEEN}. */
    static int encode(long minute) {
        return (int) (Integer.MIN_VALUE + Math.max(0, minute));
    }

    static long decode(int stored) {
        return (long) stored - Integer.MIN_VALUE;
    }

    /** When a value last seen in {@code minute} expires: the end of that minute plus the expiry. */
    private long expires(long minute) {
        return (minute + 1) * MINUTE + expiry;
    }

    @Override
    public void open(OpenContext openContext) {
        values = new HeldState<>(getRuntimeContext().getMapState(States.DIMENSION_VALUES), MAX_HELD);
        folded = getRuntimeContext().getMetricGroup().counter("folded_to_other");
        migrated = new HashSet<>();
        nextExpiry = new HashMap<>();
    }

    @Override
    public void processElement(PaneRecord in, Context ctx, Collector<PaneRecord> out) throws Exception {
        long eventTime = in.paneEnd - 1;
        long minute = Math.floorDiv(eventTime, MINUTE);
        String key = ctx.getCurrentKey();
        if (migrated.add(key)) {
            migrate(key, minute, ctx);
        }
        Slice slice = in.fullSlice();
        Slice admitted = slice;
        for (int i = 0; i < slice.size(); i++) {
            String v = admit(key, slice.dimension(i), slice.value(i), eventTime, minute, ctx);
            if (!v.equals(slice.value(i))) {
                admitted = admitted.withValue(i, v);
            }
        }
        if (admitted != slice) {
            in.slice = admitted.key();
        }
        out.collect(in);
    }

    /** Values from a savepoint that kept no last-seen time are last seen now. */
    private void migrate(String key, long minute, Context ctx) throws Exception {
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, Integer> e : values.entries(key).entrySet()) {
            if (e.getKey().indexOf(Keys.SEP) >= 0 && e.getValue() == UNKNOWN_LAST_SEEN) {
                unknown.add(e.getKey());
            }
        }
        for (String k : unknown) {
            values.put(key, k, encode(minute));
        }
        if (!unknown.isEmpty()) {
            ctx.timerService().registerEventTimeTimer(expires(minute));
        }
    }

    /** The value itself when known or there is room (after freeing expired values); else "other". */
    private String admit(String key, String dim, String value, long eventTime, long minute, Context ctx)
            throws Exception {
        if (value.equals(OTHER)) {
            return value;
        }
        String valueKey = dim + Keys.SEP + value;
        Integer seen = values.get(key, valueKey);
        if (seen != null) {
            if (seen == UNKNOWN_LAST_SEEN || decode(seen) < minute) {
                values.put(key, valueKey, encode(minute));
            }
            return value;
        }
        Integer n = values.get(key, dim);
        int count = n == null ? 0 : n;
        if (count >= maxValues && eventTime >= nextExpiry.getOrDefault(key, Long.MIN_VALUE)) {
            expire(key, eventTime);
            n = values.get(key, dim);
            count = n == null ? 0 : n;
        }
        if (count >= maxValues) {
            folded.inc();
            return OTHER;
        }
        values.put(key, valueKey, encode(minute));
        values.put(key, dim, count + 1);
        long at = expires(minute);
        ctx.timerService().registerEventTimeTimer(at);
        nextExpiry.merge(key, at, Math::min);
        return value;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PaneRecord> out) throws Exception {
        long next = expire(ctx.getCurrentKey(), timestamp);
        if (next != Long.MAX_VALUE) {
            ctx.timerService().registerEventTimeTimer(next);
        }
    }

    /**
     * Frees every value of the key that expired at or before {@code time} (the key's map goes with its
     * last value).
     *
     * @return the earliest expiry among the values left, Long.MAX_VALUE for none
     */
    private long expire(String key, long time) throws Exception {
        Map<String, Integer> freed = new HashMap<>();
        List<String> gone = new ArrayList<>();
        long next = Long.MAX_VALUE;
        for (Map.Entry<String, Integer> e : values.entries(key).entrySet()) {
            int sep = e.getKey().indexOf(Keys.SEP);
            if (sep < 0 || e.getValue() == UNKNOWN_LAST_SEEN) {
                continue;
            }
            long at = expires(decode(e.getValue()));
            if (at <= time) {
                gone.add(e.getKey());
                freed.merge(e.getKey().substring(0, sep), 1, Integer::sum);
            } else {
                next = Math.min(next, at);
            }
        }
        for (String k : gone) {
            values.remove(key, k);
        }
        for (Map.Entry<String, Integer> f : freed.entrySet()) {
            int left = values.get(key, f.getKey()) - f.getValue();
            if (left > 0) {
                values.put(key, f.getKey(), left);
            } else {
                values.remove(key, f.getKey());
            }
        }
        nextExpiry.put(key, next);
        return next;
    }

    @Override
    public List<HoldsState.Held> heldStates() {
        return List.of(values);
    }
}
