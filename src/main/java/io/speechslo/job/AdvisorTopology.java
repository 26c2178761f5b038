package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.deadletter.DeadLetter;
import io.speechslo.policy.Policies;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.slice.RequestSlices;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The one place the data flow is defined. Sources and sinks are handed in: the live job passes Kafka,
 * replay passes files and a collecting sink, tests pass bounded sources.
 *
 * <pre>
 * telemetry source --(dead letters)--------------------------------------------+--> dead-letter sink
 *   -> route dead letters                                                       |
 *   -> keyBy(service, signal)  cardinality guard                                |
 *   -> keyBy(service, signal, track, version, slice)  slice-pane aggregate -(late)
 *   -> keyBy(service, signal) -+-> burn rate   -+
 *                              +-> release gate -+--> advisory sink
 *                              +-> slice drift  -+
 * </pre>
 */
public final class AdvisorTopology {

    private AdvisorTopology() {}

    /** The pane the slice aggregator folds requests into: every engine's period is a whole number of them. */
    public static long paneMillis(Policies policies, TopologySettings settings) {
        long burn = policies.burn().pane().toMillis();
        long gate = settings.rollout().interval().toMillis();
        long drift = policies.drift().current().toMillis();
        long pane = Math.min(burn, gate);
        if (burn % pane != 0 || gate % pane != 0 || drift % pane != 0) {
            throw new IllegalArgumentException("the burn-rate pane (" + burn + " ms), the gate interval (" + gate
                    + " ms) and the drift window (" + drift + " ms) must all be whole multiples of the smaller of"
                    + " the first two (" + pane + " ms)");
        }
        return pane;
    }

    public static void build(
            StreamExecutionEnvironment env,
            Source<Ingested, ?, ?> source,
            Sink<Advisory> advisorySink,
            Sink<DeadLetter> deadLetterSink,
            PolicyBundle bundle,
            TopologySettings settings) {
        long pane = paneMillis(bundle.policies(), settings);
        long lateness = settings.allowedLateness().toMillis();
        long outOfOrderness = settings.maxOutOfOrderness().toMillis();

        WatermarkStrategy<Ingested> watermarks = WatermarkStrategy
                .<Ingested>forGenerator(ctx -> new TelemetryWatermarks(outOfOrderness))
                .withTimestampAssigner((e, kafkaTimestamp) -> e.isDead() ? kafkaTimestamp : e.eventTime())
                .withIdleness(settings.idleSourceTimeout());

        DataStream<Ingested> ingested = env.fromSource(source, watermarks, "Telemetry source").uid(Uids.SOURCE);

        SingleOutputStreamOperator<Ingested> telemetry = ingested
                .process(new DeadLetterRouter()).uid(Uids.ROUTE).name("Route dead letters");

        SingleOutputStreamOperator<Ingested> guarded = telemetry
                .keyBy(i -> Keys.service(i.service(), i.signal()))
                .process(new CardinalityGuard(settings.maxValuesPerDimension()))
                .uid(Uids.GUARD).name("Cardinality guard");

        SingleOutputStreamOperator<PaneRecord> panes = guarded
                .keyBy(i -> Keys.slice(i, i.asr != null ? RequestSlices.of(i.asr).key() : RequestSlices.of(i.tts).key()))
                .process(new SlicePaneAggregator(bundle, pane, lateness))
                .uid(Uids.AGGREGATE).name("Slice panes");

        KeyedStream<PaneRecord, String> byService = panes.keyBy(PaneRecord::serviceKey);
        DataStream<Advisory> burn = byService.process(new BurnRateFunction(bundle, lateness))
                .uid(Uids.BURN).name("Burn rates");
        DataStream<Advisory> gate = byService.process(new ReleaseGateFunction(bundle, lateness, settings.rollout()))
                .uid(Uids.GATE).name("Release gate");
        DataStream<Advisory> drift = byService.process(new DriftFunction(bundle, lateness))
                .uid(Uids.DRIFT).name("Slice drift");

        burn.union(gate, drift).sinkTo(advisorySink).uid(Uids.ADVISORY_SINK).name("Advisories");
        telemetry.getSideOutput(Tags.DEAD_LETTERS)
                .union(panes.getSideOutput(Tags.LATE))
                .sinkTo(deadLetterSink).uid(Uids.DEAD_LETTER_SINK).name("Dead letters");
    }
}
