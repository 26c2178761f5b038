package io.speechslo.replay;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryJson;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.cli.Main;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The path a user takes: generate a shipped scenario to files, replay them, read the JSON advisories. */
class ScenarioReplayITCase {

    private static List<Advisory> generateAndReplay(String scenario, Path dir) throws Exception {
        Path files = dir.resolve("telemetry");
        Files.createDirectories(files);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errs = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(Main.run(List.of("generate", "--scenario", "job/scenarios/" + scenario, "--out", files.toString()),
                new PrintStream(new ByteArrayOutputStream()), errs)).as(err.toString(StandardCharsets.UTF_8)).isZero();
        Path out = dir.resolve("advisories.jsonl");
        assertThat(Main.run(List.of("replay", "--input", files.toString(), "--out", out.toString()),
                new PrintStream(new ByteArrayOutputStream()), errs)).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("0 dead letters");
        return Files.readAllLines(out).stream().map(AdvisoryJson::fromJson).toList();
    }

    @Test
    void hiddenCohortRegressionRollsBackNamingTheSlice(@TempDir Path dir) throws Exception {
        List<Advisory> advisories = generateAndReplay("hidden-cohort-regression.yaml", dir);
        assertThat(advisories).anySatisfy(a -> {
            assertThat(a.getKind()).isEqualTo(AdvisoryKind.ROLLOUT);
            assertThat(a.getDecision()).isEqualTo(Decision.ROLLBACK);
            assertThat(a.getFindings()).anySatisfy(f -> {
                assertThat(f.getMetric()).isEqualTo("wer");
                assertThat(f.getReason()).isEqualTo("regression");
                assertThat(f.getSlice()).containsAllEntriesOf(Map.of("acoustic_condition", "noisy", "device", "mobile",
                        "region", "eu-west-1"));
            });
        });
        assertThat(advisories).noneMatch(a -> a.getKind() == AdvisoryKind.BURN_RATE);
    }

    @Test
    void burningSloPages(@TempDir Path dir) throws Exception {
        List<Advisory> advisories = generateAndReplay("slo-burning-fast.yaml", dir);
        assertThat(advisories).anySatisfy(a -> {
            assertThat(a.getKind()).isEqualTo(AdvisoryKind.BURN_RATE);
            assertThat(a.getDecision()).isEqualTo(Decision.PAGE);
            assertThat(a.getSlo()).isEqualTo("asr-availability");
        });
    }
}
