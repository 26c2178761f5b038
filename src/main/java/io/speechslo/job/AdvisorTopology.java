package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.deadletter.DeadLetter;
import io.speechslo.policy.Durations;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.scorecard.EncodedScorecard;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The one place the data flow is defined. Sources and sinks are handed in: the live job passes Kafka,
 * replay passes files and a collecting sink, tests pass bounded sources.
 *
 * <pre>
 * telemetry source
 *   -> fold requests into partial slice panes and burn counts (chained)
 *        |--(dead letters, late)--> dead-letter sink
 *        |--(burn counts per service, version and burn pane)--> keyBy(service, signal) burn rate ---+
 *   -> keyBy(service, signal)  cardinality guard                                          (advisories)|
 *   -> keyBy(service, signal, track, version, slice)  slice-pane aggregate (merges the partials)      v
 *        |--(slice panes)--------------------------------------------> keyBy(service) page attribution --+
 *   -> keyBy(service, signal) -+-> release gate -----------------------------------------------------+--> advisory sink
 *                              +-> slice drift  --(threshold-SLO alerts)--> page attribution          |
 *                                               --(drift, cost)------------------------------------------+
 *   serving samples -> keyBy(service) serving scorecards
 *        --(each pool's minute, once per signal)--> release gate and page attribution (capacity evidence),
 *                                                   slice drift (cost drivers)
 *   burn rate, release gate, slice drift --(scorecards: SLO status, rollout stages, slice SLIs)--> scorecard sink
 *   (each scorecard Avro-encoded once where it is made; the sink only frames it)
 * </pre>
 *
 * Requests never cross the network: the source's subtask folds them into partial panes, so only about
 * one record per slice, pane and source subtask (more when checkpoints fall inside a pane) is shuffled,
 * and one burn count per service, version, burn pane and source subtask. Burn counts need no slice:
 * they skip the slice path, and pages go out as soon as the watermark passes a burn pane (5 s by
 * default), while slice panes (the gate interval, 1 min) wait for the allowed lateness as well. Page
 * attribution holds a burn advisory only until the watermark passes its window end, which the burn
 * rates' own output watermark reaches right after it: pages keep their timing, one hop later. A
 * threshold-SLO alert of the drift engine is made when its pane closes, so the watermark has passed its
 * window end already: it waits one watermark step there.
 */
public final class AdvisorTopology {

    private AdvisorTopology() {}

    /**
     * The pane the slice aggregator folds requests into, for the release gate and slice drift: the gate
     * interval, of which the drift window must be a whole number. (Burn rates keep their own, finer
     * panes: {@link BurnTick}.)
     */
    public static long paneMillis(Policies policies, TopologySettings settings) {
        long gate = settings.rollout().interval().toMillis();
        long drift = policies.drift().current().toMillis();
        if (drift % gate != 0) {
            throw new IllegalArgumentException("the drift window (" + drift + " ms) must be a whole multiple of"
                    + " the gate interval (" + gate + " ms): both are evaluated on the same slice panes");
        }
        for (SloDefinition slo : policies.slos()) {
            if (slo.isThreshold() && slo.threshold().timeslice().toMillis() != gate) {
                throw new IllegalArgumentException("threshold SLO '" + slo.name() + "' judges timeslices of "
                        + Durations.format(slo.threshold().timeslice()) + ", but scorecards are made"
                        + " every gate interval (" + Durations.format(settings.rollout().interval())
                        + "): set its timeSliceWindow to that");
            }
        }
        return gate;
    }

    /** The topology over one source, which may carry serving samples and privacy events too (replay files). */
    public static void build(
            StreamExecutionEnvironment env,
            Source<Ingested, ?, ?> source,
            Sink<Advisory> advisorySink,
            Sink<EncodedScorecard> scorecardSink,
            Sink<DeadLetter> deadLetterSink,
            PolicyBundle bundle,
            TopologySettings settings) {
        build(env, source, null, advisorySink, scorecardSink, deadLetterSink, bundle, settings);
    }

    /**
     * @param inputs a second source for the optional inputs (serving samples, privacy events), or null.
     *        Kept apart from the telemetry source so that their sparse partitions never hold the
     *        telemetry's watermark, and so pages, back: they have watermarks of their own.
     */
    public static void build(
            StreamExecutionEnvironment env,
            Source<Ingested, ?, ?> source,
            Source<Ingested, ?, ?> inputs,
            Sink<Advisory> advisorySink,
            Sink<EncodedScorecard> scorecardSink,
            Sink<DeadLetter> deadLetterSink,
            PolicyBundle bundle,
            TopologySettings settings) {
        // Chained operators hand records over by reference instead of copying them through the
        // serializer. Safe here: no operator keeps a reference to an input record after processing it
        // (the pre-aggregator folds requests into its own panes; keyed inputs arrive deserialized).
        env.getConfig().enableObjectReuse();
        long pane = paneMillis(bundle.policies(), settings);
        long lateness = settings.allowedLateness().toMillis();
        long outOfOrderness = settings.maxOutOfOrderness().toMillis();

        WatermarkStrategy<Ingested> watermarks = WatermarkStrategy
                .<Ingested>forGenerator(ctx -> new TelemetryWatermarks(outOfOrderness))
                .withTimestampAssigner((e, kafkaTimestamp) -> e.isDead() ? kafkaTimestamp : e.eventTime())
                .withIdleness(settings.idleSourceTimeout());

        DataStream<Ingested> ingested = env.fromSource(source, watermarks, "Telemetry source").uid(Uids.SOURCE);

        TypeInformation<PaneRecord> paneType = TypeInformation.of(PaneRecord.class);
        SingleOutputStreamOperator<PaneRecord> partials = ingested
                .transform("Fold requests into slice panes", paneType,
                        new SlicePanePreAggregator(bundle, pane, bundle.policies().burn().pane().toMillis(), lateness))
                .uid(Uids.PRE_AGGREGATE);

        SingleOutputStreamOperator<PaneRecord> guarded = partials
                .keyBy(PaneRecord::serviceKey)
                .transform("Cardinality guard", paneType, new HeldStateOperator<>(
                        new CardinalityGuard(settings.maxValuesPerDimension(), settings.cardinalityExpiry())))
                .uid(Uids.GUARD);

        SingleOutputStreamOperator<PaneRecord> panes = guarded
                .keyBy(Keys::slice)
                .transform("Slice panes", TypeInformation.of(PaneRecord.class), new HeldStateOperator<>(new SlicePaneAggregator(lateness)))
                .uid(Uids.AGGREGATE);

        SingleOutputStreamOperator<Advisory> burn = partials.getSideOutput(Tags.BURN_TICKS)
                .keyBy(BurnTick::serviceKey)
                .transform("Burn rates", TypeInformation.of(Advisory.class), new HeldStateOperator<>(new BurnRateFunction(bundle)))
                .uid(Uids.BURN);
        // the optional inputs: from the telemetry source (replay files) and from their own source (Kafka)
        DataStream<Ingested> serving = partials.getSideOutput(Tags.SERVING_SAMPLES);
        DataStream<Ingested> privacy = partials.getSideOutput(Tags.PRIVACY_EVENTS);
        DataStream<DeadLetter> deadLetters = partials.getSideOutput(Tags.DEAD_LETTERS);
        if (inputs != null) {
            SingleOutputStreamOperator<PaneRecord> routed = env
                    .fromSource(inputs, watermarks, "Serving and privacy source").uid(Uids.INPUTS_SOURCE)
                    .transform("Route serving samples and privacy events", paneType,
                            new SlicePanePreAggregator(bundle, pane, bundle.policies().burn().pane().toMillis(), lateness))
                    .uid(Uids.INPUTS_ROUTE);
            serving = serving.union(routed.getSideOutput(Tags.SERVING_SAMPLES));
            privacy = privacy.union(routed.getSideOutput(Tags.PRIVACY_EVENTS));
            deadLetters = deadLetters.union(routed.getSideOutput(Tags.DEAD_LETTERS));
        }
        SingleOutputStreamOperator<EncodedScorecard> servingScorecards = serving
                .keyBy(i -> i.serving.getService(), Types.STRING)
                .process(new ServingScorecardFunction(lateness))
                .uid(Uids.SERVING_SCORECARDS).name("Serving scorecards");
        SingleOutputStreamOperator<EncodedScorecard> privacyScorecards = privacy
                .keyBy(i -> i.privacy.getService(), Types.STRING)
                .process(new PrivacyScorecardFunction(lateness))
                .uid(Uids.PRIVACY_SCORECARDS).name("Privacy scorecards");

        // the engines also read each pool's minute of serving samples: the gate and page attribution for the
        // capacity evidence of latency findings, slice drift's cost monitor for its serving drivers
        DataStream<PaneRecord> servingMinutes = servingScorecards.getSideOutput(Tags.SERVING_MINUTES);
        SingleOutputStreamOperator<Advisory> gate = panes.union(servingMinutes).keyBy(PaneRecord::serviceKey)
                .transform("Release gate", TypeInformation.of(Advisory.class),
                        new HeldStateOperator<>(new ReleaseGateFunction(bundle, lateness, settings.rollout())))
                .uid(Uids.GATE);
        SingleOutputStreamOperator<Advisory> drift = panes.union(servingMinutes)
                .keyBy(PaneRecord::serviceKey)
                .transform("Slice drift", TypeInformation.of(Advisory.class), new HeldStateOperator<>(new DriftFunction(bundle, lateness, pane)))
                .uid(Uids.DRIFT);
        // threshold-SLO alerts (quality and latency per slice) come from the drift engine: they join the burn
        // rates' on the way through page attribution, which says what moved; drift and cost advisories go on
        DataStream<Advisory> driftAlerts = drift.filter(AdvisorTopology::isBurnAlert)
                .uid(Uids.DRIFT_ALERTS).name("Threshold SLO alerts");
        DataStream<Advisory> driftOthers = drift.filter(a -> !isBurnAlert(a))
                .uid(Uids.DRIFT_OTHERS).name("Drift and cost advisories");
        // pages wait for the slice panes of their window, to name the slices that hold the bad requests
        SingleOutputStreamOperator<Advisory> pages = burn.union(driftAlerts)
                .connect(panes.union(servingMinutes))
                .keyBy(PageAttributionFunction::key, PageAttributionFunction::key, Types.STRING)
                .transform("Page attribution", TypeInformation.of(Advisory.class),
                        new HeldStateCoOperator<>(new PageAttributionFunction(pane, lateness, bundle)))
                .uid(Uids.PAGE_ATTRIBUTION);

        pages.union(gate, driftOthers).sinkTo(advisorySink).uid(Uids.ADVISORY_SINK).name("Advisories");
        burn.getSideOutput(Tags.SCORECARDS).union(gate.getSideOutput(Tags.SCORECARDS), drift.getSideOutput(Tags.SCORECARDS),
                        servingScorecards, privacyScorecards)
                .sinkTo(scorecardSink).uid(Uids.SCORECARD_SINK).name("Scorecards");
        deadLetters.union(servingScorecards.getSideOutput(Tags.DEAD_LETTERS), privacyScorecards.getSideOutput(Tags.DEAD_LETTERS))
                .sinkTo(deadLetterSink).uid(Uids.DEAD_LETTER_SINK).name("Dead letters");
    }

    private static boolean isBurnAlert(Advisory a) {
        return a.getKind() == io.speechslo.advisory.AdvisoryKind.BURN_RATE;
    }
}
