package io.speechslo.generate;

import io.speechslo.cli.Args;
import io.speechslo.policy.Durations;
import io.speechslo.policy.load.PolicyException;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.specific.SpecificRecord;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code generate}: writes a scenario's telemetry to Avro files or to Kafka and prints a summary.
 * Exit codes: 0 done, 1 failed while writing, 2 bad flags or scenario (the message names the flag, or
 * the file and line).
 */
public final class GenerateCommand {

    static final String NAME = "generate";

    public static final String USAGE = String.join("\n",
            "usage: java -jar speech-slo-advisor.jar generate --scenario FILE (--out DIR | --to-kafka) [flags]",
            "",
            "Writes the request telemetry of a scenario (see job/scenarios/; the format is described at the top",
            "of job/scenarios/healthy-canary.yaml) in event-time order, with the serving samples and privacy",
            "events of services that have a serving: or privacy: section. The same file and seed always give",
            "byte-identical output.",
            "",
            "  --scenario FILE           the scenario file",
            "  --seed N                  random seed (default 1)",
            "  --start now|INSTANT       start at the current minute instead of spec.start (the one option that",
            "                            makes the output depend on the clock), or at an ISO-8601 instant",
            "  --out DIR                 Avro container files (deflate) in DIR, which must hold no .avro file:",
            "                            asr-requests.avro, tts-requests.avro, serving-samples.avro and",
            "                            privacy-events.avro (only those with records)",
            "  --records-per-file N      with --out: roll every N records per file series (asr-requests-00000.avro, ...)",
            "  --to-kafka                produce in the Confluent wire format, key = service, timestamp = event time",
            "  --bootstrap-servers LIST  with --to-kafka (default 127.0.0.1:9092)",
            "  --registry-url URL        with --to-kafka: the schema registry (default http://127.0.0.1:8081);",
            "                            schemas are registered under <topic>-value",
            "  --asr-topic TOPIC         with --to-kafka (default speech.asr.requests)",
            "  --tts-topic TOPIC         with --to-kafka (default speech.tts.requests)",
            "  --serving-topic TOPIC     with --to-kafka: serving samples (default " + KafkaTelemetrySink.DEFAULT_SERVING_TOPIC + ")",
            "  --privacy-topic TOPIC     with --to-kafka: privacy events (default " + KafkaTelemetrySink.DEFAULT_PRIVACY_TOPIC + ")",
            "  --compression TYPE        with --to-kafka: none, lz4, zstd, gzip or snappy (default none)",
            "  --rate N                  at most N records per second, for live demos (event times are unchanged)");

    private static final Set<String> VALUED = Set.of("scenario", "seed", "start", "out", "records-per-file",
            "bootstrap-servers", "registry-url", "asr-topic", "tts-topic", "serving-topic", "privacy-topic",
            "compression", "rate");
    private static final Set<String> SWITCHES = Set.of("to-kafka", "help");
    private static final List<String> KAFKA_ONLY = List.of("bootstrap-servers", "registry-url", "asr-topic",
            "tts-topic", "serving-topic", "privacy-topic", "compression");
    private static final Set<String> COMPRESSION = Set.of("none", "lz4", "zstd", "gzip", "snappy");

    private GenerateCommand() {}

    /** Runs {@code generate} with the flags after the command name; returns the exit code. */
    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        Scenario scenario;
        long seed;
        long rate;
        Args args;
        try {
            args = Args.parse(NAME, argv, VALUED, SWITCHES);
            if (args.has("help")) {
                out.println(USAGE);
                return 0;
            }
            boolean toKafka = args.has("to-kafka");
            if (toKafka == args.has("out")) {
                throw new Args.UsageException(NAME + ": give exactly one of --out DIR and --to-kafka");
            }
            for (String flag : KAFKA_ONLY) {
                if (!toKafka && args.has(flag)) {
                    throw new Args.UsageException(NAME + ": --" + flag + " only applies with --to-kafka");
                }
            }
            if (toKafka && args.has("records-per-file")) {
                throw new Args.UsageException(NAME + ": --records-per-file only applies with --out");
            }
            String compression = args.one(NAME, "compression").orElse("none");
            if (!COMPRESSION.contains(compression)) {
                throw new Args.UsageException(NAME + ": --compression must be one of none, lz4, zstd, gzip, snappy, not '"
                        + compression + "'");
            }
            seed = args.longValue(NAME, "seed", 1);
            rate = args.longValue(NAME, "rate", 0);
            if (args.has("rate") && rate <= 0) {
                throw new Args.UsageException(NAME + ": --rate must be a positive number of records per second");
            }
            if (args.longValue(NAME, "records-per-file", 1) <= 0) {
                throw new Args.UsageException(NAME + ": --records-per-file must be positive");
            }
            scenario = ScenarioLoader.load(Path.of(args.required(NAME, "scenario")));
            String start = args.one(NAME, "start").orElse(null);
            if (start != null) {
                scenario = scenario.startingAt(start(start));
            }
        } catch (Args.UsageException | PolicyException e) {
            err.println(e.getMessage());
            return 2;
        }

        Summary summary = new Summary();
        TelemetrySink sink;
        try {
            sink = open(args, seed);
        } catch (Args.UsageException e) {
            err.println(e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println(NAME + ": cannot open the output: " + e.getMessage());
            return 1;
        }
        try (TelemetrySink s = sink) {
            Pacer pacer = new Pacer(rate);
            for (Iterator<SpecificRecord> it = new TelemetryGenerator(scenario, seed).everything(); it.hasNext();) {
                SpecificRecord r = it.next();
                s.write(r);
                summary.add(r);
                pacer.tick();
            }
        } catch (IOException | RuntimeException e) {
            err.println(NAME + ": failed after " + summary.total + " records: " + e.getMessage());
            return 1;
        }
        summary.print(out, scenario, seed, sink);
        return 0;
    }

    private static TelemetrySink open(Args args, long seed) throws IOException {
        if (args.has("out")) {
            String dir = args.one(NAME, "out").get();
            try {
                return new AvroFileSink(Path.of(dir), args.longValue(NAME, "records-per-file", 0), seed);
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException(NAME + ": --out " + dir + ": " + e.getMessage());
            }
        }
        String registry = args.one(NAME, "registry-url").orElse("http://127.0.0.1:8081");
        String servers = args.one(NAME, "bootstrap-servers").orElse("127.0.0.1:9092");
        try {
            return new KafkaTelemetrySink(servers, registry,
                    args.one(NAME, "asr-topic").orElse("speech.asr.requests"),
                    args.one(NAME, "tts-topic").orElse("speech.tts.requests"),
                    args.one(NAME, "serving-topic").orElse(KafkaTelemetrySink.DEFAULT_SERVING_TOPIC),
                    args.one(NAME, "privacy-topic").orElse(KafkaTelemetrySink.DEFAULT_PRIVACY_TOPIC),
                    args.one(NAME, "compression").orElse("none"));
        } catch (org.apache.kafka.common.config.ConfigException e) {
            throw new Args.UsageException(NAME + ": --bootstrap-servers " + servers + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(NAME + ": --registry-url " + registry + ": " + e.getMessage());
        }
    }

    private static Instant start(String text) {
        if (text.equals("now")) {
            // the one place the generator reads the clock, and only when asked to
            return Instant.now().truncatedTo(ChronoUnit.MINUTES);
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new Args.UsageException(NAME + ": --start must be 'now' or an ISO-8601 instant such as "
                    + "2026-01-05T08:00:00Z, not '" + text + "'");
        }
    }

    /** Holds the output to at most a given number of records per second (wall time, for demos only). */
    private static final class Pacer {
        private final long perSecond;
        private final long begin = System.nanoTime();
        private long sent;

        Pacer(long perSecond) {
            this.perSecond = perSecond;
        }

        void tick() {
            if (perSecond <= 0) {
                return;
            }
            sent++;
            long due = begin + sent * 1_000_000_000L / perSecond;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    /**
     * Requests per service, signal, track and version, serving samples and privacy events per service,
     * and the event-time span.
     */
    static final class Summary {
        /** (service, signal, track, version) to records; sorted, so the summary prints the same every time. */
        final Map<List<String>, long[]> counts = new TreeMap<>(Comparator.<List<String>, String>comparing(k -> k.get(0))
                .thenComparing(k -> k.get(1)).thenComparing(k -> k.get(2)).thenComparing(k -> k.get(3)));
        long total;
        long asr;
        long tts;
        long serving;
        long privacy;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;

        void add(SpecificRecord r) {
            counts.computeIfAbsent(key(r), k -> new long[1])[0]++;
            if (r instanceof AsrRequest) {
                asr++;
            } else if (r instanceof TtsRequest) {
                tts++;
            } else if (r instanceof ServingSample) {
                serving++;
            } else {
                privacy++;
            }
            total++;
            long t = io.speechslo.kafka.TelemetryRecords.eventTime(r);
            first = Math.min(first, t);
            last = Math.max(last, t);
        }

        private static List<String> key(SpecificRecord r) {
            if (r instanceof AsrRequest a) {
                return List.of(a.getService(), "ASR", a.getTrack().name(), a.getModelVersion());
            }
            if (r instanceof TtsRequest t) {
                return List.of(t.getService(), "TTS", t.getTrack().name(), t.getModelVersion());
            }
            if (r instanceof ServingSample s) {
                return List.of(s.getService(), "SERVING", "-", "-");
            }
            return List.of(((PrivacyEvent) r).getService(), "PRIVACY", "-", "-");
        }

        void print(PrintStream out, Scenario scenario, long seed, TelemetrySink sink) {
            out.println("scenario " + scenario.name() + " (seed " + seed + "): " + scenario.start() + " for "
                    + Durations.format(scenario.duration()));
            out.println("records: " + total + " (ASR " + asr + ", TTS " + tts
                    + (serving + privacy > 0 ? ", serving samples " + serving + ", privacy events " + privacy : "") + ")");
            counts.forEach((k, n) -> out.printf("  %-24s %-4s %-7s %-20s %10d%n", k.get(0), k.get(1), k.get(2), k.get(3), n[0]));
            if (total > 0) {
                out.println("event time: " + Instant.ofEpochMilli(first) + " .. " + Instant.ofEpochMilli(last));
            }
            if (sink instanceof AvroFileSink files) {
                files.files().forEach(f -> out.println("wrote " + f));
            }
        }
    }
}
