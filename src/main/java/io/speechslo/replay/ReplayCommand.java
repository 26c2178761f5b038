package io.speechslo.replay;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryJson;
import io.speechslo.cli.Args;
import io.speechslo.deadletter.DeadLetter;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.policy.load.PolicyException;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.scorecard.EncodedScorecard;
import io.speechslo.scorecard.Scorecard;

import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

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
 * {@code replay (--input PATH ... | --from-kafka --start TIME --end TIME) [--config DIR] [--parallelism N]
 * (--out FILE | --to-kafka [--to-live-topics]) [--scorecards FILE] [--job-config FILE] [--set KEY=VALUE ...]}:
 * the live job's topology over historical telemetry, on an embedded MiniCluster, with the job
 * configuration's topology settings ({@code --job-config}, {@code --set}, read as {@code run} reads them).
 * Input: Avro object container files (or folders of them), or the telemetry topics between two times.
 * Output: one JSON advisory a line in a fixed order, or (exactly once) the replay topics, every record
 * marked with the {@link io.speechslo.job.KafkaIO#REPLAY_HEADER} header, or with {@code --to-live-topics}
 * the live advisories and scorecards topics; {@code --scorecards FILE} writes the scorecards as JSON lines
 * in a fixed order. Progress and a summary go to stderr. Exit 0 done, 1 failed while running, 2 bad
 * arguments or unusable input.
 */
public final class ReplayCommand {

    static final String NAME = "replay";
    static final int DEFAULT_PARALLELISM = 2;
    static final long PROGRESS_EVERY_MILLIS = 2_000;

    private ReplayCommand() {}

    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        if (argv.contains("--compare-config")) {
            return compare(argv, out, err);
        }
        Path outFile;
        Path scorecardsFile;
        int parallelism;
        PolicyBundle bundle;
        List<TelemetryFile> files = List.of();
        boolean fromKafka;
        boolean toKafka;
        io.speechslo.config.JobConfig job = null;
        long start = 0;
        long end = 0;
        try {
            Args args = Args.parse(NAME, argv,
                    Set.of("input", "config", "out", "scorecards", "parallelism", "start", "end", "job-config", "set"),
                    Set.of("from-kafka", "to-kafka", "to-live-topics"));
            fromKafka = args.has("from-kafka");
            toKafka = args.has("to-kafka");
            if (fromKafka == args.has("input")) {
                throw new Args.UsageException(NAME + ": give either --input (a container file or a folder of them)"
                        + " or --from-kafka with --start and --end");
            }
            if (toKafka == args.has("out")) {
                throw new Args.UsageException(NAME + ": give either --out FILE or --to-kafka");
            }
            if (!fromKafka && (args.has("start") || args.has("end"))) {
                throw new Args.UsageException(NAME + ": --start and --end go with --from-kafka");
            }
            if (args.has("to-live-topics") && !toKafka) {
                throw new Args.UsageException(NAME + ": --to-live-topics goes with --to-kafka");
            }
            // The job configuration, as `run` reads it: Kafka and registry for --from-kafka / --to-kafka, and
            // the topology settings (gate interval, out-of-orderness, lateness, cardinality, policies) always.
            io.speechslo.config.JobConfig c = io.speechslo.config.JobConfig.load(
                    args.one(NAME, "job-config").map(Path::of), args.all("set"));
            // its own transactional ids, so a replay never fences the live job's transactions; its own topics
            // unless told otherwise, so a replayed advisory never passes for a live one
            job = new io.speechslo.config.JobConfig(c.kafka(),
                    args.has("to-live-topics") ? c.topics() : c.topics().replayOutputs(), c.registry(), c.eventTime(),
                    c.gate(), c.cardinality(), c.checkpoint(), new io.speechslo.config.JobConfig.SinkSettings(
                            c.sink().transactionalIdPrefix() + "-replay", c.sink().transactionTimeout()),
                    c.policiesDir());
            if (fromKafka) {
                start = time(args.required(NAME, "start"), "start");
                end = time(args.required(NAME, "end"), "end");
                if (end <= start) {
                    throw new Args.UsageException(NAME + ": --end must be after --start");
                }
            }
            outFile = toKafka ? null : outFile("out", args.required(NAME, "out"));
            scorecardsFile = args.one(NAME, "scorecards").map(f -> outFile("scorecards", f)).orElse(null);
            if (scorecardsFile != null && toKafka) {
                throw new Args.UsageException(NAME + ": --scorecards goes with --out; with --to-kafka the scorecards"
                        + " go to the scorecards topic");
            }
            if (scorecardsFile != null && scorecardsFile.equals(outFile)) {
                throw new Args.UsageException(NAME + ": --scorecards and --out name the same file");
            }
            long p = args.longValue(NAME, "parallelism", DEFAULT_PARALLELISM);
            if (p < 1 || p > 256) {
                throw new Args.UsageException(NAME + ": --parallelism must be between 1 and 256, not " + p);
            }
            parallelism = (int) p;
            bundle = args.one(NAME, "config").map(d -> PolicyLoader.bundle(Path.of(d)))
                    .orElseGet(() -> io.speechslo.job.StreamingJob.policies(c));
            if (!fromKafka) {
                files = files(args.all("input"));
            }
        } catch (Args.UsageException | PolicyException e) {
            err.println(e.getMessage());
            return 2;
        } catch (TelemetryFileException e) {
            err.println(NAME + ": --input " + e.getMessage());
            return 2;
        }

        long total = files.stream().mapToLong(TelemetryFile::records).sum();
        long partitions = 0;
        String from = files.size() + " files";
        if (fromKafka) {
            long[] input;
            try {
                input = kafkaInput(job, start, end);
            } catch (RuntimeException e) {
                err.println(NAME + ": cannot read the telemetry topics' offsets: " + rootCause(e));
                return 1;
            }
            total = input[0];
            partitions = input[1];
            from = input[1] + " partitions";
            err.println(String.format(Locale.ROOT, "%s: %,d records in %d partitions of %s, %s between %s and %s", NAME,
                    input[0], input[1], job.topics().asr(), job.topics().tts(), java.time.Instant.ofEpochMilli(start),
                    java.time.Instant.ofEpochMilli(end)));
        }
        String mark = "replay at " + java.time.Instant.now() + " of " + (fromKafka ? job.topics().asr() + ", "
                + job.topics().tts() + " from " + java.time.Instant.ofEpochMilli(start) + " to "
                + java.time.Instant.ofEpochMilli(end) : from);
        List<Advisory> advisories = new ArrayList<>();
        List<Scorecard> scorecards = new ArrayList<>();
        AtomicLong deadLetters = new AtomicLong();
        long started = System.nanoTime();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "replay-progress");
            t.setDaemon(true);
            return t;
        });
        try (ReplayProgress progress = new ReplayProgress();
                InProcessSink<Advisory> advisorySink = new InProcessSink<>(advisories::add);
                InProcessSink<EncodedScorecard> scorecardSink = new InProcessSink<>(
                        scorecardsFile == null ? sc -> {} : sc -> scorecards.add(sc.decode()));
                InProcessSink<DeadLetter> deadLetterSink = new InProcessSink<>(d -> deadLetters.incrementAndGet())) {
            ticker.scheduleAtFixedRate(new ProgressLine(progress, total, fromKafka ? partitions : -1, err),
                    PROGRESS_EVERY_MILLIS, PROGRESS_EVERY_MILLIS, TimeUnit.MILLISECONDS);
            try {
                org.apache.flink.api.connector.source.Source<io.speechslo.job.Ingested, ?, ?> source = fromKafka
                        ? io.speechslo.job.KafkaIO.source(job, OffsetsInitializer.timestamp(start),
                                java.util.Optional.of(OffsetsInitializer.timestamp(end)),
                                d -> new CountingDeserializer(d, progress.key()))
                        : new AvroFilesSource(files, progress);
                org.apache.flink.api.connector.sink2.Sink<Advisory> sink = toKafka
                        ? io.speechslo.job.KafkaIO.advisorySink(job, mark) : advisorySink;
                org.apache.flink.api.connector.sink2.Sink<EncodedScorecard> scorecardOut = toKafka
                        ? io.speechslo.job.KafkaIO.scorecardSink(job, mark) : scorecardSink;
                // from Kafka the optional inputs have topics and a source of their own; files carry them all
                org.apache.flink.api.connector.source.Source<io.speechslo.job.Ingested, ?, ?> inputs = fromKafka
                        ? io.speechslo.job.KafkaIO.boundedInputsSource(job, OffsetsInitializer.timestamp(start),
                                OffsetsInitializer.timestamp(end)).orElse(null)
                        : null;
                Replay.run(source, inputs, sink, scorecardOut, deadLetterSink, bundle, Replay.Settings.of(parallelism, job));
            } catch (Exception e) {
                err.println(NAME + ": failed: " + rootCause(e));
                return 1;
            } finally {
                ticker.shutdownNow();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            if (toKafka) {
                err.println(String.format(Locale.ROOT, "%s: %,d records from %s in %.1f s, %,d dead letters; advisories"
                        + " written to %s, scorecards to %s, each with the header %s: %s", NAME, progress.read(),
                        fromKafka ? progress.partitions() + " partitions" : from, seconds, deadLetters.get(), job.topics().advisories(),
                        job.topics().scorecards(), io.speechslo.job.KafkaIO.REPLAY_HEADER, mark));
                return 0;
            }
            advisories.sort(Replay.OUTPUT_ORDER);
            try {
                write(advisories, outFile);
            } catch (IOException | UncheckedIOException e) {
                err.println(NAME + ": cannot write --out " + outFile + ": " + e.getMessage());
                return 1;
            }
            if (scorecardsFile != null) {
                scorecards.sort(Replay.SCORECARD_ORDER);
                try {
                    write(scorecards, scorecardsFile);
                } catch (IOException | UncheckedIOException e) {
                    err.println(NAME + ": cannot write --scorecards " + scorecardsFile + ": " + e.getMessage());
                    return 1;
                }
                err.println(String.format(Locale.ROOT, "%s: %,d scorecards -> %s", NAME, scorecards.size(),
                        scorecardsFile));
            }
            err.println(summary(progress.read(), fromKafka ? progress.partitions() + " partitions" : from, deadLetters.get(),
                    advisories, seconds, outFile));
        }
        return 0;
    }

    /** --start / --end: an ISO-8601 instant (2026-01-01T00:00:00Z) or epoch milliseconds. */
    public static long time(String value, String flag) {
        try {
            return value.chars().allMatch(Character::isDigit) ? Long.parseLong(value)
                    : java.time.Instant.parse(value).toEpochMilli();
        } catch (RuntimeException e) {
            throw new Args.UsageException(NAME + ": --" + flag + " '" + value
                    + "' is neither an ISO-8601 instant (2026-01-01T00:00:00Z) nor epoch milliseconds");
        }
    }

    /**
     * {@code --compare-config A B}: the same replay under two policy folders, and what B changes (a table on
     * stdout; {@code --out FILE} writes it as JSON).
     */
    private static int compare(List<String> argv, PrintStream out, PrintStream err) {
        int at = argv.indexOf("--compare-config");
        if (at + 2 >= argv.size() || argv.get(at + 1).startsWith("--") || argv.get(at + 2).startsWith("--")) {
            err.println(NAME + ": --compare-config takes two policy folders: --compare-config A B");
            return 2;
        }
        String a = argv.get(at + 1);
        String b = argv.get(at + 2);
        List<String> rest = new ArrayList<>(argv.subList(0, at));
        rest.addAll(argv.subList(at + 3, argv.size()));
        Path json = null;
        try {
            for (String flag : List.of("--to-kafka", "--to-live-topics", "--config", "--scorecards", "--compare-config")) {
                if (rest.contains(flag)) {
                    throw new Args.UsageException(NAME + ": " + flag + " does not go with --compare-config");
                }
            }
            int o = rest.indexOf("--out");
            if (o >= 0) {
                if (o + 1 >= rest.size()) {
                    throw new Args.UsageException(NAME + ": --out needs a value");
                }
                json = outFile("out", rest.get(o + 1));
                rest.remove(o + 1);
                rest.remove(o);
            }
            for (String folder : List.of(a, b)) {
                try {
                    PolicyLoader.bundle(Path.of(folder));
                } catch (PolicyException e) {
                    throw new Args.UsageException(NAME + ": --compare-config " + folder + ": " + e.getMessage());
                }
            }
        } catch (Args.UsageException e) {
            err.println(e.getMessage());
            return 2;
        }
        List<List<com.fasterxml.jackson.databind.JsonNode>> sides = new ArrayList<>();
        try {
            for (String folder : List.of(a, b)) {
                Path file = Files.createTempFile("replay-compare-", ".jsonl");
                try {
                    List<String> one = new ArrayList<>(rest);
                    one.addAll(List.of("--config", folder, "--out", file.toString()));
                    err.println(NAME + ": replaying with the policies in " + folder);
                    int code = run(one, out, err);
                    if (code != 0) {
                        return code;
                    }
                    List<com.fasterxml.jackson.databind.JsonNode> advisories = new ArrayList<>();
                    com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
                    for (String line : Files.readAllLines(file)) {
                        advisories.add(m.readTree(line));
                    }
                    sides.add(advisories);
                } finally {
                    Files.deleteIfExists(file);
                }
            }
            PolicyComparison c = PolicyComparison.of(sides.get(0), sides.get(1));
            out.print(c.table(a, b));
            if (json != null) {
                Files.writeString(json, c.json(a, b).toPrettyString() + "\n", StandardCharsets.UTF_8);
            }
            return 0;
        } catch (IOException e) {
            err.println(NAME + ": --compare-config: " + e.getMessage());
            return 1;
        }
    }

    /** An output file (--out, --scorecards); its folder must exist and it must not be a folder. */
    private static Path outFile(String flag, String value) {
        Path out = Path.of(value).toAbsolutePath().normalize();
        if (Files.isDirectory(out)) {
            throw new Args.UsageException(NAME + ": --" + flag + " " + value + " is a folder, not a file");
        }
        Path dir = out.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new Args.UsageException(NAME + ": --" + flag + " " + value + ": folder " + dir + " does not exist");
        }
        return out;
    }

    /**
     * The input files, checked: each --input is a container file, or a folder searched recursively for
     * *.avro files in path order. A file reached twice is read once.
     */
    public static List<TelemetryFile> files(List<String> inputs) {
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

    /** One record a line, as plain JSON ({@link AdvisoryJson}). */
    private static void write(List<? extends org.apache.avro.specific.SpecificRecord> records, Path file)
            throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (org.apache.avro.specific.SpecificRecord r : records) {
                w.write(AdvisoryJson.toJson(r));
                w.write('\n');
            }
        }
    }

    static String summary(long events, String from, long deadLetters, List<Advisory> advisories, double seconds, Path out) {
        Map<String, Map<String, Integer>> byKind = new TreeMap<>();
        for (Advisory a : advisories) {
            byKind.computeIfAbsent(a.getKind().name(), k -> new TreeMap<>()).merge(a.getDecision().name(), 1, Integer::sum);
        }
        String kinds = byKind.entrySet().stream()
                .map(k -> k.getKey() + " " + k.getValue().entrySet().stream()
                        .map(d -> d.getKey() + "=" + d.getValue()).collect(Collectors.joining(" ")))
                .collect(Collectors.joining("; "));
        return String.format(Locale.ROOT, "%s: %,d events from %s in %.1f s (%,.0f events/s), %,d dead letters,"
                + " %,d advisories%s -> %s", NAME, events, from, seconds, events / Math.max(seconds, 1e-3), deadLetters,
                advisories.size(), kinds.isEmpty() ? "" : " (" + kinds + ")", out);
    }

    /**
     * The records of the telemetry topics between two instants, by their Kafka timestamps (what the
     * replay reads), and the partitions that hold them: {records, partitions}.
     */
    static long[] kafkaInput(io.speechslo.config.JobConfig job, long start, long end) {
        java.util.Properties p = job.kafkaClientProperties();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                p, new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(job.topics().asr(), job.topics().tts())) {
                for (org.apache.kafka.common.PartitionInfo info : c.partitionsFor(topic, java.time.Duration.ofSeconds(30))) {
                    parts.add(new org.apache.kafka.common.TopicPartition(topic, info.partition()));
                }
            }
            Map<org.apache.kafka.common.TopicPartition, Long> ends = c.endOffsets(parts, java.time.Duration.ofSeconds(30));
            Map<org.apache.kafka.common.TopicPartition, Long> at = new LinkedHashMap<>();
            parts.forEach(tp -> at.put(tp, start));
            var from = c.offsetsForTimes(at, java.time.Duration.ofSeconds(30));
            parts.forEach(tp -> at.put(tp, end));
            var to = c.offsetsForTimes(at, java.time.Duration.ofSeconds(30));
            long records = 0;
            long partitions = 0;
            for (org.apache.kafka.common.TopicPartition tp : parts) {
                long a = from.get(tp) == null ? ends.get(tp) : from.get(tp).offset();
                long b = to.get(tp) == null ? ends.get(tp) : to.get(tp).offset();
                records += Math.max(0, b - a);
                partitions += b > a ? 1 : 0;
            }
            return new long[] {records, partitions};
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e) : e.getMessage() + ": caused by " + t;
    }

    /**
     * Prints events read, the share of all records done and the rate since the last line; from Kafka also the
     * partitions read from so far.
     */
    static final class ProgressLine implements Runnable {
        private final ReplayProgress progress;
        private final long total;
        private final long partitions;
        private final PrintStream err;
        private long lastRead;
        private long lastNanos = System.nanoTime();

        /** @param partitions the partitions holding the records, or -1 for files */
        ProgressLine(ReplayProgress progress, long total, long partitions, PrintStream err) {
            this.progress = progress;
            this.total = total;
            this.partitions = partitions;
            this.err = err;
        }

        @Override
        public void run() {
            long read = progress.read();
            long now = System.nanoTime();
            double rate = (read - lastRead) / Math.max((now - lastNanos) / 1e9, 1e-3);
            lastRead = read;
            lastNanos = now;
            err.println(String.format(Locale.ROOT, "%s: %,d of %,d events (%.1f%%)%s, %,.0f events/s", NAME, read, total,
                    total == 0 ? 100.0 : 100.0 * read / total, partitions < 0 ? ""
                            : String.format(Locale.ROOT, " from %d of %d partitions", progress.partitions(), partitions), rate));
        }
    }
}
