package io.speechslo.bench;

import io.speechslo.advisory.Advisory;
import io.speechslo.cli.Args;
import io.speechslo.deadletter.DeadLetter;
import io.speechslo.job.AdvisorTopology;
import io.speechslo.job.Ingested;
import io.speechslo.job.TopologySettings;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.replay.InProcessSink;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * State footprint per active slice: the whole topology ({@link AdvisorTopology#build}, the policies in
 * force, in-process sinks) on a MiniCluster at parallelism 2 with its REST endpoint, fed by
 * {@link SliceTraffic} (exactly S active slices, P panes of {@code perPane} requests each). Three
 * quarters into the last pane the source is held ({@link PauseGate}): every slice then has one open
 * pane, the previous panes are closed and folded into the engines (release gate, burn rate, drift).
 * Measured there: the first checkpoint completed after the hold (REST {@code /jobs/:id/checkpoints},
 * so it holds the effect of every record before it) and the heap used after a full GC against the same
 * before the job, per slice; the {@code active_slices} gauge as a check. Then the source is released
 * and the job runs to the end: records/s over the run, the hold excluded. For each backend (hashmap,
 * rocksdb) and slice count.
 */
final class StateBench {

    static final String NAME = "state";
    static final int PARALLELISM = 2;

    private StateBench() {}

    static void run(List<String> argv, String label) throws Exception {
        Args args = Args.parse(NAME, argv, Set.of("slices", "backends", "per-pane", "panes", "checkpoint-interval", "label"),
                Set.of("histogram"));
        List<Integer> sizes = args.one(NAME, "slices").map(s -> List.of(s.split(","))).orElse(List.of("1000", "10000", "100000"))
                .stream().map(Integer::parseInt).toList();
        List<String> backends = List.of(args.one(NAME, "backends").orElse("hashmap,rocksdb").split(","));
        int perPane = (int) args.longValue(NAME, "per-pane", 3);
        int panes = (int) args.longValue(NAME, "panes", 5);
        Duration interval = Duration.ofSeconds(args.longValue(NAME, "checkpoint-interval", 10));
        Results results = new Results(NAME, argv, label);
        results.parameter("slices", sizes).parameter("backends", backends).parameter("requests_per_slice_per_pane", perPane)
                .parameter("panes", panes).parameter("checkpoint_interval", interval.toString())
                .parameter("parallelism", PARALLELISM);
        for (String backend : backends) {
            Map<String, Object> previous = null;
            for (int slices : sizes) {
                System.out.printf("state: %s, %,d slices%n", backend, slices);
                Map<String, Object> m = measure(backend, slices, perPane, panes, interval, args.has("histogram"));
                results.figure(backend + "_" + slices, m);
                if (previous != null) {
                    results.figure(backend + "_marginal_" + previous.get("slices") + "_to_" + slices, marginal(previous, m));
                }
                previous = m;
            }
        }
        results.write();
    }

    private static Map<String, Object> measure(String backend, int slices, int perPane, int panes, Duration interval,
            boolean histogram) throws Exception {
        String run = "state-" + backend + "-" + slices + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path checkpoints = Files.createDirectories(Results.DIR.resolve("checkpoints").resolve(run)).toAbsolutePath();
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(512));
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        SliceTraffic traffic = new SliceTraffic(slices, perPane, panes, PARALLELISM);
        // three quarters into the last pane: every slice has had a request in it
        long holdAt = (panes - 1L) * slices * perPane + slices * perPane * 3L / 4 / PARALLELISM * PARALLELISM;
        Map<String, Object> m = new LinkedHashMap<>();
        java.util.concurrent.atomic.AtomicLong scorecardCount = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong scorecardBytes = new java.util.concurrent.atomic.AtomicLong();
        java.util.Set<Long> scorecardMinutes = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (BenchCluster cluster = new BenchCluster(conf, PARALLELISM);
                InProcessSink<Advisory> advisories = new InProcessSink<>(a -> {});
                InProcessSink<io.speechslo.scorecard.EncodedScorecard> scorecards = new InProcessSink<>(sc -> {
                    scorecardCount.incrementAndGet();
                    // bytes on the topic: the Confluent wire header and the Avro body
                    scorecardBytes.addAndGet(io.speechslo.kafka.ConfluentWire.HEADER_LENGTH + sc.body.length);
                    scorecardMinutes.add(sc.decode().getWindowEnd());
                });
                InProcessSink<DeadLetter> dead = new InProcessSink<>(d -> {})) {
            long heapBefore = heapAfterGc();

            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, conf);
            env.enableCheckpointing(interval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
            PauseGate gate = PauseGate.create(run, PARALLELISM);
            TypeInformation<Ingested> type = TypeInformation.of(Ingested.class);
            DataGeneratorSource<Ingested> source = new DataGeneratorSource<>(traffic, traffic.count(),
                    PauseGate.strategy(run, holdAt / PARALLELISM), type);
            AdvisorTopology.build(env, source, advisories, scorecards, dead, PolicyLoader.bundleDefaults(),
                    TopologySettings.DEFAULT);
            long start = System.nanoTime();
            JobID job = cluster.submit(env);

            gate.awaitHeld(1800);
            long held = System.nanoTime();
            JsonNode checkpoint = cluster.awaitCheckpointAfter(job, System.currentTimeMillis(), interval.multipliedBy(6));
            long heapHeld = heapAfterGc();
            if (histogram) {
                classHistogram(Results.DIR.resolve(NAME + "-" + backend + "-" + slices + "-histogram.txt"));
            }
            long activeSlices = cluster.awaitMetricSum(job, "Slice panes", "active_slices", Duration.ofSeconds(30));
            gate.release(run);
            long heldNanos = System.nanoTime() - held;

            cluster.await(job);
            double seconds = (System.nanoTime() - start - heldNanos) / 1e9;
            long stateSize = checkpoint.path("state_size").asLong(-1);
            long checkpointed = checkpoint.path("checkpointed_size").asLong(-1);
            m.put("slices", slices);
            m.put("active_slices_gauge", activeSlices);
            m.put("checkpoint_id", checkpoint.path("id").asLong());
            m.put("checkpoint_state_bytes", stateSize);
            m.put("checkpoint_checkpointed_bytes", checkpointed);
            m.put("checkpoint_bytes_per_slice", (double) stateSize / slices);
            m.put("checkpoint_duration_ms", checkpoint.path("end_to_end_duration").asLong(-1));
            m.put("heap_before_bytes", heapBefore);
            m.put("heap_held_bytes", heapHeld);
            m.put("heap_bytes_per_slice", (double) (heapHeld - heapBefore) / slices);
            // scorecards of the whole run: their volume per minute of event time with scorecards
            int minutes = Math.max(1, scorecardMinutes.size());
            m.put("scorecards_per_minute", (double) scorecardCount.get() / minutes);
            m.put("scorecard_bytes_per_minute", (double) scorecardBytes.get() / minutes);
            m.put("records", traffic.count());
            m.put("records_per_s", traffic.count() / seconds);
        }
        return m;
    }

    /**
     * What one more slice costs between two runs: the differences of held heap and checkpoint size over
     * the difference of slices, free of the job's fixed footprint (operators, buffers, policies).
     */
    private static Map<String, Object> marginal(Map<String, Object> small, Map<String, Object> large) {
        double slices = ((Number) large.get("slices")).doubleValue() - ((Number) small.get("slices")).doubleValue();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("heap_bytes_per_slice", (((Number) large.get("heap_held_bytes")).doubleValue()
                - ((Number) small.get("heap_held_bytes")).doubleValue()) / slices);
        m.put("checkpoint_bytes_per_slice", (((Number) large.get("checkpoint_state_bytes")).doubleValue()
                - ((Number) small.get("checkpoint_state_bytes")).doubleValue()) / slices);
        return m;
    }

    /** Writes the heap's class histogram (what jcmd GC.class_histogram prints) and shows its head. */
    private static void classHistogram(Path file) throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Files.writeString(file, histogram);
        System.out.println("  heap histogram at the hold: " + file);
        histogram.lines().limit(18).forEach(l -> System.out.println("    " + l));
    }

    /** Used heap after two full collections. */
    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
