package io.speechslo.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.speechslo.http.HttpServers;
import io.speechslo.policy.Durations;
import io.speechslo.policy.Policies;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The console's HTTP side on the JDK's own server: the five views and the rollout page as HTML (their
 * data embedded, then refreshed from {@code /api/...} by the page's script), the JSON behind them, the
 * feed's status, and the script, styles and charting library from the classpath. It only reads.
 */
public final class ConsoleServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);

    static final Map<String, String> ASSETS = Map.of(
            "/assets/console.js", "console/console.js",
            "/assets/console.css", "console/console.css",
            "/assets/uPlot.iife.min.js", "META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js",
            "/assets/uPlot.min.css", "META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.min.css");

    private final HttpServer server;
    private final ExecutorService pool;
    private final ScorecardStore store;
    private final ConsoleFeed feed;
    private final Policies policies;
    private final Duration history;
    private final Duration refresh;

    public ConsoleServer(String host, int port, ScorecardStore store, ConsoleFeed feed, Policies policies,
            Duration history, Duration refresh) throws IOException {
        this.store = store;
        this.feed = feed;
        this.policies = policies;
        this.history = history;
        this.refresh = refresh;
        this.server = HttpServers.create(new InetSocketAddress(host, port), 64);
        this.pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "console-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                send(ex, 405, "text/plain; charset=utf-8", "The console only reads: GET or HEAD.");
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            try {
                route(ex, path, query);
            } catch (ConsoleQuery.BadRequest e) {
                error(ex, path, 400, "Bad request", e.getMessage());
            } catch (ConsoleQuery.NotFound e) {
                error(ex, path, 404, "Not found", e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("Console request {} failed", ex.getRequestURI(), e);
                error(ex, path, 500, "Internal error", "The console could not build this page: " + e);
            }
        }
    }

    private void route(HttpExchange ex, String path, String query) throws IOException {
        if (path.equals("/")) {
            ex.getResponseHeaders().set("Location", "/executive");
            send(ex, 302, "text/plain; charset=utf-8", "");
            return;
        }
        if (ASSETS.containsKey(path)) {
            asset(ex, ASSETS.get(path));
            return;
        }
        if (path.equals("/api/status")) {
            sendJson(ex, 200, status());
            return;
        }
        boolean api = path.startsWith("/api/");
        String page = api ? path.substring(4) : path;
        ObjectNode data;
        if (Views.VIEWS.contains(page.substring(1))) {
            ConsoleQuery q = ConsoleQuery.parse(query, history);
            data = store.read(v -> new Views(v, policies).view(page.substring(1), q));
        } else if (page.startsWith("/rollouts/")) {
            String[] parts = page.substring("/rollouts/".length()).split("/", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new ConsoleQuery.NotFound("a rollout page is /rollouts/{service}/{model_version}");
            }
            String service = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            String version = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
            ConsoleQuery q = ConsoleQuery.parse(query, history);
            data = store.read(v -> new Views(v, policies).rollout(service, version, q));
        } else {
            throw new ConsoleQuery.NotFound("no page at " + path + ". The views are /executive, /model, /serving, "
                    + "/privacy, /cost and /rollouts/{service}/{model_version}.");
        }
        data.set("status", status());
        if (api) {
            sendJson(ex, 200, data);
        } else {
            send(ex, 200, "text/html; charset=utf-8", Pages.view(data, refresh));
        }
    }

    private ObjectNode status() {
        ConsoleFeed.Status s = feed == null ? new ConsoleFeed.Status(true, "no feed", 0) : feed.status();
        ObjectNode out = Blocks.JSON.createObjectNode().put("ok", s.ok()).put("message", s.message());
        store.read(v -> {
            out.put("scorecards", v.scorecards()).put("advisories", v.advisoriesSeen()).put("series", v.seriesCount())
                    .put("latest", v.latest() == Long.MIN_VALUE ? null : Instant.ofEpochMilli(v.latest()).toString());
            return null;
        });
        out.put("history", Durations.format(history));
        if (feed != null) {
            out.put("skipped", feed.skipped()).put("lastSkip", feed.lastSkip());
        }
        return out;
    }

    private void error(HttpExchange ex, String path, int code, String title, String message) throws IOException {
        if (path.startsWith("/api/")) {
            sendJson(ex, code, Blocks.JSON.createObjectNode().put("error", message).put("status", code));
        } else {
            send(ex, code, "text/html; charset=utf-8", Pages.error(code, title, message));
        }
    }

    private void asset(HttpExchange ex, String resource) throws IOException {
        try (InputStream in = ConsoleServer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new ConsoleQuery.NotFound("asset " + resource + " is missing from the classpath");
            }
            byte[] bytes = in.readAllBytes();
            String type = resource.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            ex.getResponseHeaders().set("Cache-Control", "max-age=3600");
            sendBytes(ex, 200, type, bytes);
        }
    }

    private static void sendJson(HttpExchange ex, int code, ObjectNode body) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        sendBytes(ex, code, "application/json", Blocks.JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
        sendBytes(ex, code, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void sendBytes(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(code, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
