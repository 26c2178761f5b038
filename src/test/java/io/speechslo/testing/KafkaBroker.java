package io.speechslo.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real single-node Apache Kafka broker (KRaft, broker and controller in one) running as a separate
 * JVM on 127.0.0.1 with free ports and a temporary log directory, for integration tests.
 *
 * <p>Use it as a JUnit 5 extension ({@code @RegisterExtension static final KafkaBroker KAFKA = new
 * KafkaBroker();}) or as a plain {@link AutoCloseable} ({@code try (KafkaBroker k = new
 * KafkaBroker().start())}). {@link #close()} kills the process and deletes the directory; a JVM
 * shutdown hook does the same if a test run dies before closing. The broker is set up for
 * exactly-once sinks (transaction state log with replication 1) and logs at WARN to
 * {@code broker.log} in its directory.
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    /** Fixed KRaft cluster id: every broker has its own directory, so it need not be unique. */
    private static final String CLUSTER_ID = "c3BlZWNoLXNsby1hZHZpcw";
    private static final long STARTUP_LIMIT_MS = 90_000;

    private Path dir;
    private Path properties;
    private Path log4j;
    private Process process;
    private Thread shutdownHook;
    private Admin admin;
    private String bootstrapServers;

    /** Formats storage and starts the broker, returning once it answers; no-op when already running. */
    public synchronized KafkaBroker start() {
        if (process != null) {
            return this;
        }
        try {
            dir = Files.createTempDirectory("kafka-broker-");
            int port = Ports.free();
            int controllerPort = Ports.free();
            bootstrapServers = "127.0.0.1:" + port;
            properties = dir.resolve("server.properties");
            Files.writeString(properties, serverProperties(port, controllerPort, dir.resolve("data")));
            log4j = dir.resolve("log4j2.properties");
            Files.writeString(log4j, "status = warn\n"
                    + "appender.file.type = File\nappender.file.name = file\n"
                    + "appender.file.fileName = " + dir.resolve("broker.log") + "\n"
                    + "appender.file.layout.type = PatternLayout\n"
                    + "appender.file.layout.pattern = %d %-5p %c - %m%n\n"
                    + "rootLogger.level = warn\nrootLogger.appenderRef.file.ref = file\n");
            format(javaCommand(log4j, "kafka.tools.StorageTool", "format", "-t", CLUSTER_ID,
                    "-c", properties.toString()), dir.resolve("format.out"));
            launch();
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
            awaitReady();
            return this;
        } catch (IOException | RuntimeException e) {
            String output = dir == null ? "" : diagnostics();
            close();
            throw new IllegalStateException("Kafka broker did not start: " + e.getMessage() + output, e);
        }
    }

    /** Starts the broker JVM on the prepared directory, with a shutdown hook that kills it and deletes the directory. */
    private void launch() throws IOException {
        process = new ProcessBuilder(javaCommand(log4j, "kafka.Kafka", properties.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.out").toFile()))
                .start();
        Process started = process;
        Path startedDir = dir;
        shutdownHook = new Thread(() -> {
            started.destroyForcibly();
            try {
                started.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // the JVM is going down anyway
            }
            deleteRecursively(startedDir);
        }, "kafka-broker-kill-" + started.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * A crash: {@code kill -9} of the broker's PID, waiting until it is gone. Its log directories and
     * ports stay, for {@link #restart()}.
     */
    public synchronized void kill() {
        requireStarted();
        long pid = process.pid();
        Processes.kill9(pid);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("broker pid " + pid + " still alive 30 s after kill -9");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the killed broker", e);
        }
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
        shutdownHook = null;
        process = null;
    }

    /** Starts the broker again after {@link #kill()}: the same log directories, the same ports; returns once it answers. */
    public synchronized KafkaBroker restart() {
        if (process != null || dir == null) {
            throw new IllegalStateException("restart() follows kill()");
        }
        try {
            launch();
            awaitReady();
            return this;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Kafka broker did not restart: " + e.getMessage() + diagnostics(), e);
        }
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public synchronized String bootstrapServers() {
        requireStarted();
        return bootstrapServers;
    }

    /** Operating-system process id of the broker JVM. */
    public synchronized long pid() {
        requireStarted();
        return process.pid();
    }

    /** Creates a topic with replication factor 1 and waits until the broker has it. */
    public synchronized void createTopic(String name, int partitions) {
        requireStarted();
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create topic " + name + " on " + bootstrapServers, e);
        }
    }

    /** Stops the broker (terminate, then kill after 15 s) and deletes its directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(15, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            process = null;
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or will run; nothing left to undo
            }
            shutdownHook = null;
        }
        if (dir != null) {
            deleteRecursively(dir);
            dir = null;
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

    private void requireStarted() {
        if (process == null) {
            throw new IllegalStateException("Kafka broker is not started");
        }
    }

    private static String serverProperties(int port, int controllerPort, Path logDir) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logDir,
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "transaction.max.timeout.ms=3600000",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // Tests produce telemetry stamped with fixed dates months in the past: the default 7-day
                // retention would delete it at the broker's first retention check (30 s after start),
                // in the middle of a test that reads it again (replay) or reads what the job wrote.
                "log.retention.ms=-1",
                "");
    }

    /** The test JVM's own classpath carries kafka_2.13 and its dependencies (test scope). */
    private static List<String> javaCommand(Path log4j, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        command.add("-Djava.awt.headless=true");
        command.add("-Dlog4j2.configurationFile=" + log4j.toUri());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    private static void format(List<String> command, Path output) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("kafka storage format did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("kafka storage format exited with " + p.exitValue() + ": "
                    + Files.readString(output));
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STARTUP_LIMIT_MS);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("broker process exited with " + process.exitValue());
            }
            try {
                if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for the broker", e);
            } catch (ExecutionException | TimeoutException notYet) {
                // not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("broker not ready within " + STARTUP_LIMIT_MS + " ms");
            }
        }
    }

    private String diagnostics() {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("format.out", "broker.out", "broker.log")) {
            Path f = dir.resolve(name);
            try {
                if (Files.exists(f)) {
                    String text = Files.readString(f);
                    sb.append("\n--- ").append(name).append(" ---\n")
                            .append(text.length() > 4000 ? text.substring(text.length() - 4000) : text);
                }
            } catch (IOException ignored) {
                // best effort for the error message
            }
        }
        return sb.toString();
    }


    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }
}
