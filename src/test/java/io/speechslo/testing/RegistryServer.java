package io.speechslo.testing;

import io.speechslo.registry.RegistryStandIn;
import io.speechslo.registry.SchemaRegistry;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.Map;

/**
 * The {@link RegistryStandIn} in-process on a free port, for tests. Use it as a JUnit 5 extension
 * ({@code @RegisterExtension static final RegistryServer REGISTRY = new RegistryServer();}) or as a
 * plain {@link AutoCloseable} ({@code try (RegistryServer r = new RegistryServer().start())}). Given a
 * state file it keeps its schemas there, and once started it comes back on the same port: a test can
 * {@link #close()} it (the registry is down) and {@link #start()} it again (back, with its schemas).
 */
public final class RegistryServer implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    private final Path stateFile;
    private RegistryStandIn standIn;
    /** 0 until the first start, then the port it got, kept for every restart. */
    private int port;

    /** Keeps schemas in memory only. */
    public RegistryServer() {
        this(null);
    }

    /** Keeps schemas in {@code stateFile} (null: in memory only). */
    public RegistryServer(Path stateFile) {
        this.stateFile = stateFile;
    }

    /** Starts the stand-in unless it is already running (after the first start, on the same port). */
    public synchronized RegistryServer start() {
        if (standIn == null) {
            standIn = RegistryStandIn.start(port, stateFile);
            port = standIn.port();
        }
        return this;
    }

    /** Whether it is serving now. */
    public synchronized boolean running() {
        return standIn != null;
    }

    /** Base URL, e.g. {@code http://127.0.0.1:40123}. */
    public synchronized String url() {
        if (port == 0) {
            throw new IllegalStateException("registry stand-in was never started");
        }
        return "http://127.0.0.1:" + port;
    }

    /** Client settings for {@link SchemaRegistry} pointing here. */
    public Map<String, String> settings() {
        return Map.of(SchemaRegistry.URL, url());
    }

    /** A new real (relocated Confluent) client talking to this stand-in; the caller closes it. */
    public SchemaRegistry client() {
        return new SchemaRegistry(settings());
    }

    /** Stops serving (clients get connection refused); {@link #start()} brings it back on the same port. */
    @Override
    public synchronized void close() {
        if (standIn != null) {
            standIn.close();
            standIn = null;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }
}
