package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.deadletter.DeadLetter;
import io.speechslo.fixtures.Traffic;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.replay.InProcessSink;
import io.speechslo.scorecard.EncodedScorecard;
import io.speechslo.scorecard.Scorecard;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.functions.IndexLookupGeneratorFunction;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden savepoints: every savepoint kept under {@code src/test/resources/savepoints/<name>/} (each taken
 * by the release named, in the canonical format, so any state backend restores it) restores into this
 * build, and what the job says after the restore is exactly what an uninterrupted run says after the
 * same point: no advisory or scorecard lost, repeated or changed. One exception, by design: savepoints of
 * releases before rollout stage history ({@link #BEFORE_STAGE_HISTORY}) hold no history, so their
 * rollouts' {@code stage_history} starts at what that state knew; it must equal the uninterrupted one from
 * there on, and everything else must be equal.
 *
 * <p>The telemetry is fixed: {@link Traffic#healthyRegressingBurning} with seed {@value #SEED} from
 * {@link #T0} for 70 minutes (do not change it, or the kept savepoints no longer match it). The
 * savepoint is taken at {@link #CUT} (40 minutes in): asr-healthy's rollout is under way, asr-regress's
 * canary has been rolled back (the ROLLBACK is held and reminded), tts-burn is paging with its budget
 * spent, and every service holds drift baselines and threshold-SLO monitors. Two source readers each
 * emit their half of the telemetry before the cut (interleaved, so both watermarks reach the cut) and
 * then wait, idle, without finishing; the job is stopped with a savepoint once its output settles.
 * The restored job reads the rest from the same source (its readers resume their splits) to the end.
 *
 * <p>The point of the cut is where the watermark stood when the job stopped; this build is run to the
 * same point once more (the telemetry decides it, so it is the same point), and what it said up to
 * there, taken from the uninterrupted run, must leave exactly what the restored job says.
 *
 * <p>A release that changes a state's format adds its own savepoint, taken by this same test:
 * <pre>
 * mvn -B -o test-compile
 * mvn -B -o failsafe:integration-test -Dit.test=GoldenSavepointITCase -Dgolden.write=2026-12-31-my-release
 * </pre>
 * writes {@code src/test/resources/savepoints/2026-12-31-my-release/} (commit it); from then on the
 * suite restores it together with the older ones, which are never removed.
 */
class GoldenSavepointITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final long SEED = 17;
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final long CUT = T0 + 40 * 60_000L + 20_700;
    static final Path GOLDEN = Path.of("src/test/resources/savepoints");

    /** The telemetry, in event-time order, of an even length and with an even number of records before the cut. */
    static List<Ingested> telemetry;
    static Output uninterrupted;
    static Output untilCut;

    /** What one run published. */
    record Output(List<Advisory> advisories, List<Scorecard> scorecards, List<DeadLetter> deadLetters) {
        Output() {
            this(Collections.synchronizedList(new ArrayList<>()), Collections.synchronizedList(new ArrayList<>()),
                    Collections.synchronizedList(new ArrayList<>()));
        }

        int size() {
            return advisories.size() + scorecards.size() + deadLetters.size();
        }
    }

    @BeforeAll
    static void runs(@TempDir Path tmp) throws Exception {
        List<SpecificRecord> records = new ArrayList<>(Traffic.healthyRegressingBurning(SEED, T0, 200, 300));
        int before = (int) records.stream().filter(r -> Traffic.eventTime(r) < CUT).count();
        if (before % 2 == 1) {
            records.remove(before - 1);
        }
        if (records.size() % 2 == 1) {
            records.remove(records.size() - 1);
        }
        telemetry = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            telemetry.add(Ingested.of(records.get(i), "speech.asr.requests", 0, i));
        }
        uninterrupted = run(source(false), new Configuration());
        Path savepoint = tmp.resolve("this-build");
        untilCut = runUntilCut(savepoint);
        String write = System.getProperty("golden.write", "");
        if (!write.isBlank()) {
            Path target = GOLDEN.resolve(write);
            assertThat(target).as("a golden savepoint is never overwritten").doesNotExist();
            Files.createDirectories(target);
            runUntilCut(target);
            Files.writeString(target.resolve("TAKEN.txt"), "Taken " + Instant.now() + " by GoldenSavepointITCase"
                    + " (-Dgolden.write=" + write + "), telemetry seed " + SEED + ", cut at " + Instant.ofEpochMilli(CUT)
                    + ". Restored by every later build; never edit or remove it.\n");
        }
    }

    @Test
    void theCutHoldsARolloutUnderWayARollbackBudgetSpentAndDriftBaselines() {
        List<Advisory> before = untilCut.advisories();
        assertThat(decisions(before)).contains("asr-regress ROLLOUT ROLLBACK", "tts-burn BURN_RATE PAGE",
                "asr-healthy ROLLOUT PAUSE");
        List<Advisory> after = after(uninterrupted.advisories(), before);
        // after the cut: the rollout goes on, the rollback and the page are reminded
        assertThat(decisions(after)).contains("asr-healthy ROLLOUT CONTINUE", "asr-regress ROLLOUT ROLLBACK",
                "tts-burn BURN_RATE PAGE");
        // the slice scorecards after the cut carry drift against baselines learnt before it
        assertThat(after(uninterrupted.scorecards(), untilCut.scorecards()).stream().flatMap(s -> s.getValues().stream())
                .filter(v -> v.getName().startsWith("psi_") && v.getValue() != null && !v.getValue().isNaN()))
                .isNotEmpty();
    }

    static java.util.Set<String> decisions(List<Advisory> advisories) {
        return advisories.stream().map(a -> a.getService() + " " + a.getKind() + " " + a.getDecision())
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    @Test
    void thisBuildsOwnSavepointRestores(@TempDir Path tmp) throws Exception {
        Path savepoint = tmp.resolve("own");
        Output cut = runUntilCut(savepoint);
        assertThat(sorted(cut.advisories())).isEqualTo(sorted(untilCut.advisories()));
        assertRestoresAsIfUninterrupted(savepoint, "hashmap");
    }

    @Test
    void everyGoldenSavepointRestores() throws Exception {
        List<Path> goldens = goldens();
        assertThat(goldens).as("kept savepoints under " + GOLDEN).isNotEmpty();
        for (Path golden : goldens) {
            assertRestoresAsIfUninterrupted(golden, "hashmap");
            assertRestoresAsIfUninterrupted(golden, "rocksdb"); // RocksDB migrates value by value
        }
    }

    static List<Path> goldens() throws IOException {
        if (!Files.isDirectory(GOLDEN)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(GOLDEN)) {
            return dirs.filter(Files::isDirectory).sorted().toList();
        }
    }

    /**
     * Restores the savepoint (a folder holding one savepoint folder) on the state backend and checks the
     * output after the cut.
     */
    static void assertRestoresAsIfUninterrupted(Path folder, String backend) throws Exception {
        Path savepoint = savepointIn(folder);
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toAbsolutePath().toUri().toString());
        restore.set(StateBackendOptions.STATE_BACKEND, backend);
        Output restored = run(source(false), restore);
        String what = "after restoring " + folder.getFileName() + " on " + backend;
        List<Advisory> expected = after(uninterrupted.advisories(), untilCut.advisories());
        if (BEFORE_STAGE_HISTORY.contains(folder.getFileName().toString())) {
            assertSameButHistoryFromTheRestore(restored.advisories(), expected, what);
        } else {
            assertThat(sorted(restored.advisories())).as(what).isEqualTo(sorted(expected));
        }
        assertThat(sortedText(restored.scorecards())).as(what).isEqualTo(sortedText(after(uninterrupted.scorecards(),
                untilCut.scorecards())));
        assertThat(restored.advisories()).as(what).isNotEmpty();
    }

    /**
     * Kept savepoints taken before rollout trackers had a stage history (tracker state format 1). Their
     * rollouts start a history at the restore from what that state held: the decision last published (the
     * rollback, for a held ROLLBACK) and the canary's share so far. Everything else is as uninterrupted.
     */
    static final java.util.Set<String> BEFORE_STAGE_HISTORY = java.util.Set.of("2026-12-04-before-state-formats",
            "2026-12-05-cost-monitor", "2026-12-05-state-formats");

    /**
     * The restored advisories are the uninterrupted ones but for their stage history, which is the
     * uninterrupted one from the time its first entry says (at or before the cut) on.
     */
    static void assertSameButHistoryFromTheRestore(List<Advisory> restored, List<Advisory> expected, String what) {
        Comparator<Advisory> byContent = Comparator.comparing(a -> withoutHistory(a).toString());
        List<Advisory> is = new ArrayList<>(restored);
        List<Advisory> was = new ArrayList<>(expected);
        is.sort(byContent);
        was.sort(byContent);
        assertThat(is.stream().map(GoldenSavepointITCase::withoutHistory).toList()).as(what)
                .isEqualTo(was.stream().map(GoldenSavepointITCase::withoutHistory).toList());
        for (int i = 0; i < is.size(); i++) {
            List<io.speechslo.advisory.StageEntry> history = is.get(i).getStageHistory();
            if (was.get(i).getStageHistory().isEmpty()) {
                assertThat(history).as(what).isEmpty();
                continue;
            }
            assertThat(history).as(what + ": " + is.get(i).getSummary()).isNotEmpty();
            long from = history.get(0).getSince();
            assertThat(from).as(what).isLessThanOrEqualTo(CUT);
            assertThat(history).as(what).isEqualTo(historyFrom(was.get(i).getStageHistory(), from));
        }
        assertThat(is).as(what).anySatisfy(a -> assertThat(a.getStageHistory()).isNotEmpty());
    }

    static Advisory withoutHistory(Advisory a) {
        return Advisory.newBuilder(a).setStageHistory(List.of()).setAdvisoryId("").build();
    }

    /** The history as it stood from {@code from} on: the entry in force then, re-timed to it, and the later ones. */
    static List<io.speechslo.advisory.StageEntry> historyFrom(List<io.speechslo.advisory.StageEntry> history, long from) {
        List<io.speechslo.advisory.StageEntry> out = new ArrayList<>();
        io.speechslo.advisory.StageEntry inForce = null;
        for (io.speechslo.advisory.StageEntry e : history) {
            if (e.getSince() <= from) {
                inForce = e;
            } else {
                out.add(e);
            }
        }
        if (inForce != null) {
            out.add(0, io.speechslo.advisory.StageEntry.newBuilder(inForce).setSince(from).build());
        }
        return out;
    }

    static Path savepointIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(f -> f.getFileName().toString().equals("_metadata")).map(Path::getParent)
                    .findFirst().orElseThrow(() -> new AssertionError("no savepoint (_metadata) under " + folder));
        }
    }

    /** What {@code all} holds beyond {@code before}, which it must hold entirely. */
    static <T> List<T> after(List<T> all, List<T> before) {
        List<T> rest = new ArrayList<>(all);
        for (T t : before) {
            assertThat(rest.remove(t)).as("said before the cut but not in the uninterrupted run: %s", t).isTrue();
        }
        return rest;
    }

    static List<Advisory> sorted(List<Advisory> advisories) {
        List<Advisory> s = new ArrayList<>(advisories);
        s.sort(Comparator.comparing(Advisory::getAdvisoryId).thenComparing(Advisory::toString));
        return s;
    }

    static List<String> sortedText(List<Scorecard> scorecards) {
        return scorecards.stream().map(Scorecard::toString).sorted().toList();
    }

    // ---- the runs

    /** Readers paused at the cut, in this JVM. */
    static final AtomicInteger PAUSED = new AtomicInteger();

    /**
     * The telemetry as a source of two splits, index i of the first split the record at 2i, of the second
     * the record at 2i+1, so both readers go through time together.
     *
     * @param pauseAtCut each reader emits its records before the cut and then waits, without finishing
     */
    static DataGeneratorSource<Ingested> source(boolean pauseAtCut) {
        int n = telemetry.size();
        List<Ingested> interleaved = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            interleaved.add(telemetry.get(i < n / 2 ? 2 * i : 2 * (i - n / 2) + 1));
        }
        TypeInformation<Ingested> type = TypeInformation.of(Ingested.class);
        int perReader = (int) telemetry.stream().filter(r -> r.eventTime() < CUT).count() / 2;
        RateLimiterStrategy<?> limit = pauseAtCut ? parallelism -> new PauseAfter(perReader) : RateLimiterStrategy.noOp();
        @SuppressWarnings({"unchecked", "rawtypes"})
        DataGeneratorSource<Ingested> source = new DataGeneratorSource<>(new IndexLookupGeneratorFunction<>(type, interleaved),
                n, (RateLimiterStrategy) limit, type);
        return source;
    }

    /** Lets a reader emit {@code records} records, then holds it (idle, not finished) for good. */
    static final class PauseAfter implements RateLimiter<org.apache.flink.api.connector.source.SourceSplit> {
        private final int records;
        private int acquired;

        PauseAfter(int records) {
            this.records = records;
        }

        @Override
        public CompletionStage<Void> acquire(int permits) {
            acquired += permits;
            if (acquired <= records) {
                return CompletableFuture.completedFuture(null);
            }
            if (acquired == records + permits) {
                PAUSED.incrementAndGet();
            }
            return new CompletableFuture<>();
        }
    }

    /** Runs to the cut and stops with a canonical savepoint into {@code dir}: what was said until then. */
    static Output runUntilCut(Path dir) throws Exception {
        PAUSED.set(0);
        Output out = new Output();
        try (Sinks sinks = new Sinks(out)) {
            StreamExecutionEnvironment env = environment(new Configuration());
            sinks.build(env, source(true));
            JobClient job = env.executeAsync("golden-savepoint-until-cut");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (PAUSED.get() < 2) {
                assertThat(System.nanoTime()).as("both readers reach the cut").isLessThan(deadline);
                Thread.sleep(100);
            }
            // the watermark of the cut travels on and fires its timers: wait until the output settles
            int seen = -1;
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(5)) {
                Thread.sleep(200);
                if (out.size() != seen) {
                    seen = out.size();
                    quietSince = System.nanoTime();
                }
            }
            String path = job.stopWithSavepoint(false, dir.toAbsolutePath().toUri().toString(),
                    SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
            job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
            assertThat(Path.of(java.net.URI.create(path.startsWith("file:") ? path : "file:" + path))
                    .resolve("_metadata")).exists();
        }
        return out;
    }

    static Output run(DataGeneratorSource<Ingested> source, Configuration extra) throws Exception {
        Output out = new Output();
        try (Sinks sinks = new Sinks(out)) {
            StreamExecutionEnvironment env = environment(extra);
            sinks.build(env, source);
            env.execute("golden-savepoint");
        }
        return out;
    }

    static StreamExecutionEnvironment environment(Configuration extra) {
        Configuration conf = new Configuration(extra);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }

    /** The collecting sinks of one run. */
    static final class Sinks implements AutoCloseable {
        final InProcessSink<Advisory> advisories;
        final InProcessSink<EncodedScorecard> scorecards;
        final InProcessSink<DeadLetter> deadLetters;

        Sinks(Output out) {
            advisories = new InProcessSink<>(out.advisories()::add);
            scorecards = new InProcessSink<>(e -> out.scorecards().add(decode(e)));
            deadLetters = new InProcessSink<>(out.deadLetters()::add);
        }

        void build(StreamExecutionEnvironment env, DataGeneratorSource<Ingested> source) {
            AdvisorTopology.build(env, source, advisories, scorecards, deadLetters, PolicyLoader.bundleDefaults(),
                    TopologySettings.DEFAULT);
        }

        @Override
        public void close() {
            advisories.close();
            scorecards.close();
            deadLetters.close();
        }
    }

    static Scorecard decode(EncodedScorecard e) {
        return e.decode();
    }
}
