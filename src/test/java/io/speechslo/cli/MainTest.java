package io.speechslo.cli;

import io.speechslo.advisory.Action;
import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Direction;
import io.speechslo.slice.Slice;

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

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... argv) {
        return Main.run(List.of(argv), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void badCommandLinesExitTwoNamingTheFlag() {
        assertThat(run()).isEqualTo(2);
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err()).contains("unknown command 'frobnicate'");
        assertThat(run("policies", "--confg", "x")).isEqualTo(2);
        assertThat(err()).contains("unknown flag --confg");
        assertThat(run("policies", "--config")).isEqualTo(2);
        assertThat(err()).contains("--config needs a value");
        assertThat(run("config", "--set", "kafka.bootstrap-server=x")).isEqualTo(2);
        assertThat(err()).contains("--set kafka.bootstrap-server=x").contains("unknown key");
        assertThat(run("tail", "--max", "many")).isEqualTo(2);
        assertThat(err()).contains("--max must be a whole number");
    }

    @Test
    void policiesPrintsWhatIsInForceAndNamesTheFileAndLineOfAMistake(@TempDir Path dir) throws Exception {
        assertThat(run("help")).isZero();
        assertThat(run("policies")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("policy_version").contains("asr-availability")
                .contains("wer").contains("first_audio_p95_ms")
                .contains("asr-wer-per-slice            wer <= 0.25 in 0.99 of 1m timeslices per slice (min 30 samples)");
        Files.writeString(dir.resolve("burn.yaml"), "apiVersion: speechslo.io/v1\nkind: BurnSettings\nmetadata:\n  name: default\nspec:\n"
                + "  pane: 7q\n  minEvents: 100\n  reminder: 15m\n");
        assertThat(run("policies", "--config", dir.toString())).isEqualTo(2);
        assertThat(err()).contains("burn.yaml:6:").contains("pane");
    }

    @Test
    void configPrintsEffectiveSettingsWithSecretsMasked() {
        assertThat(run("config", "--set", "kafka.properties.sasl.jaas.config=secret-stuff",
                "--set", "topics.asr=my-asr")).isZero();
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("topics.asr=my-asr").contains("kafka.properties.sasl.jaas.config=******")
                .doesNotContain("secret-stuff");
    }

    @Test
    void tailLineNamesTheWorstFinding() {
        Advisory a = Advisory.newBuilder().setAdvisoryId("x").setKind(AdvisoryKind.ROLLOUT).setDecision(Decision.ROLLBACK)
                .setService("asr-prod").setModelVersion("v2").setBaselineVersion("v1").setRollbackTo("v1")
                .setWindowEnd(1_767_225_660_000L).setPolicyVersion("p").setSummary("ROLLBACK asr-prod v2.")
                .setFindings(List.of(
                        Advisories.finding("wer", Slice.ALL, Action.CONTINUE, "within_limit", 0.1, 0.11, 0.1155,
                                Direction.LOWER_IS_BETTER, true, 5000, 5000, 0.9),
                        Advisories.finding("wer", Slice.of(Map.of("region", "eu-west-1")), Action.ROLLBACK, "regression",
                                0.2, 0.15, 0.1575, Direction.LOWER_IS_BETTER, true, 1200, 1300, 0.0001)))
                .build();
        assertThat(TailCommand.line(a)).isEqualTo("2026-01-01T00:01:00Z  ROLLOUT asr-prod v2  ROLLBACK  ROLLBACK asr-prod v2."
                + "  | wer {region=eu-west-1} regression: 0.2 vs 0.15 (limit 0.158, n=1200)");
    }
}
