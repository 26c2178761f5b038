package io.speechslo.localstack;

import io.speechslo.cli.Main;
import io.speechslo.testing.Ports;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * local-stack/up as a newcomer runs it (on free ports, state in a temp folder, not following): a real
 * Kafka broker, the registry stand-in, a Flink session cluster of two JVMs, the job submitted over
 * REST and the demo generator; at least one advisory must arrive on the topic; the registry stand-in
 * keeps its schemas under the stack's state; local-stack/down must leave no process behind (and the
 * schemas in place).
 */
class LocalStackITCase {

    private static final Path ROOT = Path.of(System.getProperty("user.dir"));

    @Test
    void upShowsAnAdvisoryAndDownLeavesNothingRunning(@TempDir Path state) throws Exception {
        Map<String, String> env = Map.ofEntries(
                Map.entry("LS_STATE", state.toString()),
                Map.entry("LS_KAFKA_PORT", Integer.toString(Ports.free())),
                Map.entry("LS_CONTROLLER_PORT", Integer.toString(Ports.free())),
                Map.entry("LS_REGISTRY_PORT", Integer.toString(Ports.free())),
                Map.entry("LS_FLINK_PORT", Integer.toString(Ports.free())),
                Map.entry("LS_JM_RPC_PORT", Integer.toString(Ports.free())),
                Map.entry("LS_JM_METRICS_PORT", Integer.toString(Ports.free())),
                Map.entry("LS_TM_METRICS_PORT", Integer.toString(Ports.free())),
                Map.entry("LS_PROMETHEUS_PORT", Integer.toString(Ports.free())),
                Map.entry("LS_CONSOLE_PORT", Integer.toString(Ports.free())),
                Map.entry("LS_FOLLOW", "0"));
        // The jar the stack submits carries none of what a Flink cluster provides.
        try (java.util.jar.JarFile job = new java.util.jar.JarFile(ROOT.resolve("target/speech-slo-advisor-job.jar").toFile())) {
            assertThat(job.stream().map(java.util.jar.JarEntry::getName))
                    .noneMatch(n -> n.startsWith("org/apache/flink/runtime/") || n.startsWith("org/apache/flink/streaming/api/")
                            || n.startsWith("org/rocksdb/") || n.startsWith("org/apache/logging/log4j/"))
                    .anyMatch(n -> n.startsWith("org/apache/flink/connector/kafka/"))
                    .anyMatch(n -> n.equals("io/speechslo/job/StreamingJob.class"));
        }
        List<Long> pids = new ArrayList<>();
        try {
            Process up = script("up", env, state.resolve("up.out"));
            assertThat(up.waitFor(6, TimeUnit.MINUTES)).as("local-stack/up finishes").isTrue();
            assertThat(up.exitValue()).as(Files.readString(state.resolve("up.out"))).isZero();
            assertThat(Files.readString(state.resolve("up.out"))).contains("Flink web UI     http://127.0.0.1:" + env.get("LS_FLINK_PORT"));
            try (Stream<Path> files = Files.list(state.resolve("pids"))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    pids.add(Long.parseLong(Files.readString(f).trim()));
                }
            }
            assertThat(Files.readString(state.resolve("up.out")))
                    .contains("Prometheus       http://127.0.0.1:" + env.get("LS_PROMETHEUS_PORT"));
            assertThat(Files.readString(state.resolve("up.out")))
                    .contains("Console          http://127.0.0.1:" + env.get("LS_CONSOLE_PORT") + "/executive");
            assertThat(pids).hasSize(7);

            Process status = script("status", env, state.resolve("status.out"));
            assertThat(status.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(state.resolve("status.out"))).contains("kafka        running")
                    .contains("jobmanager   running").contains("taskmanager  running");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ExecutorService tail = Executors.newSingleThreadExecutor();
            Future<Integer> code = tail.submit(() -> Main.run(List.of("tail", "--max", "1",
                    "--set", "kafka.bootstrap-servers=127.0.0.1:" + env.get("LS_KAFKA_PORT"),
                    "--set", "registry.url=http://127.0.0.1:" + env.get("LS_REGISTRY_PORT")),
                    new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
            try {
                assertThat(code.get(4, TimeUnit.MINUTES)).isZero();
            } finally {
                tail.shutdownNow();
            }
            assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("(ROLLOUT|BURN_RATE|DRIFT) \\S+ \\S+  [A-Z]+  ");
            // the registry stand-in keeps the schemas the generator and the job registered in the stack's state
            assertThat(state.resolve("registry/schemas.jsonl")).content()
                    .contains("\"subject\":\"speech.asr.requests-value\"").contains("\"subject\":\"speech.slo.advisories-value\"");
            // Prometheus scrapes the job: the SLO gauges of the demo service are there to query
            String query = "http://127.0.0.1:" + env.get("LS_PROMETHEUS_PORT") + "/api/v1/query?query="
                    + "flink_taskmanager_job_task_operator_service_slo_model_version_slo_budget_remaining";
            String answer = "";
            for (int i = 0; i < 120 && !answer.contains("asr_assistant"); i++) {
                Thread.sleep(1000);
                try {
                    answer = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(query)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                } catch (java.io.IOException notYet) {
                    answer = "";
                }
            }
            assertThat(answer).contains("\"status\":\"success\"").contains("\"service\":\"asr_assistant\"")
                    .contains("\"slo\":\"asr_availability\"");
            // The console reads the demo's scorecards and advisories and serves the views.
            String console = "http://127.0.0.1:" + env.get("LS_CONSOLE_PORT");
            com.fasterxml.jackson.databind.JsonNode consoleStatus = null;
            for (int i = 0; i < 120; i++) {
                consoleStatus = new com.fasterxml.jackson.databind.ObjectMapper().readTree(get(console + "/api/status"));
                if (consoleStatus.path("ok").asBoolean() && consoleStatus.path("scorecards").asLong() > 0
                        && consoleStatus.path("advisories").asLong() > 0) {
                    break;
                }
                Thread.sleep(1000);
            }
            assertThat(consoleStatus.path("scorecards").asLong()).as(consoleStatus.toString()).isPositive();
            assertThat(consoleStatus.path("advisories").asLong()).as(consoleStatus.toString()).isPositive();
            for (String view : List.of("executive", "model", "serving", "privacy", "cost")) {
                assertThat(get(console + "/" + view)).as(view).contains("<main>").contains("asr-assistant");
            }
        } finally {
            Process down = script("down", env, state.resolve("down.out"));
            assertThat(down.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(down.exitValue()).as(Files.readString(state.resolve("down.out"))).isZero();
        }
        assertThat(state.resolve("registry/schemas.jsonl")).as("local-stack/down keeps the registry's schemas").isNotEmptyFile();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("pid %d after down", pid)
                    .isNotEqualTo(java.util.Optional.of(true));
        }
    }

    private static Process script(String name, Map<String, String> env, Path output) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("local-stack").resolve(name).toString())
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static String get(String url) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create(url)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

}
