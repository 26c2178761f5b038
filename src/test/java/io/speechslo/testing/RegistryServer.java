package io.speechslo.testing;

import io.speechslo.registry.RegistryStandIn;
import io.speechslo.registry.SchemaRegistry;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Map;

/**
 * The {@link RegistryStandIn} in-process on a free port, for tests. Use it as a JUnit 5 extension
 * ({@code @RegisterExtension static final RegistryServer REGISTRY = new RegistryServer();}) or as a
 * plain {@link AutoCloseable} ({@code try (RegistryServer r = new RegistryServer().start())}).
 */
public final class RegistryServer implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    private RegistryStandIn standIn;

    /** Starts the stand-in unless it is already running. */
    public synchronized RegistryServer start() {
        if (standIn == null) {
            standIn = RegistryStandIn.start(0);
        }
        return this;
    }

    /** Base URL, e.g. {@code http://127.0.0.1:40123}. */
    public synchronized String url() {
        if (standIn == null) {
            throw new IllegalStateException("registry stand-in is not started");
        }
        return standIn.url();
    }

    /** Client settings for {@link SchemaRegistry} pointing here. */
    public Map<String, String> settings() {
        return Map.of(SchemaRegistry.URL, url());
    }

    /** A new real (relocated Confluent) client talking to this stand-in; the caller closes it. */
    public SchemaRegistry client() {
        return new SchemaRegistry(settings());
    }

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
