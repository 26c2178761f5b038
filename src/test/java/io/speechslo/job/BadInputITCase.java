package io.speechslo.job;

import io.speechslo.deadletter.DeadLetter;
import io.speechslo.fixtures.BadTelemetry;
import io.speechslo.fixtures.InProcessMetrics;
import io.speechslo.fixtures.Pipelines;
import io.speechslo.kafka.DeadLetterReason;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.registry.SchemaRegistry;
import io.speechslo.scorecard.Scorecard;
import io.speechslo.scorecard.ScorecardKind;
import io.speechslo.scorecard.ScorecardValue;
import io.speechslo.testing.RegistryServer;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.executiongraph.ArchivedExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input at volume through the whole topology on a MiniCluster (parallelism 2, checkpoints every
 * second, restarts allowed so that one would show): 160k records of {@link BadTelemetry}, of which
 * 100k valid requests each with a region of its own and 60k random bytes, truncated and corrupted
 * values, schema-valid extremes, unicode and 100 kB dimension values and late requests. The records
 * are decoded and validated inside the job, by the Kafka source's own {@link TelemetryDeserializer}.
 *
 * <p>Every record is accounted for exactly: each one either becomes one dead letter with a known reason
 * or is counted in ({@code records_in.*}), and the requests counted in reach the slice scorecards
 * unless dead-lettered as late; no task restarts; and the 100k regions reach the engines as at most
 * the cardinality cap plus {@code other}.
 */
class BadInputITCase {

    static final String FOLD = "Fold requests into slice panes";
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final int RECORDS = 160_000;

    @RegisterExtension
    static final RegistryServer REGISTRY = new RegistryServer();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(InProcessMetrics.register(new Configuration()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** Record i of {@link BadTelemetry}, read as the Kafka source reads a record: decoded and validated. */
    static final class Decoding implements GeneratorFunction<Long, Ingested> {

        private static final long serialVersionUID = 1L;

        private final BadTelemetry telemetry;
        private final java.util.Map<String, String> registry;
        private transient TelemetryDeserializer deserializer;
        private transient List<Ingested> out;
        private transient Collector<Ingested> collector;

        Decoding(BadTelemetry telemetry, java.util.Map<String, String> registry) {
            this.telemetry = telemetry;
            this.registry = new java.util.HashMap<>(registry);
        }

        @Override
        public void open(SourceReaderContext readerContext) {
            deserializer = new TelemetryDeserializer(registry, Duration.ofHours(1), Duration.ofDays(7));
            deserializer.open(TelemetryDeserializerTest.context(new java.util.HashMap<>()));
            out = new ArrayList<>(1);
            collector = new Collector<>() {
                @Override
                public void collect(Ingested record) {
                    out.add(record);
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public Ingested map(Long index) throws java.io.IOException {
            out.clear();
            deserializer.deserialize(BadInputPropertyTest.consumerRecord(telemetry.record(index)), collector);
            if (out.size() != 1) {
                throw new IllegalStateException("record " + index + " gave " + out.size() + " results");
            }
            return out.get(0);
        }
    }

    @Test
    void everyRecordIsDeadLetteredOrCountedWithoutARestartAndRegionsFoldToTheCap(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        BadTelemetry.Ids ids;
        try (SchemaRegistry registry = REGISTRY.client()) {
            ids = BadInputPropertyTest.register(registry);
        }
        BadTelemetry telemetry = new BadTelemetry(7, ids, T0, 4); // 160k records over 10 2/3 minutes
        TypeInformation<Ingested> type = TypeInformation.of(Ingested.class);
        DataGeneratorSource<Ingested> source = new DataGeneratorSource<>(new Decoding(telemetry, REGISTRY.settings()),
                RECORDS, type);

        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ZERO);
        Pipelines.Run run = Pipelines.run(source, PolicyLoader.bundleDefaults(), "bad input", conf);
        String job = run.jobId().toString();

        // zero restarts: the job finished, nothing failed, and every task ran in its first attempt
        ArchivedExecutionGraph graph = cluster.getArchivedExecutionGraph(run.jobId()).get();
        assertThat(graph.getState()).isEqualTo(JobStatus.FINISHED);
        assertThat(graph.getFailureInfo()).isNull();
        for (AccessExecutionVertex v : graph.getAllExecutionVertices()) {
            assertThat(v.getCurrentExecutionAttempt().getAttemptNumber()).as(v.getTaskNameWithSubtaskIndex()).isZero();
        }

        // every record once: a dead letter with a known reason, or counted in
        Set<String> reasons = Arrays.stream(DeadLetterReason.values()).map(DeadLetterReason::code).collect(Collectors.toSet());
        assertThat(run.deadLetters()).allSatisfy(d -> {
            assertThat(d.getReason()).isIn(reasons);
            assertThat(d.getDetail()).isNotBlank();
        });
        Set<Long> offsets = new HashSet<>();
        for (DeadLetter d : run.deadLetters()) {
            assertThat(offsets.add(d.getOffset())).as("one dead letter for offset %d", d.getOffset()).isTrue();
        }
        long in = 0;
        for (String kind : List.of("asr", "tts", "serving", "privacy")) {
            in += InProcessMetrics.sum(job, FOLD, "records_in." + kind);
        }
        long deadAtFold = 0;
        for (String reason : reasons) {
            deadAtFold += InProcessMetrics.sum(job, FOLD, "dead_letters." + reason);
        }
        long lateAtFold = InProcessMetrics.sum(job, FOLD, "dead_letters.late");
        assertThat(lateAtFold).isEqualTo(InProcessMetrics.sum(job, FOLD, "late_records")).isPositive();
        assertThat(InProcessMetrics.sum(job, FOLD, "dead_letters.other")).isZero();
        long lateInputs = InProcessMetrics.sum(job, "Serving scorecards", "late_records")
                + InProcessMetrics.sum(job, "Privacy scorecards", "late_records");
        assertThat(in + deadAtFold - lateAtFold).as("records counted in plus those dead-lettered before").isEqualTo(RECORDS);
        assertThat(run.deadLetters()).hasSize((int) (deadAtFold + lateInputs));

        // the requests counted in, less the late ones, are the requests in the whole-service scorecards
        long requestsIn = InProcessMetrics.sum(job, FOLD, "records_in.asr") + InProcessMetrics.sum(job, FOLD, "records_in.tts");
        long inScorecards = 0;
        for (Scorecard s : run.scorecards()) {
            if (s.getKind() == ScorecardKind.SLICE && s.getSlice().isEmpty()) {
                inScorecards += s.getValues().stream().filter(v -> v.getName().equals("requests"))
                        .mapToLong(ScorecardValue::getSamples).sum();
            }
        }
        assertThat(InProcessMetrics.sum(job, "Slice panes", "late_partial_requests")).isZero();
        assertThat(inScorecards).isEqualTo(requestsIn - lateAtFold);
        assertThat(InProcessMetrics.sum(job, "Release gate", "late_refused_requests")
                + InProcessMetrics.sum(job, "Slice drift", "late_refused_requests")
                + InProcessMetrics.sum(job, "Burn rates", "late_refused_requests")
                + InProcessMetrics.sum(job, "Slice drift", "late_refused_timeslices")).isZero();
        assertThat(InProcessMetrics.has(job, "Release gate", "late_refused_requests")).isTrue();

        // 100k regions of one service reach the engines as at most the cap (200) plus "other"
        Set<String> regions = new TreeSet<>();
        for (Scorecard s : run.scorecards()) {
            if (s.getKind() == ScorecardKind.SLICE && s.getService().equals("dictation") && s.getSlice().containsKey("region")) {
                regions.add(s.getSlice().get("region"));
            }
        }
        assertThat(regions).contains("other").hasSizeLessThanOrEqualTo(201);
        assertThat(InProcessMetrics.sum(job, "Cardinality guard", "folded_to_other")).isPositive();
    }
}
