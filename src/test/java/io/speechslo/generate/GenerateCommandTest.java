package io.speechslo.generate;

import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class GenerateCommandTest {

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = GenerateCommand.run(List.of(argv), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Path scenario() throws IOException {
        return smallScenario(tmp);
    }

    /** A five-minute two-signal scenario, written into {@code dir}. */
    static Path smallScenario(Path dir) throws IOException {
        Path file = dir.resolve("small.yaml");
        String yaml = String.join("\n",
                "apiVersion: speechslo.io/v1",
                "kind: TelemetryScenario",
                "metadata: {name: small}",
                "spec:",
                "  start: " + TelemetryGeneratorTest.START,
                "  duration: 5m",
                "  services:",
                TelemetryGeneratorTest.ASR_SERVICE.formatted(200) + TelemetryGeneratorTest.TTS_SERVICE);
        Files.writeString(file, yaml);
        return file;
    }

    static <T extends SpecificRecord> List<T> read(Path file, Class<T> type) throws IOException {
        List<T> out = new ArrayList<>();
        try (DataFileReader<T> r = new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(type))) {
            assertThat(r.getSchema().getFullName()).isEqualTo(type.getName());
            assertThat(r.getMetaString("avro.codec")).isEqualTo("deflate");
            r.forEach(out::add);
        }
        return out;
    }

    @Test
    void writesOneFilePerSignalInEventTimeOrderAndSummarizes() throws Exception {
        Path scenario = scenario();
        Path out = tmp.resolve("out");
        Result r = run("--scenario", scenario.toString(), "--out", out.toString(), "--seed", "9");
        assertThat(r.code()).as(r.err()).isZero();
        List<AsrRequest> asr = read(out.resolve("asr-requests.avro"), AsrRequest.class);
        List<TtsRequest> tts = read(out.resolve("tts-requests.avro"), TtsRequest.class);
        List<SpecificRecord> expected = TelemetryGeneratorTest.all(
                new TelemetryGenerator(ScenarioLoader.load(scenario), 9));
        assertThat(asr).containsExactlyElementsOf(expected.stream()
                .filter(x -> x instanceof AsrRequest).map(x -> (AsrRequest) x).toList());
        assertThat(tts).containsExactlyElementsOf(expected.stream()
                .filter(x -> x instanceof TtsRequest).map(x -> (TtsRequest) x).toList());
        assertThat(r.out()).contains("scenario small (seed 9): 2026-01-05T08:00:00Z for 5m")
                .contains("records: " + expected.size() + " (ASR " + asr.size() + ", TTS " + tts.size() + ")")
                .containsPattern("asr-a +ASR +CANARY +v2 +\\d+")
                .containsPattern("tts-a +TTS +STABLE +t1 +" + tts.size())
                .contains("event time: 2026-01-05T08:0")
                .contains("wrote " + out.resolve("asr-requests.avro"));
        // the same flags again give the same bytes
        Path again = tmp.resolve("again");
        assertThat(run("--scenario", scenario.toString(), "--out", again.toString(), "--seed", "9").code()).isZero();
        assertThat(Files.readAllBytes(again.resolve("asr-requests.avro")))
                .isEqualTo(Files.readAllBytes(out.resolve("asr-requests.avro")));
        assertThat(Files.readAllBytes(again.resolve("tts-requests.avro")))
                .isEqualTo(Files.readAllBytes(out.resolve("tts-requests.avro")));
    }

    @Test
    void rollsFilesAndMovesTheStart() throws Exception {
        Path out = tmp.resolve("rolled");
        Result r = run("--scenario", scenario().toString(), "--out", out.toString(), "--records-per-file", "300",
                "--start", "2030-06-01T12:00:00Z");
        assertThat(r.code()).as(r.err()).isZero();
        List<Path> asrFiles;
        try (Stream<Path> files = Files.list(out)) {
            asrFiles = files.filter(p -> p.getFileName().toString().startsWith("asr-requests-")).sorted().toList();
        }
        assertThat(asrFiles).hasSizeGreaterThan(2);
        assertThat(asrFiles.get(0).getFileName().toString()).isEqualTo("asr-requests-00000.avro");
        long previous = Long.MIN_VALUE;
        for (Path f : asrFiles) {
            List<AsrRequest> part = read(f, AsrRequest.class);
            assertThat(part).hasSizeBetween(1, 300);
            for (AsrRequest a : part) {
                long t = a.getEventTime().toEpochMilli();
                assertThat(t).isGreaterThanOrEqualTo(previous)
                        .isBetween(Instant.parse("2030-06-01T12:00:00Z").toEpochMilli(),
                                Instant.parse("2030-06-01T12:05:00Z").toEpochMilli());
                previous = t;
            }
        }
        assertThat(read(out.resolve("tts-requests-00000.avro"), TtsRequest.class)).hasSizeBetween(1, 300);
    }

    @Test
    void startNowIsTheCurrentMinuteAndPacingLeavesTheRecordsAlone() throws Exception {
        Path scenario = scenario();
        Instant before = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Path now = tmp.resolve("now");
        Result r = run("--scenario", scenario.toString(), "--out", now.toString(), "--start", "now");
        Instant after = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        assertThat(r.code()).as(r.err()).isZero();
        Instant first = read(now.resolve("asr-requests.avro"), AsrRequest.class).get(0).getEventTime();
        assertThat(first.truncatedTo(ChronoUnit.MINUTES)).isBetween(before, after);

        Path plain = tmp.resolve("plain");
        Path paced = tmp.resolve("paced");
        assertThat(run("--scenario", scenario.toString(), "--out", plain.toString()).code()).isZero();
        assertThat(run("--scenario", scenario.toString(), "--out", paced.toString(), "--rate", "100000000").code()).isZero();
        assertThat(Files.readAllBytes(paced.resolve("asr-requests.avro")))
                .isEqualTo(Files.readAllBytes(plain.resolve("asr-requests.avro")));
    }

    @Test
    void badFlagsAndFilesExitTwoNamingThem() throws Exception {
        String scenario = scenario().toString();
        String out = tmp.resolve("o").toString();
        assertThat(run("--scenario", scenario)).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("exactly one of --out DIR and --to-kafka");
        });
        assertThat(run("--scenario", scenario, "--out", out, "--to-kafka").err()).contains("exactly one of");
        assertThat(run("--out", out).err()).contains("--scenario is required");
        assertThat(run("--scenario", scenario, "--out", out, "--seed", "x").err()).contains("--seed must be a whole number");
        assertThat(run("--scenario", scenario, "--out", out, "--asr-topic", "t").err())
                .contains("--asr-topic only applies with --to-kafka");
        assertThat(run("--scenario", scenario, "--to-kafka", "--records-per-file", "5").err())
                .contains("--records-per-file only applies with --out");
        assertThat(run("--scenario", scenario, "--to-kafka", "--compression", "brotli").err())
                .contains("--compression must be one of");
        assertThat(run("--scenario", scenario, "--out", out, "--rate", "0").err()).contains("--rate must be a positive");
        assertThat(run("--scenario", scenario, "--out", out, "--start", "soon").err()).contains("--start must be 'now'");
        assertThat(run("--scenario", scenario, "--out", out, "--bogus").err()).contains("unknown flag --bogus");
        Result missing = run("--scenario", tmp.resolve("nope.yaml").toString(), "--out", out);
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.yaml: no such file");
        Path broken = tmp.resolve("broken.yaml");
        Files.writeString(broken, Files.readString(Path.of(scenario)).replace("ratePerMinute: 300", "ratePerMinute: -3"));
        Result bad = run("--scenario", broken.toString(), "--out", out);
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).containsPattern("broken.yaml:\\d+: spec.services\\[1\\].ratePerMinute: must be greater than 0");
        // a directory with Avro files in it is refused, not mixed into
        assertThat(run("--scenario", scenario, "--out", out).code()).isZero();
        Result again = run("--scenario", scenario, "--out", out);
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("--out " + out).contains("already holds Avro files");
        for (Result r : List.of(missing, bad, again)) {
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void helpPrintsTheUsage() {
        Result r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("usage: java -jar speech-slo-advisor.jar generate --scenario FILE");
    }
}
