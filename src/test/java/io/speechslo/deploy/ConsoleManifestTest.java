package io.speechslo.deploy;

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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's Kubernetes manifest starts a console: its arguments (with the shipped ConfigMap's
 * job.yaml, the secrets' $(VAR)s filled in as Kubernetes would, and a free port) are accepted, and its
 * readiness probe's path answers 200 even while the configured Kafka cannot be reached.
 */
class ConsoleManifestTest {

    @Test
    @SuppressWarnings("unchecked")
    void theManifestsArgumentsStartAConsoleWhoseProbeAnswers(@TempDir Path dir) throws Exception {
        Map<String, Object> deployment = null;
        for (Object doc : new Yaml().loadAll(Files.readString(Path.of("deploy/kubernetes/console.yaml")))) {
            if ("Deployment".equals(((Map<String, Object>) doc).get("kind"))) {
                deployment = (Map<String, Object>) doc;
            }
        }
        assertThat(deployment).isNotNull();
        Map<String, Object> container = ((List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>)
                ((Map<String, Object>) deployment.get("spec")).get("template")).get("spec")).get("containers")).get(0);
        List<String> args = new ArrayList<>((List<String>) container.get("args"));
        assertThat(args.get(0)).isEqualTo("console");
        Map<String, Object> configMap = new Yaml().load(Files.readString(Path.of("deploy/kubernetes/configmap.yaml")));
        Path jobYaml = Files.writeString(dir.resolve("job.yaml"), (String) ((Map<String, Object>) configMap.get("data")).get("job.yaml"));
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("/opt/speechslo/job.yaml")) {
                args.set(i, jobYaml.toString());
            } else if (i > 0 && args.get(i - 1).equals("--port")) {
                assertThat(a).isEqualTo(String.valueOf(((List<Map<String, Object>>) container.get("ports")).get(0).get("containerPort")));
                args.set(i, "0");
            } else {
                args.set(i, a.replace("$(SASL_JAAS_CONFIG)", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";")
                        .replace("$(REGISTRY_USER_INFO)", "u:p"));
            }
        }
        String probe = (String) ((Map<String, Object>) ((Map<String, Object>) container.get("readinessProbe")).get("httpGet")).get("path");
        try (ConsoleCommand.Running console = ConsoleCommand.start(args.subList(1, args.size()))) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(console.url() + probe)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"ok\":false");
        }
    }
}
