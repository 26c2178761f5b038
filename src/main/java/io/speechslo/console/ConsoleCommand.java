package io.speechslo.console;

import io.speechslo.cli.Args;
import io.speechslo.config.JobConfig;
import io.speechslo.job.StreamingJob;
import io.speechslo.policy.Durations;
import io.speechslo.policy.Policies;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * {@code console [--port N] [--host H] [--history D] [--refresh D] [--config FILE] [--set KEY=VALUE ...]}:
 * serves the five decision views and the rollout pages from the advisories and scorecards topics named
 * by the job configuration, until stopped. It never writes to Kafka.
 */
public final class ConsoleCommand {

    static final String NAME = "console";

    private ConsoleCommand() {}

    /** A started console: its store, feed and server, closed together. */
    public record Running(ScorecardStore store, ConsoleFeed feed, ConsoleServer server) implements AutoCloseable {
        public String url() {
            return "http://127.0.0.1:" + server.port();
        }

        @Override
        public void close() {
            server.close();
            feed.close();
        }
    }

    public static int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        try (Running console = start(argv)) {
            out.println("Speech SLO Advisor console at " + console.url() + "/executive (reading "
                    + "the advisories and scorecards topics; Ctrl-C stops it)");
            out.flush();
            new CountDownLatch(1).await();
        }
        return 0;
    }

    /** Starts a console in this JVM and returns once it serves (tests and benchmarks call this). */
    public static Running start(List<String> argv) throws Exception {
        Args args = Args.parse(NAME, argv, Set.of("port", "host", "history", "refresh", "config", "set"), Set.of());
        long port = args.longValue(NAME, "port", 8088);
        if (port < 0 || port > 65535) {
            throw new Args.UsageException(NAME + ": --port must be 0-65535, not " + port);
        }
        Duration history = duration(args, "history", Duration.ofDays(1));
        Duration refresh = duration(args, "refresh", Duration.ofSeconds(5));
        JobConfig cfg = JobConfig.load(args.one(NAME, "config").map(Path::of), args.all("set"));
        Policies policies = StreamingJob.policies(cfg).policies();
        Properties p = cfg.kafkaClientProperties();
        p.setProperty("group.id", "speech-slo-advisor-console-" + UUID.randomUUID());
        p.setProperty("enable.auto.commit", "false");
        p.setProperty("isolation.level", "read_committed");
        p.setProperty("max.poll.records", "5000");
        ScorecardStore store = new ScorecardStore(history);
        ConsoleFeed feed = new ConsoleFeed(p, cfg.kafka().bootstrapServers(), cfg.registry().url(),
                cfg.registryClientSettings(), cfg.topics().advisories(), cfg.topics().scorecards(), store,
                Duration.ofSeconds(5));
        ConsoleServer server = new ConsoleServer(args.one(NAME, "host").orElse("0.0.0.0"), (int) port, store, feed,
                policies, history, refresh);
        feed.start();
        server.start();
        return new Running(store, feed, server);
    }

    private static Duration duration(Args args, String flag, Duration dflt) {
        String v = args.one(NAME, flag).orElse(null);
        if (v == null) {
            return dflt;
        }
        try {
            Duration d = Durations.parse(v);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("not positive");
            }
            return d;
        } catch (RuntimeException e) {
            throw new Args.UsageException(NAME + ": --" + flag + " must be a positive duration such as 30s, 6h or 1d, not '" + v + "'");
        }
    }
}
