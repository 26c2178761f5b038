package io.speechslo.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for servers the tests start in other processes (brokers, Flink clusters, the local stack).
 *
 * <p>A port taken with {@code new ServerSocket(0)} comes from the kernel's ephemeral range and is free
 * again once the socket closes: until the other process binds it, the kernel may hand the same number to
 * any socket bound to port 0 (a JobManager's blob server, say), and the server then fails to start. The
 * ports here come from below the ephemeral range, where the kernel never assigns one by itself; each is
 * checked free on the loopback address and handed out once per JVM.
 */
public final class Ports {

    private static final int LOWEST = 20_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private Ports() {}

    /** A loopback port that nothing listens on and that the kernel does not assign to port-0 binds. */
    public static synchronized int free() {
        int highest = ephemeralLow() - 1;
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
                HANDED_OUT.add(port);
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port between " + LOWEST + " and " + highest));
    }

    /** The first port of the kernel's ephemeral range (32768 where it cannot be read). */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > LOWEST + 1000 ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
