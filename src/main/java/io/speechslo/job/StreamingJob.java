package io.speechslo.job;

import io.speechslo.config.JobConfig;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.policy.load.PolicyLoader;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * The always-on job: Kafka telemetry in, advisories and dead letters out, exactly once. Reads the
 * configuration and policies (failing fast on any mistake), builds the Kafka source and sinks and
 * hands them to {@link AdvisorTopology}.
 */
public final class StreamingJob {

    private static final Logger LOG = LoggerFactory.getLogger(StreamingJob.class);

    private StreamingJob() {}

    /** The Flink settings the job insists on, plus its checkpointing defaults from the configuration. */
    public static Configuration flinkConfiguration(JobConfig cfg) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        conf.set(StateBackendOptions.STATE_BACKEND, cfg.checkpoint().stateBackend().id());
        cfg.checkpoint().directory().ifPresent(d -> conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, d));
        return conf;
    }

    /** Builds the job's graph on {@code env}; {@code stop} bounds the source (tests, time-range replay). */
    public static void define(StreamExecutionEnvironment env, JobConfig cfg, PolicyBundle policies,
            OffsetsInitializer start, Optional<OffsetsInitializer> stop) {
        if (!env.getCheckpointConfig().isCheckpointingEnabled()) {
            env.enableCheckpointing(cfg.checkpoint().interval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        }
        if (cfg.checkpoint().directory().isEmpty() && env.getConfiguration()
                .getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).isEmpty()) {
            LOG.warn("No checkpoint directory (checkpoint.directory, or Flink's execution.checkpointing.dir): unless"
                    + " the cluster sets one, checkpoints live in JobManager memory, which refuses state over 5 MB;"
                    + " a busy job would then fail every checkpoint");
        }
        AdvisorTopology.build(env, KafkaIO.source(cfg, start, stop),
                stop.isPresent() ? KafkaIO.boundedInputsSource(cfg, start, stop.get()).orElse(null)
                        : KafkaIO.inputsSource(cfg, start),
                KafkaIO.advisorySink(cfg),
                KafkaIO.scorecardSink(cfg), KafkaIO.deadLetterSink(cfg), policies, TopologySettings.from(cfg));
    }

    /** Loads the policies the configuration names (or the packaged defaults), validated. */
    public static PolicyBundle policies(JobConfig cfg) {
        return cfg.policiesDir().map(PolicyLoader::bundle).orElseGet(PolicyLoader::bundleDefaults);
    }

    /**
     * Runs the job until cancelled (on a cluster when launched with flink run, else in this JVM), with
     * the policies already loaded and validated by {@link #policies(JobConfig)}.
     */
    public static void run(JobConfig cfg, PolicyBundle policies) throws Exception {
        LOG.info("Speech SLO Advisor starting with policy version {} and configuration {}",
                policies.policies().version(), cfg.toFlatMap());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(cfg));
        define(env, cfg, policies, KafkaIO.startingOffsets(cfg), Optional.empty());
        env.execute("speech-slo-advisor");
    }
}
