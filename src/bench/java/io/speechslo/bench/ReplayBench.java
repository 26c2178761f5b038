package io.speechslo.bench;

import io.speechslo.cli.Args;
import io.speechslo.generate.AvroFileSink;
import io.speechslo.replay.ReplayCommand;

import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Replay against the machine's own limit: the same N bench-fleet records as Avro object container
 * files (deflate level 1, as the generate command writes them, rolled into about 8 files so the
 * parallel source has splits), then (a) a plain DataFileReader decoding every file in one thread, with
 * a reused record, after one warm-up pass (best of {@value #ROUNDS} passes), then (b) the replay
 * command itself ({@code ReplayCommand.run: --input DIR --out FILE --parallelism P}: embedded
 * MiniCluster, the whole topology, sorted JSON advisories written), timed from the call to its return,
 * after one unmeasured replay of a separate set of {@code --warmup N} records (default as many as a pass, as {@code live};
 * 0 for a cold JVM), best of {@value #ROUNDS} replays, so both sides run warm and are measured alike.
 * Every replay must write byte-identical advisories. Reports records/s of both (and of every replay),
 * the ratio of the bests and where the best replay's CPU went.
 */
final class ReplayBench {

    static final String NAME = "replay";
    static final int FILES = 8;
    /** Measured passes of each side; the best of each is compared. */
    static final int ROUNDS = 3;

    private ReplayBench() {}

    static void run(List<String> argv, String label) throws Exception {
        Args args = Args.parse(NAME, argv, Set.of("records", "warmup", "parallelism", "label"), Set.of("profile"));
        long n = args.longValue(NAME, "records", LiveBench.DEFAULT_RECORDS);
        long warmup = args.longValue(NAME, "warmup", n);
        int parallelism = (int) args.longValue(NAME, "parallelism", 2);
        Results results = new Results(NAME, argv, label);
        Path dir = Results.DIR.resolve("replay-files").toAbsolutePath();
        long t = System.nanoTime();
        List<Path> files = write(dir, n);
        long bytes = 0;
        for (Path f : files) {
            bytes += Files.size(f);
        }
        results.parameter("records", n).parameter("warmup_records", warmup).parameter("files", files.size())
                .parameter("bytes", bytes).parameter("parallelism", parallelism)
                .parameter("scenario", Workload.SCENARIO);
        System.out.printf("replay: wrote %,d records in %d files (%,d bytes) in %.1f s%n", n, files.size(), bytes,
                LiveBench.seconds(t));

        System.out.println("replay: (a) plain DataFileReader, one thread");
        double cold = plainDecode(files, n);
        double best = 0;
        for (int round = 0; round < ROUNDS; round++) {
            best = Math.max(best, plainDecode(files, n));
        }
        results.figure("plain_records_per_s_first_pass", cold).figure("plain_records_per_s", best);

        System.out.println("replay: (b) replay command, parallelism " + parallelism);
        Path out = Results.DIR.resolve("replay-advisories.jsonl").toAbsolutePath();
        if (warmup > 0) {
            // as the plain reader's passes above and a JMH warm-up: the figure is what a warm JVM does
            System.out.printf("replay: warm-up replay of %,d other records (not measured)%n", warmup);
            Path warmDir = Results.DIR.resolve("replay-warmup-files").toAbsolutePath();
            write(warmDir, warmup);
            replay(warmDir, Results.DIR.resolve("replay-warmup-advisories.jsonl"), parallelism);
            delete(warmDir);
        }
        // as many rounds as the plain reader's measured passes, the best of each side compared; every
        // round must write the same advisories (replay is deterministic)
        double bestReplay = 0;
        List<Double> rounds = new ArrayList<>();
        byte[] firstAdvisories = null;
        for (int round = 0; round < ROUNDS; round++) {
            Profiler profiler = Profiler.start(args.has("profile") && round == ROUNDS - 1, NAME);
            ThreadCpu cpu = ThreadCpu.start();
            t = System.nanoTime();
            try {
                replay(dir, out, parallelism);
            } finally {
                profiler.close();
            }
            double replay = n / LiveBench.seconds(t);
            Map<String, Object> used = cpu.stop();
            profiler.addTo(results);
            rounds.add(Math.round(replay * 10) / 10.0);
            if (replay > bestReplay) {
                bestReplay = replay;
                results.figure("job_cpu", used);
            }
            byte[] advisories = Files.readAllBytes(out);
            if (firstAdvisories == null) {
                firstAdvisories = advisories;
            } else if (!Arrays.equals(firstAdvisories, advisories)) {
                throw new IllegalStateException("replay round " + (round + 1) + " wrote other advisories than round 1");
            }
        }
        long advisories;
        try (Stream<String> lines = Files.lines(out)) {
            advisories = lines.count();
        }
        results.figure("replay_records_per_s_rounds", rounds)
                .figure("replay_records_per_s", bestReplay)
                .figure("ratio_replay_to_plain", bestReplay / best)
                .figure("advisories", advisories);
        results.write();
        delete(dir);
    }

    /** Writes the first {@code n} workload records as {@value #FILES} container files into a fresh {@code dir}. */
    private static List<Path> write(Path dir, long n) throws IOException {
        delete(dir);
        try (AvroFileSink sink = new AvroFileSink(dir, (n + FILES - 1) / FILES, Workload.SEED)) {
            Iterator<SpecificRecord> records = Workload.records(Workload.scenario(n), n);
            while (records.hasNext()) {
                sink.write(records.next());
            }
            return sink.files();
        }
    }

    /** Runs the replay command over {@code dir}, advisories to {@code out}. */
    private static void replay(Path dir, Path out, int parallelism) throws Exception {
        int code = ReplayCommand.run(List.of("--input", dir.toString(), "--out", out.toAbsolutePath().toString(),
                "--parallelism", Integer.toString(parallelism)), System.out, System.err);
        if (code != 0) {
            throw new IllegalStateException("replay over " + dir + " exited with " + code);
        }
    }

    /** Decodes every record of every file in this thread; returns records/s. */
    private static double plainDecode(List<Path> files, long expected) throws IOException {
        long start = System.nanoTime();
        long count = 0;
        for (Path f : files) {
            try (DataFileReader<SpecificRecord> r = new DataFileReader<>(f.toFile(), new SpecificDatumReader<>())) {
                SpecificRecord reuse = null;
                while (r.hasNext()) {
                    reuse = r.next(reuse);
                    count++;
                }
            }
        }
        if (count != expected) {
            throw new IllegalStateException("read " + count + " records, wrote " + expected);
        }
        return count / LiveBench.seconds(start);
    }

    private static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
