package io.speechslo.job;

import io.speechslo.kafka.DeadLetterReason;
import io.speechslo.kafka.DeadLetters;
import io.speechslo.scorecard.EncodedScorecard;
import io.speechslo.scorecard.Scorecard;
import io.speechslo.scorecard.ScorecardKind;
import io.speechslo.scorecard.ScorecardValue;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keyed by service: folds one of the optional inputs (serving samples, privacy events) into
 * per-minute statistics per cohort (model version, and pool for serving), held in keyed state as their
 * compact bytes, and when the watermark passes a minute's end (plus the allowed lateness) emits one
 * scorecard per cohort (encoded, for the scorecard sink) and forgets the minute. An input later than
 * that is dead-lettered with reason {@code late} (metric {@code late_records}), as late telemetry is.
 * The inputs are sparse (a sample per replica every few seconds, an event per access), so a
 * read-modify-write of a cohort's bytes per input costs little. Inputs arrive in their {@link Ingested}
 * envelope, so a late one's dead letter names the topic, partition and offset it was read from.
 *
 * @param <IN> the input record
 * @param <S> its statistics
 */
abstract class InputScorecardFunction<IN extends org.apache.avro.specific.SpecificRecord, S>
        extends KeyedProcessFunction<String, Ingested, EncodedScorecard> {

    static final long MINUTE = 60_000;

    private final long lateness;
    private transient MapState<String, byte[]> minutes;
    private transient Counter late;
    private transient EncodedScorecard.Encoder encoder;

    InputScorecardFunction(long latenessMillis) {
        this.lateness = latenessMillis;
    }

    /** The state of the minutes ({@link States}). */
    abstract MapStateDescriptor<String, byte[]> minutesState();

    abstract ScorecardKind kind();

    abstract long eventTime(IN in);

    abstract String modelVersion(IN in);

    /** The slice of the cohort: {pool: …} for serving, empty for privacy. */
    abstract Map<String, String> slice(IN in);

    abstract S empty();

    abstract void add(S stats, IN in);

    abstract byte[] toBytes(S stats);

    abstract S fromBytes(byte[] bytes);

    abstract List<ScorecardValue> values(S stats);

    /** The input of an envelope (its serving sample or privacy event). */
    abstract IN unwrap(Ingested envelope);

    @Override
    public void open(OpenContext openContext) {
        minutes = getRuntimeContext().getMapState(minutesState());
        late = getRuntimeContext().getMetricGroup().counter("late_records");
        encoder = new EncodedScorecard.Encoder();
    }

    @Override
    public void processElement(Ingested envelope, Context ctx, Collector<EncodedScorecard> out) throws Exception {
        IN in = unwrap(envelope);
        long t = eventTime(in);
        long minuteEnd = Math.floorDiv(t, MINUTE) * MINUTE + MINUTE;
        long watermark = ctx.timerService().currentWatermark();
        if (minuteEnd + lateness <= watermark) {
            late.inc();
            ctx.output(Tags.DEAD_LETTERS, DeadLetters.of(envelope.topic, envelope.partition, envelope.offset, null,
                    in.toString().getBytes(StandardCharsets.UTF_8), DeadLetterReason.LATE,
                    "time " + t + " is in a minute that closed at " + (minuteEnd + lateness)
                            + "; the watermark is at " + watermark + " (raw holds the record as JSON)", null, -1));
            return;
        }
        String version = modelVersion(in);
        Map<String, String> slice = new TreeMap<>(slice(in));
        String key = String.join(String.valueOf(Keys.SEP), Long.toString(minuteEnd), version == null ? "" : version,
                encode(slice));
        byte[] held = minutes.get(key);
        S stats = held == null ? empty() : fromBytes(held);
        add(stats, in);
        minutes.put(key, toBytes(stats));
        if (held == null) {
            ctx.timerService().registerEventTimeTimer(minuteEnd + lateness);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EncodedScorecard> out) throws Exception {
        long minuteEnd = timestamp - lateness;
        String prefix = minuteEnd + String.valueOf(Keys.SEP);
        TreeMap<String, byte[]> due = new TreeMap<>(); // a fixed order, whatever the state's
        for (Map.Entry<String, byte[]> e : minutes.entries()) {
            if (e.getKey().startsWith(prefix)) {
                due.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, byte[]> e : due.entrySet()) {
            String[] k = Keys.split(e.getKey());
            out.collect(encoder.encode(Scorecard.newBuilder()
                    .setKind(kind())
                    .setService(ctx.getCurrentKey())
                    .setModelVersion(k[1].isEmpty() ? null : k[1])
                    .setSlice(decode(k[2]))
                    .setWindowStart(minuteEnd - MINUTE)
                    .setWindowEnd(minuteEnd)
                    .setValues(values(fromBytes(e.getValue())))
                    .build()));
            closed(ctx, k[1].isEmpty() ? null : k[1], decode(k[2]), minuteEnd, e.getValue());
            minutes.remove(e.getKey());
        }
    }

    /** Called for each cohort's minute as its scorecard goes out, with its statistics' bytes: nothing by default. */
    void closed(OnTimerContext ctx, String version, Map<String, String> slice, long minuteEnd, byte[] stats) {}

    /** A slice as {@code dim=value} pairs joined by a separator no part may contain. */
    private static String encode(Map<String, String> slice) {
        List<String> parts = new ArrayList<>();
        slice.forEach((d, v) -> parts.add(d + "=" + v));
        return String.join("\u0001", parts);
    }

    private static Map<String, String> decode(String text) {
        Map<String, String> slice = new LinkedHashMap<>();
        if (!text.isEmpty()) {
            for (String part : text.split("\u0001")) {
                int eq = part.indexOf('=');
                slice.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return slice;
    }
}
