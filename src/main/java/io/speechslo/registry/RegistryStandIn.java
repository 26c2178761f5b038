package io.speechslo.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.nio.charset.StandardCharsets;
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
 * existing id. Errors come back as {@code {"error_code": 40403, "message": "..."}}. State lives in
 * memory and is gone when the process ends. Not for production.
 *
 * <p>Run it with {@code java ... io.speechslo.registry.RegistryStandIn --port N} ({@code 0} picks a
 * free port); it prints one line ending in {@code listening on http://127.0.0.1:PORT}.
 */
public final class RegistryStandIn implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryStandIn.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String AVRO = "AVRO";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;

    // All state is guarded by "this".
    private final Map<String, Integer> idsBySchemaKey = new HashMap<>();
    private final List<StoredSchema> schemasById = new ArrayList<>(); // id = index + 1
    private final Map<String, List<Integer>> subjects = new TreeMap<>(); // versions: index + 1

    private record StoredSchema(String type, String text) {}

    private RegistryStandIn(HttpServer server) {
        this.server = server;
    }

    /** Starts a stand-in on 127.0.0.1:{@code port} ({@code 0}: a free port). */
    public static RegistryStandIn start(int port) {
        // Without TCP_NODELAY every answer waits ~40 ms for a delayed ACK (read once per JVM).
        System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("registry stand-in could not bind 127.0.0.1:" + port, e);
        }
        RegistryStandIn standIn = new RegistryStandIn(server);
        server.createContext("/", standIn::handle);
        server.start();
        LOG.info("STAND-IN for the Confluent Schema Registry (only the REST subset this project uses, in memory) "
                + "listening on {}", standIn.url());
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

    /** {@code --port N}: serves until the process is stopped. */
    public static void main(String[] args) {
        int port = 8081;
        for (int i = 0; i < args.length; i++) {
            int parsed = "--port".equals(args[i]) && i + 1 < args.length ? parseIntOr(args[++i], -1) : -1;
            if (parsed < 0 || parsed > 65_535) {
                System.err.println("usage: RegistryStandIn [--port N]   (N in 0..65535, 0 = a free port)");
                System.exit(2);
            }
            port = parsed;
        }
        RegistryStandIn standIn = start(port);
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
        if (id == null) {
            schemasById.add(new StoredSchema(s.type(), s.text()));
            id = schemasById.size();
            idsBySchemaKey.put(s.key(), id);
        }
        List<Integer> versions = subjects.computeIfAbsent(subject, k -> new ArrayList<>());
        if (!versions.contains(id)) {
            versions.add(id);
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

    private static int parseIntOr(String text, int fallback) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
