package io.speechslo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * An in-process MiniCluster (one TaskManager, {@code slots} slots) with its REST endpoint on a free
 * loopback port, so a benchmark can read what Flink itself reports about a running job: checkpoint
 * statistics and operator metrics (fetched every 250 ms).
 */
final class BenchCluster implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MiniCluster cluster;
    private final URI rest;

    /** Starts the cluster with {@code conf} (state backend, checkpoint directory, ...) plus the REST settings. */
    BenchCluster(Configuration conf, int slots) throws Exception {
        Configuration c = new Configuration(conf);
        c.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        c.set(RestOptions.ADDRESS, "127.0.0.1");
        c.set(RestOptions.BIND_PORT, "0");
        c.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(250));
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(c)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(slots).build());
        cluster.start();
        rest = cluster.getRestAddress().get();
    }

    /** Submits the job defined on {@code env} (built with createLocalEnvironment, not executed). */
    JobID submit(StreamExecutionEnvironment env) throws Exception {
        return cluster.submitJob(env.getStreamGraph()).get().getJobID();
    }

    /** Waits for the job's end; fails if it did not succeed. */
    JobResult await(JobID job) throws Exception {
        JobResult result = cluster.requestJobResult(job).get();
        if (!result.isSuccess()) {
            throw new IllegalStateException("job " + job + " failed", result.getSerializedThrowable()
                    .map(t -> (Throwable) t).orElse(null));
        }
        return result;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(rest.resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** The latest completed checkpoint triggered after {@code afterMillis}, waiting up to {@code timeout}. */
    JsonNode awaitCheckpointAfter(JobID job, long afterMillis, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode latest = get("/jobs/" + job + "/checkpoints").path("latest").path("completed");
            if (!latest.isMissingNode() && !latest.isNull() && latest.path("trigger_timestamp").asLong() > afterMillis) {
                return latest;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("no checkpoint of job " + job + " completed within " + timeout);
    }

    /**
     * The sum over subtasks of a metric of the vertex whose name contains {@code vertexName}, the first
     * metric whose id ends with {@code metric}; empty while Flink does not report it yet.
     */
    OptionalLong metricSum(JobID job, String vertexName, String metric) throws Exception {
        java.util.Optional<java.util.concurrent.Callable<Long>> read = metricsSummed(job, vertexName, metric);
        return read.isPresent() ? OptionalLong.of(read.get().call()) : OptionalLong.empty();
    }

    /**
     * Per vertex (by name), the average over its subtasks of how it spent each second: busy,
     * backpressured (waiting for room downstream) and idle (waiting for input), in ms per second, as
     * Flink reports them at this moment.
     */
    Map<String, String> timeSpent(JobID job) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode v : get("/jobs/" + job).path("vertices")) {
            String base = "/jobs/" + job + "/vertices/" + v.path("id").asText() + "/subtasks/metrics?agg=avg&get="
                    + "busyTimeMsPerSecond,backPressuredTimeMsPerSecond,idleTimeMsPerSecond";
            StringBuilder sb = new StringBuilder();
            for (JsonNode m : get(base)) {
                sb.append(m.path("id").asText().replace("TimeMsPerSecond", "")).append('=')
                        .append(Math.round(m.path("avg").asDouble())).append(' ');
            }
            out.put(v.path("name").asText().replaceAll(" -> .*", ""), sb.toString().trim());
        }
        return out;
    }

    /**
     * A cheap repeated read of the summed metrics of one vertex: the vertex and the metric ids are
     * looked up once (empty while the job is still being deployed), then each call is one request.
     */
    java.util.Optional<java.util.concurrent.Callable<Long>> metricsSummed(JobID job, String vertexName,
            String... metrics) throws Exception {
        String vertex = null;
        for (JsonNode v : get("/jobs/" + job).path("vertices")) {
            if (v.path("name").asText().contains(vertexName)) {
                vertex = v.path("id").asText();
            }
        }
        if (vertex == null) {
            return java.util.Optional.empty();
        }
        String base = "/jobs/" + job + "/vertices/" + vertex + "/subtasks/metrics";
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (JsonNode m : get(base)) {
            String id = m.path("id").asText();
            for (String metric : metrics) {
                if (id.endsWith(metric)) {
                    ids.add(id);
                }
            }
        }
        if (ids.size() < metrics.length) {
            return java.util.Optional.empty();
        }
        String path = base + "?agg=sum&get=" + URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
        return java.util.Optional.of(() -> {
            long sum = 0;
            for (JsonNode m : get(path)) {
                sum += m.path("sum").asLong();
            }
            return sum;
        });
    }

    /** Polls {@link #metricSum} until it reports a value, for up to {@code timeout}. */
    long awaitMetricSum(JobID job, String vertexName, String metric, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            OptionalLong v = metricSum(job, vertexName, metric);
            if (v.isPresent()) {
                return v.getAsLong();
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("metric " + metric + " of '" + vertexName + "' did not show up in " + timeout);
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted stopping the MiniCluster", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the MiniCluster", e);
        }
    }
}
