package io.speechslo.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speechslo.registry.RegistryStandIn;
import io.speechslo.registry.SchemaRegistry;
import io.speechslo.registry.UnknownSchemaIdException;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

class RegistryStandInTest {

    /** A fresh stand-in per test, so ids start at 1. */
    private final RegistryServer registry = new RegistryServer();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String STRING_SCHEMA = "{\"type\": \"string\"}";
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        registry.start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private String url() {
        return registry.url();
    }

    @Test
    void registeringIsIdempotentAndIdsAreGlobal() throws Exception {
        int first = register("a-value", STRING_SCHEMA).get("id").asInt();
        int again = register("a-value", STRING_SCHEMA).get("id").asInt();
        int otherSubject = register("b-value", STRING_SCHEMA).get("id").asInt();
        int reformatted = register("b-value", "  { \"type\" :\"string\" }").get("id").asInt();
        int different = register("a-value", "{\"type\": \"long\"}").get("id").asInt();

        assertThat(first).isEqualTo(1);
        assertThat(again).isEqualTo(first);
        assertThat(otherSubject).isEqualTo(first);
        assertThat(reformatted).isEqualTo(first);
        assertThat(different).isEqualTo(2);
        assertThat(get("/subjects").body()).isEqualTo("[\"a-value\",\"b-value\"]");
        assertThat(get("/subjects/a-value/versions").body()).isEqualTo("[1,2]");
        assertThat(get("/subjects/b-value/versions").body()).isEqualTo("[1]");
    }

    @Test
    void servesSchemasByIdAndByVersion() throws Exception {
        register("a-value", STRING_SCHEMA);
        register("a-value", "{\"type\": \"long\"}");

        HttpResponse<String> byId = get("/schemas/ids/2?fetchMaxId=false&subject=a-value");
        assertThat(byId.statusCode()).isEqualTo(200);
        assertThat(byId.headers().firstValue("Content-Type")).contains(TYPE);
        assertThat(JSON.readTree(byId.body()).get("schema").asText()).isEqualTo("\"long\"");

        JsonNode latest = JSON.readTree(get("/subjects/a-value/versions/latest").body());
        assertThat(latest.get("version").asInt()).isEqualTo(2);
        assertThat(latest.get("id").asInt()).isEqualTo(2);
        assertThat(latest.get("subject").asText()).isEqualTo("a-value");
        assertThat(JSON.readTree(get("/subjects/a-value/versions/1").body()).get("schema").asText()).isEqualTo("\"string\"");

        JsonNode lookedUp = JSON.readTree(post("/subjects/a-value", body(STRING_SCHEMA)).body());
        assertThat(lookedUp.get("id").asInt()).isEqualTo(1);
        assertThat(lookedUp.get("version").asInt()).isEqualTo(1);
        assertThat(JSON.readTree(get("/config").body()).get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
    }

    @Test
    void errorsUseRegistryErrorCodes() throws Exception {
        register("a-value", STRING_SCHEMA);
        assertError(get("/schemas/ids/7"), 404, 40403);
        assertError(get("/subjects/nope/versions"), 404, 40401);
        assertError(get("/subjects/a-value/versions/5"), 404, 40402);
        assertError(post("/subjects/a-value", body("{\"type\": \"int\"}")), 404, 40403);
        assertError(post("/subjects/a-value/versions", body("{\"type\": \"nonsense\"}")), 422, 42201);
        assertError(get("/elsewhere"), 404, 404);
    }

    @Test
    void theRealConfluentClientWorksAgainstIt() {
        try (SchemaRegistry client = new SchemaRegistry(Map.of(SchemaRegistry.URL, url()))) {
            int asr = client.register("asr-value", AsrRequest.getClassSchema());
            int tts = client.register("tts-value", TtsRequest.getClassSchema());
            assertThat(client.register("asr-value", AsrRequest.getClassSchema())).isEqualTo(asr);
            assertThat(tts).isNotEqualTo(asr);
        }
        // a second client has no cache: the schemas come over HTTP and parse with plain Avro
        try (SchemaRegistry fresh = new SchemaRegistry(Map.of(SchemaRegistry.URL, url()))) {
            Schema fetched = fresh.schemaById(1);
            assertThat(fetched).isEqualTo(AsrRequest.getClassSchema());
            assertThat(fresh.schemaById(2)).isEqualTo(TtsRequest.getClassSchema());
            assertThatThrownBy(() -> fresh.schemaById(99))
                    .isInstanceOf(UnknownSchemaIdException.class)
                    .hasMessageContaining("schema id 99");
        }
    }

    @Test
    void clientSettingsAreCheckedAndTyped() {
        assertThatThrownBy(() -> new SchemaRegistry(Map.of()))
                .hasMessageContaining("'url' is missing");
        assertThatThrownBy(() -> new SchemaRegistry(Map.of(SchemaRegistry.URL, url(), "missing.id.cache.ttl.sec", "soon")))
                .hasMessageContaining("'missing.id.cache.ttl.sec' must be a number, got 'soon'");
        new SchemaRegistry(Map.of(SchemaRegistry.URL, url(), "missing.id.cache.ttl.sec", "5",
                "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "u:p")).close();
    }

    @Test
    void aStateFileKeepsIdsSubjectsAndVersionsAcrossRestarts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("registry/schemas.jsonl");
        try (RegistryServer first = new RegistryServer(file).start()) {
            assertThat(register(first.url(), "b-value", STRING_SCHEMA).get("id").asInt()).isEqualTo(1);
            assertThat(register(first.url(), "a-value", "{\"type\": \"long\"}").get("id").asInt()).isEqualTo(2);
            assertThat(register(first.url(), "a-value", STRING_SCHEMA).get("id").asInt()).isEqualTo(1);
        }
        assertThat(Files.readAllLines(file)).hasSize(3);
        try (RegistryServer again = new RegistryServer(file).start()) {
            // the same ids, versions and subjects as before the restart
            assertThat(JSON.readTree(get(again.url(), "/schemas/ids/2").body()).get("schema").asText()).isEqualTo("\"long\"");
            assertThat(get(again.url(), "/subjects").body()).isEqualTo("[\"a-value\",\"b-value\"]");
            assertThat(get(again.url(), "/subjects/a-value/versions").body()).isEqualTo("[1,2]");
            JsonNode second = JSON.readTree(get(again.url(), "/subjects/a-value/versions/2").body());
            assertThat(second.get("id").asInt()).isEqualTo(1);
            assertThat(register(again.url(), "a-value", "{\"type\": \"long\"}").get("id").asInt()).isEqualTo(2);
            // a new schema after the restart gets the next id, and is kept too
            assertThat(register(again.url(), "c-value", "{\"type\": \"int\"}").get("id").asInt()).isEqualTo(3);
        }
        // the real client reads the generated telemetry schemas back after a restart
        int asr;
        try (RegistryServer third = new RegistryServer(file).start(); SchemaRegistry client = third.client()) {
            asr = client.register("asr-value", AsrRequest.getClassSchema());
            assertThat(asr).isEqualTo(4);
        }
        try (RegistryServer fourth = new RegistryServer(file).start(); SchemaRegistry client = fourth.client()) {
            assertThat(client.schemaById(asr)).isEqualTo(AsrRequest.getClassSchema());
            assertThat(client.schemaById(3)).isEqualTo(Schema.create(Schema.Type.INT));
        }
        assertThat(dir.resolve("registry")).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void aCorruptStateFileFailsTheStartNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("schemas.jsonl");
        try (RegistryServer first = new RegistryServer(file).start()) {
            register(first.url(), "a-value", STRING_SCHEMA);
            register(first.url(), "a-value", "{\"type\": \"long\"}");
        }
        List<String> lines = Files.readAllLines(file);
        Map<String, String> broken = Map.of(
                lines.get(0) + "\n{\"subject\": \"a-value\", \"versi", "line 2: not a JSON object",
                lines.get(0) + "\n" + lines.get(1).replace("\"version\":2", "\"version\":3"), "line 2: version 3 of subject 'a-value' out of order",
                lines.get(0) + "\n" + lines.get(1).replace("\"id\":2", "\"id\":1"), "line 2: id 1 names a different schema",
                lines.get(0) + "\n" + lines.get(1).replace("\\\"long\\\"", "{\\\"type\\\": \\\"nonsense\\\"}"),
                        "line 2: Invalid schema",
                "\n" + lines.get(1).replace("\"version\":2", "\"version\":1"), "schema id 1 is missing");
        for (Map.Entry<String, String> c : broken.entrySet()) {
            Files.writeString(file, c.getKey() + "\n");
            assertThatThrownBy(() -> RegistryStandIn.start(0, file)).as(c.getKey())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("registry stand-in state file " + file)
                    .hasMessageContaining(c.getValue());
        }
    }

    private JsonNode register(String subject, String schema) throws IOException, InterruptedException {
        return register(url(), subject, schema);
    }

    private JsonNode register(String base, String subject, String schema) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/subjects/" + subject + "/versions"))
                .header("Content-Type", TYPE).POST(HttpRequest.BodyPublishers.ofString(body(schema))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String body(String schema) throws IOException {
        return JSON.writeValueAsString(JSON.createObjectNode().put("schema", schema));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(url(), path);
    }

    private HttpResponse<String> get(String base, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url() + path)).header("Content-Type", TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> response, int status, int errorCode) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("error_code").asInt()).isEqualTo(errorCode);
        assertThat(error.get("message").asText()).isNotBlank();
    }
}
