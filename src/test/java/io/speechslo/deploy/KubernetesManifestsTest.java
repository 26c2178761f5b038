package io.speechslo.deploy;

import io.speechslo.config.JobConfig;
import io.speechslo.console.ConsoleCommand;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kubernetes manifests hold together: the job's FlinkDeployment passes no secret in its arguments (the
 * operator would not expand it) and reads the secrets from the environment the secret fills, has the S3
 * plugin its s3:// paths need and JobManager high availability; the console's Deployment starts a console
 * from its own arguments whose readiness probe answers.
 */
class KubernetesManifestsTest {

    static final Map<String, String> SECRETS = Map.of(
            "SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
            "REGISTRY_USER_INFO", "u:p");

    @SuppressWarnings("unchecked")
    static Map<String, Object> doc(String file, String kind) throws Exception {
        for (Object d : new Yaml().loadAll(Files.readString(Path.of("deploy/kubernetes", file)))) {
            if (kind.equals(((Map<String, Object>) d).get("kind"))) {
                return (Map<String, Object>) d;
            }
        }
        throw new AssertionError("no " + kind + " in " + file);
    }

    @SuppressWarnings("unchecked")
    static <T> T at(Object node, Object... path) {
        Object n = node;
        for (Object p : path) {
            n = p instanceof Integer i ? ((List<Object>) n).get(i) : ((Map<String, Object>) n).get(p);
        }
        return (T) n;
    }

    /** The ConfigMap's job.yaml as a file, as it is mounted. */
    static Path jobYaml(Path dir) throws Exception {
        return Files.writeString(dir.resolve("job.yaml"), (String) at(doc("configmap.yaml", "ConfigMap"), "data", "job.yaml"));
    }

    @Test
    void theJobReadsItsSecretsFromThePodsEnvironmentAndHasS3AndHighAvailability(@TempDir Path dir) throws Exception {
        Map<String, Object> flink = doc("flink-deployment.yaml", "FlinkDeployment");
        List<String> args = at(flink, "spec", "job", "args");
        assertThat(args).as("the operator passes arguments as they are").noneMatch(a -> a.contains("$("));
        assertThat(args).containsSequence("--config", "/opt/speechslo/job.yaml");
        Map<String, Object> container = at(flink, "spec", "podTemplate", "spec", "containers", 0);
        List<Map<String, Object>> env = at(container, "env");
        assertThat(env).extracting(e -> e.get("name")).contains("SASL_JAAS_CONFIG", "REGISTRY_USER_INFO", "ENABLE_BUILT_IN_PLUGINS");
        assertThat(env).filteredOn(e -> e.get("name").equals("ENABLE_BUILT_IN_PLUGINS"))
                .extracting(e -> (String) e.get("value")).singleElement().asString().matches("flink-s3-fs-(presto|hadoop)-2\\.2\\.0\\.jar");
        Map<String, String> conf = at(flink, "spec", "flinkConfiguration");
        assertThat(conf).containsEntry("high-availability.type", "kubernetes");
        assertThat(conf.get("high-availability.storageDir")).startsWith("s3://");
        assertThat(conf.get("execution.checkpointing.dir")).startsWith("s3://");

        // The mounted job.yaml, read with the pod's environment: the secrets land in the client settings.
        JobConfig cfg = JobConfig.load(Optional.of(jobYaml(dir)), List.of(), SECRETS::get);
        assertThat(cfg.kafkaClientProperties().getProperty("sasl.jaas.config")).isEqualTo(SECRETS.get("SASL_JAAS_CONFIG"));
        assertThat(cfg.registryClientSettings()).containsValue("u:p");
        // and without it, start-up fails naming the file, the key and the variable
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobConfig.load(Optional.of(jobYaml(dir)), List.of(), k -> null))
                .hasMessageContaining("job.yaml").hasMessageContaining("kafka.properties.sasl.jaas.config")
                .hasMessageContaining("environment variable SASL_JAAS_CONFIG, which is not set");
    }

    @Test
    void theConsolesArgumentsStartAConsoleWhoseProbeAnswers(@TempDir Path dir) throws Exception {
        Map<String, Object> container = at(doc("console.yaml", "Deployment"), "spec", "template", "spec", "containers", 0);
        List<String> args = new ArrayList<>(at(container, "args"));
        assertThat(args.get(0)).isEqualTo("console");
        assertThat(at(container, "env").toString()).contains("SASL_JAAS_CONFIG").contains("REGISTRY_USER_INFO");
        // This JVM's environment has no secrets: the mounted job.yaml with them filled in, as the pod reads it.
        String text = Files.readString(jobYaml(dir));
        for (Map.Entry<String, String> e : SECRETS.entrySet()) {
            text = text.replace("${env:" + e.getKey() + "}", "'" + e.getValue() + "'");
        }
        Path filled = Files.writeString(dir.resolve("filled.yaml"), text);
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("/opt/speechslo/job.yaml")) {
                args.set(i, filled.toString());
            } else if (i > 0 && args.get(i - 1).equals("--port")) {
                assertThat(args.get(i)).isEqualTo(String.valueOf((Object) at(container, "ports", 0, "containerPort")));
                args.set(i, "0");
            }
        }
        String probe = at(container, "readinessProbe", "httpGet", "path");
        try (ConsoleCommand.Running console = ConsoleCommand.start(args.subList(1, args.size()))) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(console.url() + probe)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"ok\":false");
        }
    }
}
