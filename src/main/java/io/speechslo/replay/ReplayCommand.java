package io.speechslo.replay;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryJson;
import io.speechslo.cli.Args;
import io.speechslo.deadletter.DeadLetter;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.policy.load.PolicyException;
import io.speechslo.policy.load.PolicyLoader;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code replay --input PATH [--input PATH ...] [--config DIR] [--parallelism N] --out FILE}: the live
 * job's topology over historical telemetry files (Avro object container files, or folders of them), on
 * an embedded MiniCluster, advisories written one JSON object a line in a fixed order. Progress and a
 * summary go to stderr. Exit 0 done, 1 failed while running, 2 bad arguments or unusable input.
 */
public final class ReplayCommand {

    static final String NAME = "replay";
    static final int DEFAULT_PARALLELISM = 2;
    static final long PROGRESS_EVERY_MILLIS = 2_000;

    private ReplayCommand() {}

    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        Path outFile;
        int parallelism;
        PolicyBundle bundle;
        List<TelemetryFile> files;
        try {
            Args args = Args.parse(NAME, argv, Set.of("input", "config", "out", "parallelism"), Set.of());
            if (!args.has("input")) {
                throw new Args.UsageException(NAME + ": --input is required (a container file or a folder of them)");
            }
            outFile = outFile(args.required(NAME, "out"));
            long p = args.longValue(NAME, "parallelism", DEFAULT_PARALLELISM);
            if (p < 1 || p > 256) {
                throw new Args.UsageException(NAME + ": --parallelism must be between 1 and 256, not " + p);
            }
            parallelism = (int) p;
            bundle = args.one(NAME, "config").map(d -> PolicyLoader.bundle(Path.of(d))).orElseGet(PolicyLoader::bundleDefaults);
            files = files(args.all("input"));
        } catch (Args.UsageException | PolicyException e) {
            err.println(e.getMessage());
            return 2;
        } catch (TelemetryFileException e) {
            err.println(NAME + ": --input " + e.getMessage());
            return 2;
        }

        long total = files.stream().mapToLong(TelemetryFile::records).sum();
        List<Advisory> advisories = new ArrayList<>();
        AtomicLong deadLetters = new AtomicLong();
        long started = System.nanoTime();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "replay-progress");
            t.setDaemon(true);
            return t;
        });
        try (ReplayProgress progress = new ReplayProgress();
                InProcessSink<Advisory> advisorySink = new InProcessSink<>(advisories::add);
                InProcessSink<DeadLetter> deadLetterSink = new InProcessSink<>(d -> deadLetters.incrementAndGet())) {
            ticker.scheduleAtFixedRate(new ProgressLine(progress, total, err), PROGRESS_EVERY_MILLIS,
                    PROGRESS_EVERY_MILLIS, TimeUnit.MILLISECONDS);
            try {
                Replay.run(new AvroFilesSource(files, progress), advisorySink, deadLetterSink, bundle,
                        Replay.Settings.of(parallelism));
            } catch (Exception e) {
                err.println(NAME + ": failed: " + rootCause(e));
                return 1;
            } finally {
                ticker.shutdownNow();
            }
            advisories.sort(Replay.OUTPUT_ORDER);
            try {
                write(advisories, outFile);
            } catch (IOException | UncheckedIOException e) {
                err.println(NAME + ": cannot write --out " + outFile + ": " + e.getMessage());
                return 1;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            err.println(summary(progress.read(), files.size(), deadLetters.get(), advisories, seconds, outFile));
        }
        return 0;
    }

    /** The --out file; its folder must exist and it must not be a folder. */
    private static Path outFile(String value) {
        Path out = Path.of(value).toAbsolutePath().normalize();
        if (Files.isDirectory(out)) {
            throw new Args.UsageException(NAME + ": --out " + value + " is a folder, not a file");
        }
        Path dir = out.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new Args.UsageException(NAME + ": --out " + value + ": folder " + dir + " does not exist");
        }
        return out;
    }

    /**
     * The input files, checked: each --input is a container file, or a folder searched recursively for
     * *.avro files in path order. A file reached twice is read once.
     */
    static List<TelemetryFile> files(List<String> inputs) {
        Map<Path, TelemetryFile> files = new LinkedHashMap<>();
        for (String input : inputs) {
            Path p = Path.of(input);
            List<Path> found;
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    found = walk.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".avro"))
                            .sorted().collect(Collectors.toList());
                } catch (IOException | UncheckedIOException e) {
                    throw new Args.UsageException(NAME + ": --input " + input + ": cannot list the folder: " + e.getMessage());
                }
                if (found.isEmpty()) {
                    throw new Args.UsageException(NAME + ": --input " + input + ": the folder holds no .avro files");
                }
            } else if (Files.isRegularFile(p)) {
                found = List.of(p);
            } else {
                throw new Args.UsageException(NAME + ": --input " + input + ": no such file or folder");
            }
            for (Path f : found) {
                Path key = f.toAbsolutePath().normalize();
                if (!files.containsKey(key)) {
                    files.put(key, TelemetryFile.inspect(f));
                }
            }
        }
        return new ArrayList<>(files.values());
    }

    private static void write(List<Advisory> advisories, Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Advisory a : advisories) {
                w.write(AdvisoryJson.toJson(a));
                w.write('\n');
            }
        }
    }

    static String summary(long events, int files, long deadLetters, List<Advisory> advisories, double seconds, Path out) {
        Map<String, Map<String, Integer>> byKind = new TreeMap<>();
        for (Advisory a : advisories) {
            byKind.computeIfAbsent(a.getKind().name(), k -> new TreeMap<>()).merge(a.getDecision().name(), 1, Integer::sum);
        }
        String kinds = byKind.entrySet().stream()
                .map(k -> k.getKey() + " " + k.getValue().entrySet().stream()
                        .map(d -> d.getKey() + "=" + d.getValue()).collect(Collectors.joining(" ")))
                .collect(Collectors.joining("; "));
        return String.format(Locale.ROOT, "%s: %,d events from %d files in %.1f s (%,.0f events/s), %,d dead letters,"
                + " %,d advisories%s -> %s", NAME, events, files, seconds, events / Math.max(seconds, 1e-3), deadLetters,
                advisories.size(), kinds.isEmpty() ? "" : " (" + kinds + ")", out);
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e) : e.getMessage() + ": caused by " + t;
    }

    /** Prints events read, the rate since the last line and the share of all records done. */
    private static final class ProgressLine implements Runnable {
        private final ReplayProgress progress;
        private final long total;
        private final PrintStream err;
        private long lastRead;
        private long lastNanos = System.nanoTime();

        ProgressLine(ReplayProgress progress, long total, PrintStream err) {
            this.progress = progress;
            this.total = total;
            this.err = err;
        }

        @Override
        public void run() {
            long read = progress.read();
            long now = System.nanoTime();
            double rate = (read - lastRead) / Math.max((now - lastNanos) / 1e9, 1e-3);
            lastRead = read;
            lastNanos = now;
            err.println(String.format(Locale.ROOT, "%s: %,d of %,d events (%.1f%%), %,.0f events/s", NAME, read, total,
                    total == 0 ? 100.0 : 100.0 * read / total, rate));
        }
    }
}
