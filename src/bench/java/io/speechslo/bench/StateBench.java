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
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
                Set.of());
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
            for (int slices : sizes) {
                System.out.printf("state: %s, %,d slices%n", backend, slices);
                results.figure(backend + "_" + slices, measure(backend, slices, perPane, panes, interval));
            }
        }
        results.write();
    }

    private static Map<String, Object> measure(String backend, int slices, int perPane, int panes, Duration interval)
            throws Exception {
        String run = "state-" + backend + "-" + slices + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path checkpoints = Files.createDirectories(Results.DIR.resolve("checkpoints").resolve(run)).toAbsolutePath();
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(512));
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        SliceTraffic traffic = new SliceTraffic(slices, perPane, panes, PARALLELISM);
        // three quarters into the last pane: every slice has had a request in it
        long holdAt = (panes - 1L) * slices * perPane + slices * perPane * 3L / 4 / PARALLELISM * PARALLELISM;
        Map<String, Object> m = new LinkedHashMap<>();
        try (MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(PARALLELISM).build());
                InProcessSink<Advisory> advisories = new InProcessSink<>(a -> {});
                InProcessSink<DeadLetter> dead = new InProcessSink<>(d -> {})) {
            cluster.start();
            URI rest = cluster.getRestAddress().get();
            long heapBefore = heapAfterGc();

            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, conf);
            env.enableCheckpointing(interval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
            PauseGate gate = PauseGate.create(run, PARALLELISM);
            TypeInformation<Ingested> type = TypeInformation.of(Ingested.class);
            DataGeneratorSource<Ingested> source = new DataGeneratorSource<>(traffic, traffic.count(),
                    PauseGate.strategy(run, holdAt / PARALLELISM), type);
            AdvisorTopology.build(env, source, advisories, dead, PolicyLoader.bundleDefaults(), TopologySettings.DEFAULT);
            long start = System.nanoTime();
            JobID job = cluster.submitJob(env.getStreamGraph()).get().getJobID();

            gate.awaitHeld(1800);
            long held = System.nanoTime();
            long heldAtMillis = System.currentTimeMillis();
            JsonNode checkpoint = awaitCheckpointAfter(rest, job, heldAtMillis, interval.multipliedBy(6));
            long heapHeld = heapAfterGc();
            long activeSlices = activeSlices(rest, job);
            gate.release(run);
            long heldNanos = System.nanoTime() - held;

            JobResult result = cluster.requestJobResult(job).get();
            if (!result.isSuccess()) {
                throw new IllegalStateException("state benchmark job failed", result.getSerializedThrowable()
                        .map(t -> (Throwable) t).orElse(null));
            }
            double seconds = (System.nanoTime() - start - heldNanos) / 1e9;
            long stateSize = checkpoint.path("state_size").asLong(-1);
            long checkpointed = checkpoint.path("checkpointed_size").asLong(-1);
            m.put("active_slices_gauge", activeSlices);
            m.put("checkpoint_id", checkpoint.path("id").asLong());
            m.put("checkpoint_state_bytes", stateSize);
            m.put("checkpoint_checkpointed_bytes", checkpointed);
            m.put("checkpoint_bytes_per_slice", (double) stateSize / slices);
            m.put("checkpoint_duration_ms", checkpoint.path("end_to_end_duration").asLong(-1));
            m.put("heap_before_bytes", heapBefore);
            m.put("heap_held_bytes", heapHeld);
            m.put("heap_bytes_per_slice", (double) (heapHeld - heapBefore) / slices);
            m.put("records", traffic.count());
            m.put("records_per_s", traffic.count() / seconds);
            System.out.println("  " + m);
        }
        return m;
    }

    /** Used heap after two full collections. */
    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode get(URI rest, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(rest.resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** The latest completed checkpoint triggered after {@code afterMillis}. */
    private static JsonNode awaitCheckpointAfter(URI rest, JobID job, long afterMillis, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode latest = get(rest, "/jobs/" + job + "/checkpoints").path("latest").path("completed");
            if (!latest.isMissingNode() && !latest.isNull() && latest.path("trigger_timestamp").asLong() > afterMillis) {
                return latest;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("no checkpoint completed within " + timeout + " of the hold");
    }

    /** Sum over subtasks of the slice-pane aggregator's active_slices gauge. */
    private static long activeSlices(URI rest, JobID job) throws Exception {
        String vertex = null;
        for (JsonNode v : get(rest, "/jobs/" + job).path("vertices")) {
            if (v.path("name").asText().contains("Slice panes")) {
                vertex = v.path("id").asText();
            }
        }
        if (vertex == null) {
            throw new IllegalStateException("no vertex named Slice panes in job " + job);
        }
        String base = "/jobs/" + job + "/vertices/" + vertex + "/subtasks/metrics";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<String> ids = new ArrayList<>();
            for (JsonNode metric : get(rest, base)) {
                if (metric.path("id").asText().endsWith("active_slices")) {
                    ids.add(metric.path("id").asText());
                }
            }
            if (!ids.isEmpty()) {
                JsonNode values = get(rest, base + "?agg=sum&get=" + URLEncoder.encode(ids.get(0), StandardCharsets.UTF_8));
                if (values.size() > 0 && values.get(0).has("sum")) {
                    return values.get(0).path("sum").asLong();
                }
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the active_slices gauge did not show up in 30 s");
    }
}
