package io.speechslo.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real Flink session cluster for tests, as {@code local-stack/up} runs one: a JobManager and
 * TaskManagers as separate JVMs from the module jars of {@code local-stack/lib/flink.xml} (fetched once
 * with {@code mvn dependency:copy-dependencies}, as the local stack does), bound to 127.0.0.1 on free
 * ports, with checkpoints and savepoints under the test's folder. Jobs are submitted over the REST API
 * ({@code /jars/upload}, {@code /jars/{id}/run}), as {@code deploy/session/submit.sh} does.
 *
 * <p>Made for fault tests: a TaskManager can be killed by PID ({@code kill -9}) and another started;
 * heartbeats are short so the JobManager notices within seconds, and the restart strategy retries
 * every second for as long as a test needs. {@link #close()} kills every process it started.
 */
public final class FlinkCluster implements AutoCloseable {

    private static final Path ROOT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> OPENS = opens();

    private final Path dir;
    private final Path conf;
    private final int restPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> processes = new ArrayList<>();
    private final Thread shutdownHook;
    private Process jobManager;
    private Process taskManager;
    private int taskManagersStarted;

    private FlinkCluster(Path dir) throws IOException {
        this.dir = dir;
        this.conf = dir.resolve("conf");
        this.restPort = Ports.free();
        Files.createDirectories(conf);
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(conf.resolve("config.yaml"), String.join("\n",
                "jobmanager.rpc.address: 127.0.0.1",
                "jobmanager.rpc.port: " + Ports.free(),
                "jobmanager.bind-host: 127.0.0.1",
                "taskmanager.host: 127.0.0.1",
                "taskmanager.bind-host: 127.0.0.1",
                "rest.address: 127.0.0.1",
                "rest.bind-address: 127.0.0.1",
                "rest.port: " + restPort,
                "jobmanager.memory.process.size: 1024m",
                "taskmanager.memory.process.size: 1536m",
                "taskmanager.numberOfTaskSlots: 2",
                "parallelism.default: 2",
                "io.tmp.dirs: " + dir.resolve("tmp"),
                "execution.checkpointing.dir: " + dir.resolve("checkpoints").toUri(),
                "execution.checkpointing.savepoint-dir: " + dir.resolve("savepoints").toUri(),
                // a killed TaskManager is noticed in seconds, and a job restarts every second until it runs
                // the REST API's metrics are at most a second old (they are fetched from the TaskManagers)
                "metrics.fetcher.update-interval: 1000",
                "heartbeat.interval: 1000",
                "heartbeat.timeout: 8000",
                "restart-strategy.type: fixed-delay",
                "restart-strategy.fixed-delay.attempts: 1000",
                "restart-strategy.fixed-delay.delay: 1 s",
                ""));
        Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d %-5p %c - %m%n",
                // the job's own warnings (registry waits, restarts) are what a failing test needs to show
                "logger.job.name = io.speechslo",
                "logger.job.level = INFO",
                // the sinks' committers register one metric name twice: a warning per checkpoint, no news
                "logger.metrics.name = org.apache.flink.metrics.MetricGroup",
                "logger.metrics.level = ERROR",
                ""));
        Path started = dir;
        this.shutdownHook = new Thread(this::killAll, "flink-cluster-kill-" + started.getFileName());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a JobManager and one TaskManager in {@code dir}; returns once the TaskManager has registered. */
    public static FlinkCluster start(Path dir) {
        FlinkCluster cluster = null;
        try {
            cluster = new FlinkCluster(dir);
            cluster.jobManager = cluster.launch("jobmanager", "GET_JM_RESOURCE_PARAMS",
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
            cluster.startTaskManager();
            return cluster;
        } catch (IOException | RuntimeException e) {
            if (cluster != null) {
                String logs = cluster.logTails();
                cluster.close();
                throw new IllegalStateException("Flink cluster did not start: " + e.getMessage() + logs, e);
            }
            throw new IllegalStateException("Flink cluster did not start: " + e.getMessage(), e);
        }
    }

    /** Base URL of the REST API and web UI. */
    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    /** Starts a TaskManager (the first, or one replacing a killed one) and waits until it has registered. */
    public synchronized void startTaskManager() {
        // a killed TaskManager may still be listed for a few seconds: wait for a new id, not a count
        java.util.Set<String> before = taskManagerIds();
        try {
            taskManager = launch("taskmanager-" + (++taskManagersStarted), "GET_TM_RESOURCE_PARAMS",
                    "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a TaskManager", e);
        }
        await("a TaskManager registers", Duration.ofSeconds(90),
                () -> taskManagerIds().stream().anyMatch(id -> !before.contains(id)));
    }

    /** {@code kill -9} of the running TaskManager's PID; returns once the process is gone. */
    public synchronized long killTaskManager() {
        long pid = taskManager.pid();
        Processes.kill9(pid);
        taskManager = null;
        return pid;
    }

    /** Operating-system process id of the TaskManager started last. */
    public synchronized long taskManagerPid() {
        return taskManager.pid();
    }

    /**
     * Uploads {@code jar} and runs its entry class {@code io.speechslo.cli.Main} with {@code args},
     * restoring from {@code savepoint} when given; returns the job id once every task runs.
     */
    public String submit(Path jar, List<String> args, Optional<String> savepoint) {
        String boundary = "----fault-test-" + UUID.randomUUID();
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                    + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(Files.readAllBytes(jar));
            body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            JsonNode uploaded = call(HttpRequest.newBuilder(URI.create(restUrl() + "/jars/upload"))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
            String filename = uploaded.path("filename").asText();
            String jarId = filename.substring(filename.lastIndexOf('/') + 1);
            ObjectNode run = JSON.createObjectNode().put("entryClass", "io.speechslo.cli.Main");
            args.forEach(run.putArray("programArgsList")::add);
            savepoint.ifPresent(s -> run.put("savepointPath", s));
            JsonNode started = call(HttpRequest.newBuilder(URI.create(restUrl() + "/jars/" + jarId + "/run"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(run.toString())));
            String jobId = started.path("jobid").asText();
            awaitRunning(jobId, Duration.ofSeconds(120));
            return jobId;
        } catch (IOException e) {
            throw new UncheckedIOException("could not submit " + jar, e);
        }
    }

    /** Waits until the job and every one of its tasks run (after a submission or a restart). */
    public void awaitRunning(String jobId, Duration limit) {
        await("job " + jobId + " runs with every task running", limit, () -> {
            JsonNode job = get("/jobs/" + jobId);
            if (job.path("state").asText().matches("FAILED|CANCELED|FINISHED")) {
                throw new IllegalStateException("job " + jobId + " is " + job.path("state").asText() + ": "
                        + get("/jobs/" + jobId + "/exceptions").path("root-exception").asText());
            }
            if (!job.path("state").asText().equals("RUNNING")) {
                return false;
            }
            for (JsonNode v : job.path("vertices")) {
                if (!v.path("status").asText().equals("RUNNING")) {
                    return false;
                }
            }
            return true;
        });
    }

    /** The job's state: RUNNING, RESTARTING, FINISHED, ... */
    public String state(String jobId) {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** How many checkpoints of the job have completed. */
    public long completedCheckpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /** Waits until {@code more} checkpoints complete after the ones completed now. */
    public void awaitCheckpoints(String jobId, int more, Duration limit) {
        long target = completedCheckpoints(jobId) + more;
        await(more + " more checkpoints of " + jobId, limit, () -> completedCheckpoints(jobId) >= target);
    }

    /** Where the job's state was restored from (a savepoint's or checkpoint's path); empty when it started afresh. */
    public Optional<String> restoredFrom(String jobId) {
        JsonNode restored = get("/jobs/" + jobId + "/checkpoints").path("latest").path("restored");
        return restored.isMissingNode() || restored.isNull() ? Optional.empty()
                : Optional.of(restored.path("external_path").asText());
    }

    /** How many times the job has restarted since it was submitted (Flink's numRestarts). */
    public long restarts(String jobId) {
        JsonNode m = get("/jobs/" + jobId + "/metrics?get=numRestarts");
        return m.isArray() && !m.isEmpty() ? m.get(0).path("value").asLong() : 0;
    }

    /**
     * The sum over all subtasks of an operator metric whose name ends in {@code .suffix} (for example
     * {@code registry_wait_ms}), and the maximum; empty while no task reports it.
     */
    public Optional<double[]> operatorMetric(String jobId, String suffix) {
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            String base = "/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/subtasks/metrics";
            for (JsonNode m : get(base)) {
                String id = m.path("id").asText();
                if (id.endsWith("." + suffix)) {
                    JsonNode agg = get(base + "?get=" + id + "&agg=sum,max");
                    if (agg.isArray() && !agg.isEmpty()) {
                        return Optional.of(new double[] {agg.get(0).path("sum").asDouble(), agg.get(0).path("max").asDouble()});
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Waits until an operator metric ({@link #operatorMetric}: sum over subtasks, max) satisfies
     * {@code holds}; the REST API answers from a cache refreshed in the background, so one read may be a
     * second or two old.
     */
    public double[] awaitOperatorMetric(String jobId, String suffix, Predicate<double[]> holds, Duration limit) {
        double[][] seen = new double[1][];
        try {
            await("metric " + suffix + " of " + jobId, limit, () -> {
                seen[0] = operatorMetric(jobId, suffix).orElse(null);
                return seen[0] != null && holds.test(seen[0]);
            });
        } catch (IllegalStateException e) {
            throw new AssertionError("metric " + suffix + " never held; last (sum, max): "
                    + (seen[0] == null ? "none" : seen[0][0] + ", " + seen[0][1]), e);
        }
        return seen[0];
    }

    /**
     * Stop-with-savepoint ({@code drain}: sources end, so windows still open are evaluated as at the end of
     * input and their results committed); returns the savepoint's path once the job has stopped.
     */
    public String stopWithSavepoint(String jobId, boolean drain) {
        ObjectNode body = JSON.createObjectNode().put("drain", drain)
                .put("targetDirectory", dir.resolve("savepoints").toUri().toString()).put("formatType", "CANONICAL");
        try {
            String trigger = call(HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "/stop"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))).path("request-id").asText();
            String[] location = new String[1];
            await("savepoint of " + jobId, Duration.ofSeconds(180), () -> {
                JsonNode s = get("/jobs/" + jobId + "/savepoints/" + trigger);
                if (!s.path("status").path("id").asText().equals("COMPLETED")) {
                    return false;
                }
                JsonNode failure = s.path("operation").path("failure-cause");
                if (!failure.isMissingNode() && !failure.isNull()) {
                    throw new IllegalStateException("stop-with-savepoint of " + jobId + " failed: " + failure);
                }
                location[0] = s.path("operation").path("location").asText();
                return true;
            });
            await("job " + jobId + " has stopped", Duration.ofSeconds(60), () -> state(jobId).equals("FINISHED"));
            return location[0];
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop " + jobId, e);
        }
    }

    /** Kills every process of the cluster and waits for them. Idempotent. */
    @Override
    public synchronized void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway
        }
    }

    /** The last lines of every log, for an assertion's message. */
    public String logTails() {
        StringBuilder sb = new StringBuilder();
        try (var logs = Files.list(dir.resolve("logs"))) {
            for (Path log : logs.sorted().toList()) {
                List<String> lines = Files.readAllLines(log);
                sb.append("\n--- ").append(log.getFileName()).append(" ---\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            }
        } catch (IOException | UncheckedIOException e) {
            sb.append("\n(logs unreadable: ").append(e).append(')');
        }
        return sb.toString();
    }

    private synchronized void killAll() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Starts one cluster JVM the way bin/jobmanager.sh and bin/taskmanager.sh do. */
    private Process launch(String name, String resources, String mainClass) throws IOException {
        String classpath = lib().resolve("*").toString();
        List<String> params = resourceParams(classpath, resources);
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(split(params.get(0)));
        command.addAll(OPENS);
        command.add("-Dlog.file=" + dir.resolve("logs").resolve(name + ".log"));
        command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties"));
        command.add("-Dlog4j2.configurationFile=" + conf.resolve("log4j.properties"));
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.add("--configDir");
        command.add(conf.toString());
        command.addAll(split(params.get(1)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("logs").resolve(name + ".out").toFile()).start();
        processes.add(p);
        return p;
    }

    /** BashJavaUtils' two result lines: JVM memory flags, then dynamic properties. */
    private List<String> resourceParams(String classpath, String which) throws IOException {
        Process p = new ProcessBuilder(java(), "-cp", classpath, "org.apache.flink.runtime.util.bash.BashJavaUtils",
                which, "--configDir", conf.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> results = out.lines().filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length())).toList();
        if (results.size() < 2) {
            throw new IllegalStateException("BashJavaUtils " + which + " gave no resource parameters: " + out);
        }
        return results.subList(results.size() - 2, results.size());
    }

    /**
     * The cluster's jars: the local stack's copy when it was fetched for the current
     * {@code local-stack/lib/flink.xml}, else fetched into {@code target/flink-cluster-lib} the same way.
     */
    static synchronized Path lib() {
        Path list = ROOT.resolve("local-stack/lib/flink.xml");
        String want;
        try {
            want = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(list)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + list, e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Path candidate : List.of(ROOT.resolve("local-stack/.state/lib/flink"), ROOT.resolve("target/flink-cluster-lib"))) {
            try {
                if (Files.readString(candidate.resolve(".complete")).trim().equals(want)) {
                    return candidate;
                }
            } catch (IOException notThere) {
                // fetch below
            }
        }
        Path target = ROOT.resolve("target/flink-cluster-lib");
        try {
            Process mvn = new ProcessBuilder("mvn", "-B", "-q", "-f", list.toString(), "dependency:copy-dependencies",
                    "-DoutputDirectory=" + target).redirectErrorStream(true).start();
            String out = new String(mvn.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!mvn.waitFor(10, TimeUnit.MINUTES) || mvn.exitValue() != 0) {
                throw new IllegalStateException("fetching the Flink cluster jars failed: " + out);
            }
            Files.writeString(target.resolve(".complete"), want + "\n");
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("could not fetch the Flink cluster jars", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted fetching the Flink cluster jars", e);
        }
    }

    private java.util.Set<String> taskManagerIds() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        try {
            get("/taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
        } catch (RuntimeException notYet) {
            // none yet
        }
        return ids;
    }

    private JsonNode get(String path) {
        try {
            return call(HttpRequest.newBuilder(URI.create(restUrl() + path)).GET());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " failed", e);
        }
    }

    private JsonNode call(HttpRequest.Builder request) throws IOException {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("Flink REST " + r.request().method() + " " + r.uri() + " answered "
                        + r.statusCode() + ": " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted calling Flink REST", e);
        }
    }

    /** Polls {@code done} every 250 ms (a failing poll counts as not yet) until it holds, or fails after {@code limit}. */
    private void await(String what, Duration limit, Check done) {
        long deadline = System.nanoTime() + limit.toNanos();
        RuntimeException last = null;
        while (true) {
            for (Process p : List.of(jobManager).stream().filter(java.util.Objects::nonNull).toList()) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the JobManager died waiting for: " + what + logTails());
                }
            }
            try {
                if (done.test()) {
                    return;
                }
            } catch (IllegalStateException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("job ")) {
                    throw e;
                }
                last = e;
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + limit.toSeconds() + " s waiting for: " + what
                        + (last == null ? "" : " (last error: " + last.getMessage() + ")") + logTails());
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for: " + what, e);
            }
        }
    }

    /** A condition polled by {@link #await}. */
    @FunctionalInterface
    private interface Check {
        boolean test();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> split(String flags) {
        return List.of(flags.trim().split("\\s+")).stream().filter(Predicate.not(String::isEmpty)).toList();
    }

    private static List<String> opens() {
        List<String> flags = new ArrayList<>(List.of("--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED"));
        for (String p : List.of("java.lang", "java.net", "java.io", "java.nio", "sun.nio.ch", "java.lang.reflect",
                "java.text", "java.time", "java.util", "java.util.concurrent", "java.util.concurrent.atomic",
                "java.util.concurrent.locks")) {
            flags.add("--add-opens=java.base/" + p + "=ALL-UNNAMED");
        }
        return flags;
    }

}
