package io.speechslo.report;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.speechslo.cli.Args;
import io.speechslo.policy.Policies;
import io.speechslo.policy.load.PolicyException;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.replay.ReplayCommand;
import io.speechslo.replay.TelemetryFile;
import io.speechslo.replay.TelemetryFileException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code report (--input PATH ... | --from-kafka --start T --end T) [--incident START/END] [--config DIR]
 * [--job-config FILE] [--set K=V ...] [--try-config DIR ...] [--parallelism N] --out DIR}: replays the
 * telemetry as {@code replay} does (scorecards included), then each {@code --try-config} policy folder over
 * the same telemetry, and writes an incident report: {@code report.md}, a self-contained {@code report.html}
 * and {@code report.json}, all from one document ({@link ReportModel}), plus the fixture scenario it proposes.
 * Everything is written to a temporary folder beside {@code --out} and moved there at the end, so a failed
 * report leaves nothing behind. Exit 0 done, 1 failed while running, 2 bad arguments or input (the message
 * names the flag).
 */
public final class ReportCommand {

    static final String NAME = "report";

    private ReportCommand() {}

    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args;
        Path outDir;
        Long incidentStart = null;
        Long incidentEnd = null;
        Policies policies;
        List<String> tries;
        String input;
        try {
            args = Args.parse(NAME, argv, Set.of("input", "start", "end", "incident", "config", "job-config", "set",
                    "try-config", "out", "parallelism"), Set.of("from-kafka"));
            boolean fromKafka = args.has("from-kafka");
            if (fromKafka == args.has("input")) {
                throw new Args.UsageException(NAME + ": give either --input (a container file or a folder of them)"
                        + " or --from-kafka with --start and --end");
            }
            outDir = Path.of(args.required(NAME, "out")).toAbsolutePath().normalize();
            if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
                throw new Args.UsageException(NAME + ": --out " + outDir + " is a file, not a folder");
            }
            if (outDir.getParent() == null || !Files.isDirectory(outDir.getParent())) {
                throw new Args.UsageException(NAME + ": --out " + outDir + ": folder " + outDir.getParent()
                        + " does not exist");
            }
            if (args.has("incident")) {
                String w = args.one(NAME, "incident").get();
                String[] p = w.split("/", -1);
                if (p.length != 2) {
                    throw new Args.UsageException(NAME + ": --incident '" + w + "' must be START/END (two ISO-8601 instants"
                            + " or epoch milliseconds)");
                }
                incidentStart = time(p[0]);
                incidentEnd = time(p[1]);
                if (incidentEnd <= incidentStart) {
                    throw new Args.UsageException(NAME + ": --incident " + w + ": END must be after START");
                }
            }
            if (fromKafka) {
                long start = time(args.required(NAME, "start"));
                long end = time(args.required(NAME, "end"));
                if (incidentStart != null && (incidentStart <= start || incidentEnd > end)) {
                    throw outside(args.one(NAME, "incident").get(), start, end);
                }
            }
            policies = policies(args, "config", args.one(NAME, "config").orElse(null));
            tries = args.all("try-config");
            for (String t : tries) {
                policies(args, "try-config", t);
            }
            if (!fromKafka) {
                List<TelemetryFile> files;
                try {
                    files = ReplayCommand.files(args.all("input"));
                } catch (Args.UsageException e) {
                    throw new Args.UsageException(e.getMessage().replaceFirst("^replay:", NAME + ":"));
                } catch (TelemetryFileException e) {
                    throw new Args.UsageException(NAME + ": --input " + e.getMessage());
                }
                if (files.stream().mapToLong(TelemetryFile::records).sum() == 0) {
                    throw new Args.UsageException(NAME + ": --input " + String.join(" ", args.all("input"))
                            + ": empty input, no telemetry records to report on");
                }
                input = files.size() + (files.size() == 1 ? " file" : " files");
            } else {
                input = "Kafka " + args.one(NAME, "start").get() + " to " + args.one(NAME, "end").get();
            }
        } catch (Args.UsageException e) {
            err.println(e.getMessage());
            return 2;
        }

        Path tmp;
        try {
            tmp = Files.createTempDirectory(outDir.getParent(), "." + outDir.getFileName() + "-");
        } catch (IOException e) {
            err.println(NAME + ": --out " + outDir + ": cannot create a folder beside it: " + e.getMessage());
            return 1;
        }
        try {
            List<String> replay = replayArgs(args);
            Path advisories = tmp.resolve("advisories.jsonl");
            Path scorecards = tmp.resolve("scorecards.jsonl");
            List<String> main = new ArrayList<>(replay);
            args.one(NAME, "config").ifPresent(c -> main.addAll(List.of("--config", c)));
            main.addAll(List.of("--out", advisories.toString(), "--scorecards", scorecards.toString()));
            int code = ReplayCommand.run(main, out, err);
            if (code != 0) {
                return code;
            }
            ReplayData data = ReplayData.read(advisories, scorecards, IncidentAnalysis.trackedNames(policies));
            if (data.isEmpty()) {
                err.println(NAME + ": " + (args.has("from-kafka") ? "--from-kafka --start --end" : "--input")
                        + ": empty input, the replay produced no scorecards to report on");
                return 2;
            }
            if (incidentStart != null && (incidentStart <= data.first || incidentEnd > data.last)) {
                Args.UsageException e = outside(args.one(NAME, "incident").get(), data.first, data.last);
                err.println(e.getMessage());
                return 2;
            }
            List<ReportModel.Trial> trials = new ArrayList<>();
            for (int i = 0; i < tries.size(); i++) {
                Path file = tmp.resolve("try-" + i + ".jsonl");
                List<String> one = new ArrayList<>(replay);
                one.addAll(List.of("--config", tries.get(i), "--out", file.toString()));
                err.println(NAME + ": replaying with --try-config " + tries.get(i));
                code = ReplayCommand.run(one, out, err);
                if (code != 0) {
                    return code;
                }
                trials.add(new ReportModel.Trial(tries.get(i), ReplayData.advisories(file)));
            }
            ObjectNode report = ReportModel.build(data, policies, incidentStart, incidentEnd, input, trials);
            Path staged = tmp.resolve("report");
            Files.createDirectories(staged);
            Files.writeString(staged.resolve("report.json"), report.toPrettyString() + "\n", StandardCharsets.UTF_8);
            Files.writeString(staged.resolve("report.md"), MarkdownReport.render(report), StandardCharsets.UTF_8);
            Files.writeString(staged.resolve("report.html"), HtmlReport.render(report), StandardCharsets.UTF_8);
            String fixture = report.path("follow_up").path("fixtures").path("scenario").asText(null);
            if (fixture != null) {
                Files.writeString(staged.resolve(FixtureScenario.FILE), fixture, StandardCharsets.UTF_8);
            }
            publish(staged, outDir);
            err.println(String.format(java.util.Locale.ROOT, "%s: onset %s, first detection %s (gap %s), %d slices"
                    + " impacted -> %s", NAME, report.path("detection").path("onset").asText("-"),
                    report.path("detection").path("first_detection").asText("-"),
                    report.path("detection").path("gap").asText("-"), report.path("impact").path("top_slices").size(), outDir));
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println(NAME + ": failed: " + e);
            return 1;
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** The replay flags the report passes on. */
    private static List<String> replayArgs(Args args) {
        List<String> r = new ArrayList<>();
        if (args.has("from-kafka")) {
            r.addAll(List.of("--from-kafka", "--start", args.one(NAME, "start").get(), "--end", args.one(NAME, "end").get()));
        }
        args.all("input").forEach(i -> r.addAll(List.of("--input", i)));
        args.one(NAME, "job-config").ifPresent(j -> r.addAll(List.of("--job-config", j)));
        args.all("set").forEach(s -> r.addAll(List.of("--set", s)));
        args.one(NAME, "parallelism").ifPresent(p -> r.addAll(List.of("--parallelism", p)));
        return r;
    }

    /** The policies of a folder (or the job configuration's), or a usage error naming the flag. */
    private static Policies policies(Args args, String flag, String dir) {
        try {
            if (dir != null) {
                return PolicyLoader.bundle(Path.of(dir)).policies();
            }
            io.speechslo.config.JobConfig job = io.speechslo.config.JobConfig.load(
                    args.one(NAME, "job-config").map(Path::of), args.all("set"));
            return io.speechslo.job.StreamingJob.policies(job).policies();
        } catch (PolicyException e) {
            throw new Args.UsageException(NAME + ": --" + flag + " " + (dir == null ? "" : dir + ": ") + e.getMessage());
        }
    }

    private static long time(String value) {
        try {
            return ReplayCommand.time(value, "incident");
        } catch (Args.UsageException e) {
            throw new Args.UsageException(e.getMessage().replaceFirst("^replay:", NAME + ":"));
        }
    }

    private static Args.UsageException outside(String window, long first, long last) {
        return new Args.UsageException(NAME + ": --incident " + window + " is outside the data (" + Instant.ofEpochMilli(first)
                + " to " + Instant.ofEpochMilli(last) + "): it must start after the data does, so there is a baseline"
                + " before it, and end within it");
    }

    /** Moves the staged files into --out: the whole folder at once when --out does not exist yet. */
    private static void publish(Path staged, Path outDir) throws IOException {
        if (!Files.exists(outDir)) {
            try {
                Files.move(staged, outDir, StandardCopyOption.ATOMIC_MOVE);
                return;
            } catch (AtomicMoveNotSupportedException e) {
                Files.createDirectories(outDir);
            }
        }
        try (var files = Files.list(staged)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.move(f, outDir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
