package io.speechslo.http;

import io.speechslo.registry.RegistryStandIn;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every HTTP server of the project answers without waiting for the client's delayed ACK (about 40 ms an
 * answer), whichever of them a JVM makes first: the JDK reads TCP_NODELAY once per JVM, and a console
 * made before a registry stand-in (as a test JVM may) used to leave the stand-in without it.
 */
class HttpServersTest {

    static final int REQUESTS = 30;

    /** In a JVM of its own (the setting is read once per JVM): a server made first, then the stand-in. */
    public static void main(String[] args) throws IOException {
        HttpServer first = HttpServers.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        first.start();
        RegistryStandIn registry = RegistryStandIn.start(0);
        try {
            get(registry.url() + "/subjects"); // connection and classes warmed up
            long start = System.nanoTime();
            for (int i = 0; i < REQUESTS; i++) {
                get(registry.url() + "/subjects");
            }
            System.out.println("elapsed_ms=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } finally {
            registry.close();
            first.stop(0);
        }
    }

    private static void get(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        if (c.getResponseCode() != 200) {
            throw new IOException(url + ": HTTP " + c.getResponseCode());
        }
        try (InputStream in = c.getInputStream()) {
            in.readAllBytes(); // read to the end, so the connection is kept alive for the next request
        }
    }

    @Test
    void answersDoNotWaitForADelayedAckWhicheverServerCameFirst() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HttpServersTest.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        String line = out.lines().filter(l -> l.startsWith("elapsed_ms=")).findFirst().orElseThrow(() -> new AssertionError(out));
        long ms = Long.parseLong(line.substring("elapsed_ms=".length()));
        // with the delayed ACK each answer takes about 40 ms (1.2 s for 30); without, a few ms at most
        assertThat(ms).as("%d answers in %d ms", REQUESTS, ms).isLessThan(REQUESTS * 20L);
    }
}
