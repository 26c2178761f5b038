package io.speechslo.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.speechslo.http.HttpServers;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A STAND-IN for the Confluent Schema Registry, for tests and the local stack only. No real registry
 * can be installed on the build machines, so this in-memory server speaks just the subset of the
 * registry REST API that our code, the relocated Confluent Java client and the Python client use:
 *
 * <ul>
 *   <li>{@code POST /subjects/{subject}/versions} register (body {@code {"schema": "...",
 *       "schemaType": "AVRO"}}), answers {@code {"id": N}}; no compatibility checks;</li>
 *   <li>{@code POST /subjects/{subject}} look up a schema in a subject;</li>
 *   <li>{@code GET /schemas/ids/{id}} (query parameters ignored);</li>
 *   <li>{@code GET /subjects}, {@code GET /subjects/{subject}/versions},
 *       {@code GET /subjects/{subject}/versions/{version|latest}};</li>
 *   <li>{@code GET /config}.</li>
 * </ul>
 *
 * <p>Ids are global: the same Avro schema (compared in Avro's normalized JSON form, as the real
 * registry does) gets the same id in every subject, and re-registering in a subject returns the
 * existing id. Errors come back as {@code {"error_code": 40403, "message": "..."}}. Not for production.
 *
 * <p>State lives in memory, and, given a state file, also on disk, as a real registry keeps its schemas
 * (in its compacted {@code _schemas} topic): without it a restart would forget every id, and telemetry
 * already on the topics would no longer decode. The file holds one JSON line per subject version,
 * {@code {"subject": ..., "version": N, "id": N, "schemaType": ..., "schema": ...}}, in the order they
 * were registered; each registration rewrites it whole (a temporary file moved over it), so a crash
 * leaves either the old file or the new one, never half a line. On start every line is read back, so
 * ids, subjects and versions stay what they were; a line that does not fit fails the start naming the
 * file and line.
 *
 * <p>Run it with {@code java ... io.speechslo.registry.RegistryStandIn --port N [--state-file FILE]}
 * ({@code 0} picks a free port); it prints one line ending in {@code listening on http://127.0.0.1:PORT}.
 */
public final class RegistryStandIn implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryStandIn.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String AVRO = "AVRO";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    /** Where registrations are kept across restarts; null: memory only. */
    private final Path stateFile;

    // All state is guarded by "this".
    private final Map<String, Integer> idsBySchemaKey = new HashMap<>();
    private final List<StoredSchema> schemasById = new ArrayList<>(); // id = index + 1
    private final Map<String, List<Integer>> subjects = new TreeMap<>(); // versions: index + 1

    private record StoredSchema(String type, String text) {}

    private RegistryStandIn(HttpServer server, Path stateFile) {
        this.server = server;
        this.stateFile = stateFile;
    }

    /** Starts a stand-in on 127.0.0.1:{@code port} ({@code 0}: a free port), keeping its schemas in memory only. */
    public static RegistryStandIn start(int port) {
        return start(port, null);
    }

    /**
     * Starts a stand-in on 127.0.0.1:{@code port} ({@code 0}: a free port) that keeps its schemas in
     * {@code stateFile} (null: in memory only), first reading back what the file holds.
     *
     * @throws IllegalArgumentException if the state file cannot be read back (the message names the file and line)
     */
    public static RegistryStandIn start(int port, Path stateFile) {
        HttpServer server;
        try {
            server = HttpServers.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("registry stand-in could not bind 127.0.0.1:" + port, e);
        }
        RegistryStandIn standIn = new RegistryStandIn(server, stateFile);
        if (stateFile != null) {
            try {
                standIn.load();
            } catch (RuntimeException e) {
                server.stop(0);
                throw e;
            }
        }
        server.createContext("/", standIn::handle);
        server.start();
        LOG.info("STAND-IN for the Confluent Schema Registry (only the REST subset this project uses, {}) "
                + "listening on {}", stateFile == null ? "in memory" : "schemas kept in " + stateFile, standIn.url());
        return standIn;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Base URL for clients, e.g. {@code http://127.0.0.1:8081}. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** {@code --port N [--state-file FILE]}: serves until the process is stopped. */
    public static void main(String[] args) {
        int port = 8081;
        Path stateFile = null;
        for (int i = 0; i < args.length; i++) {
            if ("--state-file".equals(args[i]) && i + 1 < args.length && !args[i + 1].isBlank()) {
                stateFile = Path.of(args[++i]);
                continue;
            }
            int parsed = "--port".equals(args[i]) && i + 1 < args.length ? parseIntOr(args[++i], -1) : -1;
            if (parsed < 0 || parsed > 65_535) {
                System.err.println("usage: RegistryStandIn [--port N] [--state-file FILE]   (N in 0..65535, 0 = a free"
                        + " port; FILE keeps the schemas across restarts)");
                System.exit(2);
            }
            port = parsed;
        }
        RegistryStandIn standIn;
        try {
            standIn = start(port, stateFile);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(standIn::close, "registry-stand-in-shutdown"));
        System.out.println("RegistryStandIn, a STAND-IN for the Confluent Schema Registry (tests and local stack only),"
                + " listening on " + standIn.url());
        System.out.flush();
    }

    // ---- HTTP ----

    /** An answer to send: HTTP status and JSON body. */
    private record Reply(int status, Object body) {}

    private void handle(HttpExchange exchange) throws IOException {
        Reply reply;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            LOG.debug("{} {} {}", exchange.getRequestMethod(), exchange.getRequestURI(),
                    new String(body, StandardCharsets.UTF_8));
            reply = route(exchange.getRequestMethod(), segments(exchange.getRequestURI().getRawPath()), body);
        } catch (RuntimeException e) {
            LOG.warn("registry stand-in failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            reply = error(500, 50001, "Error in the backend data store: " + e);
        }
        byte[] out = JSON.writeValueAsBytes(reply.body());
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(reply.status(), out.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(out);
        }
    }

    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                segments.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return segments;
    }

    private Reply route(String method, List<String> p, byte[] body) throws IOException {
        int n = p.size();
        boolean get = "GET".equals(method);
        boolean post = "POST".equals(method);
        if (get && n == 1 && p.get(0).equals("config")) {
            return ok(JSON.createObjectNode().put("compatibilityLevel", "BACKWARD"));
        }
        if (get && n == 3 && p.get(0).equals("schemas") && p.get(1).equals("ids")) {
            return schemaById(p.get(2));
        }
        if (n >= 1 && p.get(0).equals("subjects")) {
            if (get && n == 1) {
                return listSubjects();
            }
            if (post && n == 2) {
                return lookUp(p.get(1), body);
            }
            if (n >= 3 && p.get(2).equals("versions")) {
                if (post && n == 3) {
                    return register(p.get(1), body);
                }
                if (get && n == 3) {
                    return versions(p.get(1));
                }
                if (get && n == 4) {
                    return version(p.get(1), p.get(3));
                }
            }
        }
        if (!get && !post) {
            return error(405, 405, "HTTP 405 Method Not Allowed");
        }
        return error(404, 404, "HTTP 404 Not Found");
    }

    private static Reply ok(Object body) {
        return new Reply(200, body);
    }

    private static Reply error(int status, int code, String message) {
        return new Reply(status, JSON.createObjectNode().put("error_code", code).put("message", message));
    }

    // ---- registry semantics ----

    /** The schema from a register or lookup body, or an error reply; {@code key} is its identity. */
    private record Submitted(String type, String text, String key, Reply error) {}

    private static Submitted parseSubmitted(byte[] body) {
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (IOException e) {
            return new Submitted(null, null, null, error(400, 400, "Unrecognized request body: " + e.getMessage()));
        }
        if (request == null || !request.path("schema").isTextual()) {
            return new Submitted(null, null, null, error(422, 42201, "Invalid schema: field 'schema' missing"));
        }
        String type = request.path("schemaType").asText(AVRO);
        String text = request.get("schema").asText();
        if (!type.equals(AVRO)) {
            return new Submitted(type, text, type + ":" + text, null);
        }
        try {
            String normalized = new Schema.Parser().parse(text).toString();
            return new Submitted(AVRO, normalized, AVRO + ":" + normalized, null);
        } catch (SchemaParseException e) {
            return new Submitted(null, null, null, error(422, 42201, "Invalid schema: " + e.getMessage()));
        }
    }

    private synchronized Reply register(String subject, byte[] body) {
        Submitted s = parseSubmitted(body);
        if (s.error() != null) {
            return s.error();
        }
        Integer id = idsBySchemaKey.get(s.key());
        List<Integer> versions = subjects.get(subject);
        if (id != null && versions != null && versions.contains(id)) {
            return ok(JSON.createObjectNode().put("id", id));
        }
        boolean newSchema = id == null;
        if (newSchema) {
            schemasById.add(new StoredSchema(s.type(), s.text()));
            id = schemasById.size();
            idsBySchemaKey.put(s.key(), id);
        }
        boolean newSubject = versions == null;
        if (newSubject) {
            versions = new ArrayList<>();
            subjects.put(subject, versions);
        }
        versions.add(id);
        try {
            save();
        } catch (IOException | RuntimeException e) {
            // not kept: forget it, so memory never promises an id a restart would not give back
            versions.remove(versions.size() - 1);
            if (newSubject) {
                subjects.remove(subject);
            }
            if (newSchema) {
                schemasById.remove(schemasById.size() - 1);
                idsBySchemaKey.remove(s.key());
            }
            LOG.warn("registry stand-in could not write its state file {}", stateFile, e);
            return error(500, 50001, "Error in the backend data store: could not write " + stateFile + ": " + e);
        }
        return ok(JSON.createObjectNode().put("id", id));
    }

    private synchronized Reply lookUp(String subject, byte[] body) {
        List<Integer> versions = subjects.get(subject);
        if (versions == null) {
            return error(404, 40401, "Subject '" + subject + "' not found.");
        }
        Submitted s = parseSubmitted(body);
        if (s.error() != null) {
            return s.error();
        }
        Integer id = idsBySchemaKey.get(s.key());
        int index = id == null ? -1 : versions.indexOf(id);
        if (index < 0) {
            return error(404, 40403, "Schema not found");
        }
        return ok(versionNode(subject, index + 1, id));
    }

    private synchronized Reply schemaById(String idText) {
        int id = parseIntOr(idText, -1);
        if (id < 1 || id > schemasById.size()) {
            return error(404, 40403, "Schema " + idText + " not found");
        }
        StoredSchema stored = schemasById.get(id - 1);
        ObjectNode node = JSON.createObjectNode();
        if (!stored.type().equals(AVRO)) {
            node.put("schemaType", stored.type());
        }
        return ok(node.put("schema", stored.text()));
    }

    private synchronized Reply listSubjects() {
        ArrayNode names = JSON.createArrayNode();
        subjects.keySet().forEach(names::add);
        return ok(names);
    }

    private synchronized Reply versions(String subject) {
        List<Integer> versions = subjects.get(subject);
        if (versions == null) {
            return error(404, 40401, "Subject '" + subject + "' not found.");
        }
        ArrayNode numbers = JSON.createArrayNode();
        for (int v = 1; v <= versions.size(); v++) {
            numbers.add(v);
        }
        return ok(numbers);
    }

    private synchronized Reply version(String subject, String versionText) {
        List<Integer> versions = subjects.get(subject);
        if (versions == null) {
            return error(404, 40401, "Subject '" + subject + "' not found.");
        }
        int version = "latest".equals(versionText) ? versions.size() : parseIntOr(versionText, -1);
        if (version < 1 || version > versions.size()) {
            return error(404, 40402, "Version " + versionText + " not found.");
        }
        return ok(versionNode(subject, version, versions.get(version - 1)));
    }

    private ObjectNode versionNode(String subject, int version, int id) {
        StoredSchema stored = schemasById.get(id - 1);
        ObjectNode node = JSON.createObjectNode().put("subject", subject).put("version", version).put("id", id);
        if (!stored.type().equals(AVRO)) {
            node.put("schemaType", stored.type());
        }
        return node.put("schema", stored.text());
    }

    // ---- the state file ----

    /** Writes every subject version to the state file: a temporary file beside it, then moved over it. */
    private void save() throws IOException {
        if (stateFile == null) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        for (Map.Entry<String, List<Integer>> subject : subjects.entrySet()) {
            List<Integer> versions = subject.getValue();
            for (int v = 0; v < versions.size(); v++) {
                lines.append(JSON.writeValueAsString(versionNode(subject.getKey(), v + 1, versions.get(v))
                        .put("schemaType", schemasById.get(versions.get(v) - 1).type()))).append('\n');
            }
        }
        Path dir = stateFile.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temporary = Files.createTempFile(dir, stateFile.getFileName().toString(), ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                out.write(ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)));
                out.force(true);
            }
            Files.move(temporary, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Reads the state file back (a missing or empty file is an empty registry). Lines are sorted by
     * subject, then version; ids must be given out in order (a line may name a new id only if it is one
     * more than the highest so far) and an id always names the same schema.
     */
    private synchronized void load() {
        if (!Files.exists(stateFile)) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(stateFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("registry stand-in state file " + stateFile + " cannot be read: " + e, e);
        }
        Map<Integer, StoredSchema> byId = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = "registry stand-in state file " + stateFile + " line " + (i + 1) + ": ";
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(where + "not a JSON object: " + e.getOriginalMessage(), e);
            }
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(where + "not a JSON object");
            }
            for (String field : List.of("subject", "schema", "schemaType")) {
                if (!node.path(field).isTextual()) {
                    throw new IllegalArgumentException(where + "'" + field + "' is missing or not text");
                }
            }
            for (String field : List.of("version", "id")) {
                if (!node.path(field).canConvertToInt() || node.path(field).asInt() < 1) {
                    throw new IllegalArgumentException(where + "'" + field + "' is missing or not a positive number");
                }
            }
            String subject = node.get("subject").asText();
            int version = node.get("version").asInt();
            int id = node.get("id").asInt();
            Submitted s = parseSubmitted(JSON.createObjectNode().put("schema", node.get("schema").asText())
                    .put("schemaType", node.get("schemaType").asText()).toString().getBytes(StandardCharsets.UTF_8));
            if (s.error() != null) {
                throw new IllegalArgumentException(where + ((ObjectNode) s.error().body()).get("message").asText());
            }
            StoredSchema stored = new StoredSchema(s.type(), s.text());
            StoredSchema known = byId.get(id);
            if (known == null && idsBySchemaKey.containsKey(s.key())) {
                throw new IllegalArgumentException(where + "schema of id " + id + " was already given id "
                        + idsBySchemaKey.get(s.key()));
            }
            if (known != null && !known.equals(stored)) {
                throw new IllegalArgumentException(where + "id " + id + " names a different schema than an earlier line");
            }
            List<Integer> versions = subjects.computeIfAbsent(subject, k -> new ArrayList<>());
            if (version != versions.size() + 1) {
                throw new IllegalArgumentException(where + "version " + version + " of subject '" + subject
                        + "' out of order (expected " + (versions.size() + 1) + ")");
            }
            if (versions.contains(id)) {
                throw new IllegalArgumentException(where + "id " + id + " is already a version of subject '" + subject + "'");
            }
            versions.add(id);
            byId.put(id, stored);
            idsBySchemaKey.put(s.key(), id);
        }
        int expected = 1;
        for (Map.Entry<Integer, StoredSchema> e : byId.entrySet()) {
            if (e.getKey() != expected++) {
                throw new IllegalArgumentException("registry stand-in state file " + stateFile + ": schema id "
                        + (expected - 1) + " is missing (ids are given out from 1 without gaps)");
            }
            schemasById.add(e.getValue());
        }
    }

    private static int parseIntOr(String text, int fallback) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
