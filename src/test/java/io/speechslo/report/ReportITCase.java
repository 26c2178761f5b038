package io.speechslo.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.speechslo.cli.Main;
import io.speechslo.generate.Scenario;
import io.speechslo.generate.ScenarioLoader;

import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code report} on the shipped quiet-speaker clipping incident (three hours of clipped first words for quiet
 * speakers on a canary, then a fix): generated to files, replayed on the embedded MiniCluster under the shipped
 * policies and one --try-config, reported. One report serves every assertion.
 */
class ReportITCase {

    @TempDir
    static Path dir;

    static Path telemetry;
    static Path out;
    static JsonNode json;
    static String stderr;

    @BeforeAll
    static void report() throws Exception {
        telemetry = dir.resolve("telemetry");
        Files.createDirectories(telemetry);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errs = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(Main.run(List.of("generate", "--scenario", "job/scenarios/quiet-speaker-clipping-incident.yaml",
                "--out", telemetry.toString()), new PrintStream(new ByteArrayOutputStream()), errs))
                .as(err.toString(StandardCharsets.UTF_8)).isZero();
        // a policy folder to try: the shipped one with the WER gate rule judging smaller slices
        Path tryDir = dir.resolve("smaller-slices");
        copy(Path.of("job"), tryDir);
        Path gates = tryDir.resolve("gates/default.yaml");
        String rules = Files.readString(gates);
        assertThat(rules).contains("{metric: wer, critical: true, relative: 0.05, minSamples: 500, minSliceSamples: 100}");
        Files.writeString(gates, rules.replace("minSamples: 500, minSliceSamples: 100}", "minSamples: 200, minSliceSamples: 40}"));
        out = dir.resolve("report");
        int code = Main.run(List.of("report", "--input", telemetry.toString(), "--try-config", tryDir.toString(), "--out",
                out.toString()), new PrintStream(new ByteArrayOutputStream()), errs);
        stderr = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(stderr).isZero();
        json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    }

    @Test
    void writesTheThreeFilesAndTheFixture() {
        for (String f : List.of("report.md", "report.html", "report.json", "fixture-scenario.yaml")) {
            assertThat(out.resolve(f)).isRegularFile();
        }
        try (Stream<Path> siblings = Files.list(dir)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).as("no temporary folder left behind")
                    .noneMatch(n -> n.startsWith(".report-"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(stderr).contains("report: onset 2026-01-12T09:0");
    }

    @Test
    void quietSpeakerSlicesComeFirstInImpact() {
        JsonNode wer = null;
        for (JsonNode m : json.path("impact").path("metrics")) {
            if (m.path("metric").asText().equals("wer")) {
                wer = m;
                break;
            }
        }
        assertThat(wer).as("a wer impact table").isNotNull();
        assertThat(json.path("impact").path("metrics").get(0).path("metric").asText()).isEqualTo("wer");
        for (JsonNode rows : List.of(wer.path("slices"), json.path("impact").path("top_slices"))) {
            List<String> slices = new ArrayList<>();
            rows.forEach(r -> slices.add(r.path("slice").asText()));
            assertThat(slices).hasSizeGreaterThanOrEqualTo(5);
            // every slice carrying acoustic_condition=quiet comes before any other
            int firstOther = slices.size();
            for (int i = 0; i < slices.size(); i++) {
                if (!slices.get(i).contains("acoustic_condition=quiet")) {
                    firstOther = Math.min(firstOther, i);
                } else {
                    assertThat(i).as("%s comes after a slice without quiet speakers: %s", slices.get(i), slices)
                            .isLessThan(firstOther);
                }
            }
            assertThat(slices.get(0)).contains("acoustic_condition=quiet");
            assertThat(slices.stream().filter(s -> s.contains("acoustic_condition=quiet") && s.contains(", ")).count())
                    .as("two-dimension quiet slices").isGreaterThanOrEqualTo(3);
        }
        List<String> all = new ArrayList<>();
        wer.path("slices").forEach(r -> all.add(r.path("slice").asText()));
        assertThat(all).contains("acoustic_condition=quiet");
        // the clipping lasted three hours
        for (JsonNode r : wer.path("slices")) {
            if (r.path("slice").asText().equals("acoustic_condition=quiet")) {
                assertThat(Duration.between(Instant.parse(r.path("from").asText()), Instant.parse(r.path("until").asText())))
                        .isBetween(Duration.ofMinutes(170), Duration.ofMinutes(185));
                assertThat(r.path("versions").asText()).isEqualTo("asr-2026.04.0");
                assertThat(r.path("share_affected").asDouble()).isBetween(0.4, 0.6); // the canary's half of it
            }
        }
    }

    @Test
    void detectionGapIsConsistentWithTheTimeline() {
        JsonNode d = json.path("detection");
        Instant onset = Instant.parse(d.path("onset").asText());
        // the endpointer starts clipping at 09:00 (1 h into the scenario)
        assertThat(onset).isBetween(Instant.parse("2026-01-12T09:00:00Z"), Instant.parse("2026-01-12T09:05:00Z"));
        Instant first = Instant.parse(d.path("first_detection").asText());
        assertThat(d.path("gap_s").asLong()).isEqualTo(Duration.between(onset, first).toSeconds()).isPositive();
        Map<String, String> timeline = new java.util.LinkedHashMap<>();
        json.path("timeline").forEach(e -> timeline.putIfAbsent(e.path("event").asText(), e.path("time").asText()));
        assertThat(timeline).containsEntry("onset", onset.toString());
        assertThat(timeline).containsKeys("first PAGE", "first ROLLBACK", "first DRIFT advisory (INVESTIGATE)", "recovery");
        Instant page = Instant.parse(timeline.get("first PAGE"));
        Instant rollback = Instant.parse(timeline.get("first ROLLBACK"));
        assertThat(first).isEqualTo(page.isBefore(rollback) ? page : rollback);
        assertThat(d.path("first_page").asText()).isEqualTo(page.toString());
        // the fix ships at 12:00
        assertThat(Instant.parse(timeline.get("recovery"))).isBetween(Instant.parse("2026-01-12T11:55:00Z"),
                Instant.parse("2026-01-12T12:05:00Z"));
        // the burn-rate maths: no page can come sooner than it allows
        JsonNode maths = d.path("earliest_possible_page");
        assertThat(maths.path("slo").asText()).isEqualTo("asr-wer-per-slice");
        assertThat(maths.path("after_s").asLong()).isPositive().isLessThanOrEqualTo(Duration.between(onset, page).toSeconds());
        String md = read("report.md");
        assertThat(md).contains("**Detection gap: " + d.path("gap").asText() + "**")
                .contains("| " + onset + " | +0s | onset |");
    }

    @Test
    void gateViewSloBudgetAndWhatWouldHaveCaughtIt() {
        List<String> decisions = new ArrayList<>();
        json.path("gate").forEach(s -> decisions.add(s.path("decision").asText()));
        assertThat(decisions).contains("ROLLBACK");
        json.path("gate").forEach(s -> {
            if (s.path("decision").asText().equals("ROLLBACK")) {
                JsonNode f = s.path("findings").get(0);
                assertThat(f.path("slice").asText()).contains("acoustic_condition=quiet");
                assertThat(f.path("verdict").asText()).isEqualTo("regression");
                assertThat(f.path("value").asDouble()).isGreaterThan(f.path("limit").asDouble());
                assertThat(f.path("samples").asLong()).isPositive();
            }
        });
        // each rollout's stages as its newest advisory tells them, ending with the decision last published
        assertThat(json.path("gate_stages")).isNotEmpty();
        json.path("gate_stages").forEach(g -> {
            JsonNode stages = g.path("stages");
            assertThat(stages).isNotEmpty();
            String lastDecision = null;
            for (JsonNode s : json.path("gate")) {
                if ((s.path("service").asText() + " " + s.path("candidate").asText()).equals(g.path("rollout").asText())) {
                    lastDecision = s.path("decision").asText();
                }
            }
            assertThat(stages.get(stages.size() - 1).path("decision").asText()).isEqualTo(lastDecision);
        });
        assertThat(read("report.md")).contains("### Stages of " + json.path("gate_stages").get(0).path("rollout").asText());
        assertThat(json.path("slos").get(0).path("slo").asText()).isEqualTo("asr-wer-per-slice");
        assertThat(json.path("slos").get(0).path("budget_consumed").asDouble()).isPositive();
        JsonNode caught = json.path("what_would_have_caught_it");
        assertThat(caught).hasSize(2);
        assertThat(caught.get(0).path("config").asText()).isEqualTo("current policies");
        assertThat(caught.get(0).path("first_detection").asText()).isEqualTo(json.path("detection").path("first_detection").asText());
        assertThat(caught.get(1).path("config").asText()).endsWith("smaller-slices");
        assertThat(caught.get(1).path("first_detection").isNull()).isFalse();
        assertThat(caught.get(0).path("false_alarms").asInt()).isZero();
        assertThat(json.path("hints").isArray()).isTrue(); // filled where advisories carry hints (ReportModelTest)
    }

    @Test
    void followUpFixtureIsAScenarioTheGeneratorAccepts() {
        Scenario s = ScenarioLoader.load(out.resolve("fixture-scenario.yaml"));
        assertThat(s.services()).hasSize(1);
        assertThat(s.services().get(0).name()).isEqualTo("asr-dictation");
        assertThat(s.changes()).hasSize(1);
        assertThat(s.changes().get(0).where()).containsEntry("acoustic_condition", "quiet");
        assertThat(json.path("follow_up").path("fixtures").path("scenario").asText())
                .isEqualTo(read("fixture-scenario.yaml"));
        assertThat(json.path("follow_up").path("owner").asText()).isEmpty();
        assertThat(read("report.md")).contains("| action | owner | deadline |");
    }

    @Test
    void htmlIsSelfContained() {
        String html = read("report.html");
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").contains("<polyline")
                .contains("Detection gap").contains("acoustic_condition=quiet");
        // the chart numbers its moments and names them under it, in time order
        assertThat(html).containsPattern("<ol class=\"marks\"><li>09:00 onset</li>.*<li>\\d\\d:\\d\\d first PAGE</li>");
        assertThat(html).doesNotContainPattern("(?i)https?:").doesNotContainPattern("(?i)<script|<link|<img|<iframe|src=");
    }

    @Test
    void noRequestIdReachesAnyOutput() throws Exception {
        Set<String> ids = new HashSet<>();
        try (Stream<Path> files = Files.walk(telemetry)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".avro"))::iterator) {
                try (DataFileReader<GenericRecord> r = new DataFileReader<>(f.toFile(), new GenericDatumReader<>())) {
                    for (GenericRecord rec : r) {
                        Object id = rec.getSchema().getField("request_id") == null ? null : rec.get("request_id");
                        if (id != null) {
                            ids.add(id.toString());
                        }
                    }
                }
            }
        }
        assertThat(ids).hasSizeGreaterThan(100_000);
        for (String f : List.of("report.md", "report.html", "report.json", "fixture-scenario.yaml")) {
            Set<String> tokens = new HashSet<>(List.of(read(f).split("[^A-Za-z0-9._-]+")));
            tokens.retainAll(ids);
            assertThat(tokens).as(f).isEmpty();
        }
    }

    @Test
    void anIncidentWindowOutsideTheDataFailsAfterTheReplayWithoutAReport(@TempDir Path small) throws Exception {
        // a short input of its own, so this costs a small replay
        Path scenario = small.resolve("small.yaml");
        Files.writeString(scenario, String.join("\n", "apiVersion: speechslo.io/v1", "kind: TelemetryScenario",
                "metadata: {name: small}", "spec:", "  start: 2026-01-12T08:00:00Z", "  duration: 20m", "  services:",
                "    - name: asr-small", "      signal: asr", "      ratePerMinute: 60", "      stable: v1", "      mix:",
                "        language: {en-US: 1}", "        region: {us-east-1: 1}", "        device: {web: 1}",
                "        acoustic_condition: {quiet: 1}", ""));
        Path files = small.resolve("telemetry");
        Files.createDirectories(files);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        assertThat(Main.run(List.of("generate", "--scenario", scenario.toString(), "--out", files.toString()), quiet, quiet))
                .isZero();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path report = small.resolve("report");
        int code = Main.run(List.of("report", "--input", files.toString(), "--incident",
                "2026-01-12T10:00:00Z/2026-01-12T11:00:00Z", "--out", report.toString()), quiet,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("report: --incident 2026-01-12T10:00:00Z/2026-01-12T11:00:00Z"
                + " is outside the data (2026-01-12T08:00:00Z to 2026-01-12T08:20:00Z)");
        assertThat(report).doesNotExist();
        try (Stream<Path> left = Files.list(small)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("small.yaml", "telemetry");
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(out.resolve(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void copy(Path from, Path to) throws java.io.IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path f : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
