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

    @Test
    void aRegionalOutagePageNamesTheRegionAsItsFirstHint(@TempDir Path dir) throws Exception {
        List<Advisory> pages = generateAndReplay("slo-burning-fast.yaml", dir).stream()
                .filter(a -> a.getKind() == AdvisoryKind.BURN_RATE && a.getDecision() == Decision.PAGE).toList();
        assertThat(pages).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getHints()).isNotEmpty();
            io.speechslo.advisory.Hint first = a.getHints().get(0);
            assertThat(first.getDriver()).isEqualTo("slice");
            assertThat(first.getMetric()).isEqualTo("bad_request_share{region=eu-west-1}");
            assertThat(first.getValue()).isGreaterThan(0.8); // 15% of eu-west-1 fail, 0.1% elsewhere
            assertThat(first.getBaseline()).isBetween(0.25, 0.35); // eu-west-1 has 30% of the traffic
            assertThat(first.getShareExplained()).isEqualTo(first.getValue() - first.getBaseline(),
                    org.assertj.core.api.Assertions.within(1e-9));
            assertThat(first.getEvidence()).startsWith("region=eu-west-1 holds ").contains(" of the bad requests with ");
            assertThat(a.getSummary()).contains("Bad requests concentrate in region=eu-west-1");
        });
    }

    @Test
    void aServiceWideOutagePagesNamingNoSlice(@TempDir Path dir) throws Exception {
        List<Advisory> pages = generateAndReplay("page-service-wide-outage.yaml", dir).stream()
                .filter(a -> a.getKind() == AdvisoryKind.BURN_RATE && a.getDecision() == Decision.PAGE).toList();
        assertThat(pages).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getSlo()).isEqualTo("asr-availability");
            assertThat(a.getHints()).isEmpty();
            assertThat(a.getSummary()).doesNotContain("concentrate");
        });
    }

    @Test
    void compareConfigShowsWhatACriticalCostRuleWouldHaveChanged(@TempDir Path dir) throws Exception {
        generateAndReplay("gpu-cost-doubling.yaml", dir);
        // B: the shipped example folder, the shipped policies with asr-assistant's cost rule made critical
        Path strict = Path.of("job/examples/cost-critical");
        assertThat(Files.readString(Path.of("job/gates/default.yaml")))
                .contains("{metric: cost_per_audio_minute, critical: false");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path json = dir.resolve("comparison.json");
        int code = Main.run(List.of("replay", "--input", dir.resolve("telemetry").toString(), "--compare-config", "job",
                strict.toString(), "--out", json.toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        String table = out.toString(StandardCharsets.UTF_8);
        var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
        List<String> changes = new java.util.ArrayList<>();
        doc.get("differences").forEach(d -> changes.add(d.get("change").asText() + " " + d.get("kind").asText() + " "
                + d.get("decision").asText()));
        // a critical cost regression rolls the candidate back where the shipped policy only paused it
        assertThat(changes).contains("appears ROLLOUT ROLLBACK");
        assertThat(table).contains("A = job, B = " + strict).containsPattern("appears +ROLLOUT .* ROLLBACK ");
        assertThat(doc.get("same").asInt()).as("the burn and drift streams do not change").isPositive();

        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        assertThat(Main.run(List.of("replay", "--input", dir.resolve("telemetry").toString(), "--compare-config", "job",
                dir.resolve("nowhere").toString()), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(bad, true, StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(bad.toString(StandardCharsets.UTF_8)).contains("--compare-config " + dir.resolve("nowhere"));
    }
}
