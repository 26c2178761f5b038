package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.aggregate.SlicePane;
import io.speechslo.burn.PaneEvidence;
import io.speechslo.burn.SliceBadCounts;
import io.speechslo.burn.BurnRateMonitor;
import io.speechslo.cost.CostMonitor;
import io.speechslo.drift.DriftMonitor;
import io.speechslo.gate.RolloutTracker;

import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.TypeExtractor;

/**
 * Every keyed state of the job, in one place: the state names are, with the operator uids
 * ({@link Uids}), the savepoint contract.
 *
 * <p>The rule, from 2026-12-05 on: <b>a state name never changes again, and no state is renamed to
 * change its bytes.</b> A change of an engine's bytes adds a format to the engine's class (next to its
 * writeTo/readFrom, reading every earlier format) and its serializer's snapshot records the format, so
 * Flink migrates the state on restore ({@link KeyedStateSerializer}). POJO inputs buffered in state follow
 * Flink's POJO schema evolution (fields may be added, with defaults, never renamed or retyped). A restore
 * never needs {@code --allowNonRestoredState}. The "-v2"/"-v3" suffixes are from renames before the rule;
 * they stay as they are, so savepoints of that release restore. A savepoint of every release that
 * changes a format is kept under src/test/resources/savepoints/ and restored by the build
 * ({@code GoldenSavepointITCase}).
 */
final class States {

    // ---- cardinality guard, keyed by service and signal

    /**
     * Per slice dimension, its count of admitted values ({@code dim} -> count), and per admitted value the
     * event-time minute it was last seen in ({@code dim NUL value} -> epoch minute). Savepoints before
     * 2026-12-05 hold 1 for every value ({@link CardinalityGuard#UNKNOWN_LAST_SEEN}): no time known.
     */
    static final MapStateDescriptor<String, Integer> DIMENSION_VALUES =
            new MapStateDescriptor<>("dimension-values", Types.STRING, Types.INT);

    // ---- slice-pane aggregator, keyed by service, signal, track, version and full slice

    /** The merged slice pane per pane end, until the watermark passes it (plus the allowed lateness). */
    static final MapStateDescriptor<Long, SlicePane> SLICE_PANES =
            new MapStateDescriptor<>("slice-panes-v3", LongSerializer.INSTANCE, new SlicePaneSerializer());

    // ---- engines, keyed by service and signal

    /** The release gate's tracker: every candidate under way, its evidence and its standing decision. */
    static final ValueStateDescriptor<RolloutTracker> ROLLOUT_TRACKER =
            new ValueStateDescriptor<>("rollout-tracker-v3", new RolloutTrackerSerializer());

    /**
     * The release gate's serving minutes of the last hour while a candidate is under way, for the capacity
     * evidence of latency findings ({@link ServingMinutes}). Added 2026-12-05: a savepoint without it
     * restores with none (no capacity evidence until samples come).
     */
    static final MapStateDescriptor<String, byte[]> GATE_SERVING = new MapStateDescriptor<>(
            "release-gate-serving", StringSerializer.INSTANCE, BytePrimitiveArraySerializer.INSTANCE);

    /** Slice drift: the audio-feature statistics per slice and pane over the baseline, and the open finding. */
    static final ValueStateDescriptor<DriftMonitor> DRIFT_MONITOR =
            new ValueStateDescriptor<>("drift-monitor-v3", new DriftMonitorSerializer());

    /**
     * Cost: per model version, its cost sums and drivers per current window over the drift policy's
     * baseline, and the drivers of a standing COST investigation.
     */
    static final ValueStateDescriptor<CostMonitor> COST_MONITOR =
            new ValueStateDescriptor<>("cost-monitor", new CostMonitorSerializer());

    /**
     * Burn rates of request-based SLOs: one monitor (good/total counts per pane over the SLO window, the
     * standing alert) per SLO and model version; key {@code slo NUL version}, an empty version for the
     * service-wide monitor. Matched to the policies' SLOs by name.
     */
    static final MapStateDescriptor<String, BurnRateMonitor> BURN_MONITORS = new MapStateDescriptor<>(
            "burn-monitors-v3", StringSerializer.INSTANCE, new BurnRateMonitorSerializer());

    /** Threshold SLOs: one monitor per SLO, version and slice; key {@code slo NUL version NUL slice key}. */
    static final MapStateDescriptor<String, BurnRateMonitor> THRESHOLD_SLO_MONITORS = new MapStateDescriptor<>(
            "threshold-slo-monitors", StringSerializer.INSTANCE, new BurnRateMonitorSerializer());

    /**
     * Threshold SLOs: per SLO and version, the advisory last emitted, {@code 1;DECISION;emittedAt;slice
     * key,...} (format 1, slices joined by SOH; the leading number is its format), absent when nothing stands.
     */
    static final MapStateDescriptor<String, String> THRESHOLD_SLO_ALERTS = new MapStateDescriptor<>(
            "threshold-slo-alerts", StringSerializer.INSTANCE, StringSerializer.INSTANCE);

    /** The release gate's closed slice panes waiting for their timer. */
    static final Buffer<PaneRecord> GATE_PANE_BUFFER = Buffer.of("gate-pane-buffer-v3", PaneRecord.class);

    /** Slice drift's closed slice panes waiting for their timer. */
    static final Buffer<PaneRecord> DRIFT_PANE_BUFFER = Buffer.of("drift-pane-buffer-v3", PaneRecord.class);

    /** The burn-rate engine's burn counts waiting for their timer. */
    static final Buffer<BurnTick> BURN_TICK_BUFFER = Buffer.of("burn-tick-buffer-v2", BurnTick.class);

    // ---- page attribution, keyed by service

    /**
     * Per closed slice pane (by pane end) of the last hour, its bad and total requests per SLO, version and
     * full slice ({@link PageAttributionFunction}).
     */
    static final MapStateDescriptor<Long, SliceBadCounts> PAGE_ATTRIBUTION_PANES = new MapStateDescriptor<>(
            "page-attribution-panes", LongSerializer.INSTANCE, new SliceBadCountsSerializer());

    /**
     * Page attribution's evidence per slice pane (by pane end), per signal and version: requests, timeouts,
     * errors and latency components, for the last two hours: a page's window and the one before it (added
     * 2026-12-05; a savepoint from before restores without it, and pages name no latency component or
     * timeouts until they have a window before theirs).
     */
    static final MapStateDescriptor<Long, PaneEvidence> PAGE_ATTRIBUTION_EVIDENCE = new MapStateDescriptor<>(
            "page-attribution-evidence", LongSerializer.INSTANCE, new PaneEvidenceSerializer());

    /**
     * Page attribution's serving minutes, for the capacity evidence of latency alerts: {@code minuteEnd NUL
     * version NUL pool} -> the minute's {@link io.speechslo.serving.ServingStats} bytes (their own format),
     * kept two windows. Added 2026-12-05: a savepoint without it restores with none (no evidence until a
     * window of samples has come).
     */
    static final MapStateDescriptor<String, byte[]> PAGE_ATTRIBUTION_SERVING = new MapStateDescriptor<>(
            "page-attribution-serving", StringSerializer.INSTANCE, BytePrimitiveArraySerializer.INSTANCE);

    /**
     * Burn-rate advisories waiting for the watermark to pass their window end, by (window end, index of
     * arrival), with Flink's Avro serializer (its snapshot holds the schema, so a later Advisory.avsc with
     * defaults reads them), and how many wait per window end (state {@code page-attribution-held-counts}).
     */
    static final MapStateDescriptor<Tuple2<Long, Integer>, Advisory> PAGE_ATTRIBUTION_HELD = new MapStateDescriptor<>(
            "page-attribution-held", Types.TUPLE(Types.LONG, Types.INT), TypeInformation.of(Advisory.class));

    static final MapStateDescriptor<Long, Integer> PAGE_ATTRIBUTION_HELD_COUNTS =
            new MapStateDescriptor<>("page-attribution-held-counts", Types.LONG, Types.INT);

    // ---- optional inputs, keyed by service

    /** Serving samples folded per minute and cohort: {@code minuteEnd NUL version NUL slice} -> stats bytes. */
    static final MapStateDescriptor<String, byte[]> SERVING_MINUTES = new MapStateDescriptor<>(
            "serving-minutes", StringSerializer.INSTANCE, BytePrimitiveArraySerializer.INSTANCE);

    /** Privacy events folded per minute and cohort: {@code minuteEnd NUL version NUL} -> stats bytes. */
    static final MapStateDescriptor<String, byte[]> PRIVACY_MINUTES = new MapStateDescriptor<>(
            "privacy-minutes", StringSerializer.INSTANCE, BytePrimitiveArraySerializer.INSTANCE);

    private States() {}

    /**
     * An engine's inputs waiting in state for their timer ({@link EngineFunction}): by (due time, index
     * among those due then), with Flink's POJO serializer, and how many are due at each time (state
     * {@code <name>-counts}).
     */
    record Buffer<IN>(MapStateDescriptor<Tuple2<Long, Integer>, IN> inputs, MapStateDescriptor<Long, Integer> counts) {

        @SuppressWarnings("unchecked")
        static <IN> Buffer<IN> of(String name, Class<IN> type) {
            return new Buffer<>(new MapStateDescriptor<>(name, Types.TUPLE(Types.LONG, Types.INT),
                    (PojoTypeInfo<IN>) TypeExtractor.createTypeInfo(type)),
                    new MapStateDescriptor<>(name + "-counts", Types.LONG, Types.INT));
        }
    }
}
