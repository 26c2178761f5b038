package io.speechslo.replay;

import io.speechslo.advisory.Advisory;
import io.speechslo.deadletter.DeadLetter;
import io.speechslo.job.AdvisorTopology;
import io.speechslo.job.Ingested;
import io.speechslo.job.TopologySettings;
import io.speechslo.policy.load.PolicyBundle;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;
import java.util.Comparator;

/**
 * Runs the live job's topology ({@link AdvisorTopology#build}) over a bounded source on an embedded
 * MiniCluster, in event time, to the end of the input: windows still open at the end are evaluated up
 * to the last event. Source and sinks are parameters, so files, a Kafka time range or a Kafka topic can
 * be plugged in without touching the run.
 */
public final class Replay {

    /** The order of advisories in a replay's output: by window_end, kind, service, model_version, slo, advisory_id. */
    public static final Comparator<Advisory> OUTPUT_ORDER = Comparator
            .comparingLong(Advisory::getWindowEnd)
            .thenComparing(a -> a.getKind().name())
            .thenComparing(Advisory::getService)
            .thenComparing(Advisory::getModelVersion, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(Advisory::getSlo, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(Advisory::getAdvisoryId);

    /**
     * The order of scorecards in a replay's output: by window_end, kind, service, signal, model_version,
     * track, slo, then slice (coarsest first, then by its key).
     */
    public static final Comparator<io.speechslo.scorecard.Scorecard> SCORECARD_ORDER = Comparator
            .comparingLong(io.speechslo.scorecard.Scorecard::getWindowEnd)
            .thenComparing(s -> s.getKind().name())
            .thenComparing(io.speechslo.scorecard.Scorecard::getService)
            .thenComparing(io.speechslo.scorecard.Scorecard::getSignal, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(io.speechslo.scorecard.Scorecard::getModelVersion, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(io.speechslo.scorecard.Scorecard::getTrack, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(io.speechslo.scorecard.Scorecard::getSlo, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingInt(s -> s.getSlice().size())
            .thenComparing(s -> new java.util.TreeMap<>(s.getSlice()).toString());

    /**
     * The topology settings for replay: the live ones, except that no file is ever idle. Idleness
     * is measured in wall-clock time, which has no meaning for historical data: a file waiting its turn
     * must keep holding the watermark back, or the advisories would depend on how fast the machine is.
     */
    public static TopologySettings topology(TopologySettings live) {
        return new TopologySettings(live.maxOutOfOrderness(), live.allowedLateness(), Duration.ofDays(36_500),
                live.rollout(), live.maxValuesPerDimension(), live.cardinalityExpiry());
    }

    /** {@link #topology(TopologySettings)} of the packaged job configuration's settings. */
    public static final TopologySettings TOPOLOGY = topology(TopologySettings.DEFAULT);

    private Replay() {}

    /**
     * @param parallelism of every operator (and slots of the embedded MiniCluster)
     * @param topology the topology's own settings
     */
    public record Settings(int parallelism, TopologySettings topology) {

        public Settings {
            if (parallelism < 1) {
                throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
            }
        }

        public static Settings of(int parallelism) {
            return new Settings(parallelism, TOPOLOGY);
        }

        /** The topology settings of a job configuration (what {@code run} uses), for replay. */
        public static Settings of(int parallelism, io.speechslo.config.JobConfig job) {
            return new Settings(parallelism, Replay.topology(TopologySettings.from(job)));
        }
    }

    /** Runs to the end of the source and returns once every advisory, scorecard and dead letter has reached its sink. */
    public static JobExecutionResult run(
            Source<Ingested, ?, ?> source,
            Sink<Advisory> advisories,
            Sink<io.speechslo.scorecard.EncodedScorecard> scorecards,
            Sink<DeadLetter> deadLetters,
            PolicyBundle bundle,
            Settings settings) throws Exception {
        return run(source, null, advisories, scorecards, deadLetters, bundle, settings);
    }

    /** With a second source for the optional inputs (serving samples, privacy events), or null. */
    public static JobExecutionResult run(
            Source<Ingested, ?, ?> source,
            Source<Ingested, ?, ?> inputs,
            Sink<Advisory> advisories,
            Sink<io.speechslo.scorecard.EncodedScorecard> scorecards,
            Sink<DeadLetter> deadLetters,
            PolicyBundle bundle,
            Settings settings) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        // An exactly-once Kafka sink commits on checkpoints (the last one when the input ends). They go
        // to a temporary folder: Flink's default, JobManager memory, refuses state over 5 MB, and a
        // large replay would fail every checkpoint and restart forever.
        java.nio.file.Path checkpoints = java.nio.file.Files.createTempDirectory("speechslo-replay-checkpoints");
        conf.set(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        try {
            // from java -jar this is an embedded MiniCluster; inside a test cluster it is that cluster
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(settings.parallelism());
            env.enableCheckpointing(2_000, org.apache.flink.core.execution.CheckpointingMode.EXACTLY_ONCE);
            AdvisorTopology.build(env, source, inputs, advisories, scorecards, deadLetters, bundle, settings.topology());
            return env.execute("speech-slo-advisor replay");
        } finally {
            org.apache.flink.util.FileUtils.deleteDirectoryQuietly(checkpoints.toFile());
        }
    }
}
