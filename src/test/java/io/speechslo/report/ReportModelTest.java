package io.speechslo.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.speechslo.policy.Policies;
import io.speechslo.policy.load.PolicyLoader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report's document from hand-made scorecards and advisories: a quiet slice's WER steps up for 40 minutes
 * and back, a PAGE carries hints (a field a newer writer adds), an earlier PAGE elsewhere is a false alarm.
 */
class ReportModelTest {

    static final long T0 = Instant.parse("2026-01-12T08:00:00Z").toEpochMilli();
    static final long MIN = 60_000;
    static final ObjectMapper M = new ObjectMapper();

    @TempDir
    Path dir;

    private static ObjectNode slice(long minute, Map<String, String> slice, double wer, long labelled, long requests) {
        ObjectNode s = M.createObjectNode().put("kind", "SLICE").put("service", "svc").put("signal", "ASR")
                .put("model_version", "v1").put("track", "STABLE");
        s.set("slice", M.valueToTree(slice));
        s.putNull("slo");
        s.put("window_start", T0 + minute * MIN).put("window_end", T0 + (minute + 1) * MIN);
        ArrayNode v = s.putArray("values");
        v.addObject().put("name", "requests").put("value", requests).put("samples", requests);
        v.addObject().put("name", "wer").put("value", wer).put("samples", labelled);
        v.addObject().put("name", "error_rate").put("value", 0.0).put("samples", requests);
        return s;
    }

    private static ObjectNode advisory(long minute, String kind, String decision, String slo, JsonNode hints) {
        ObjectNode a = M.createObjectNode().put("advisory_id", "a" + minute + decision).put("kind", kind)
                .put("decision", decision).put("service", "svc").put("model_version", "v1").put("slo", slo)
                .put("window_end", T0 + minute * MIN).put("summary", kind + " " + decision + " at " + minute);
        a.putArray("findings");
        if (hints != null) {
            a.set("hints", hints);
        }
        return a;
    }

    private JsonNode build(List<ObjectNode> scorecards, List<ObjectNode> advisories) throws Exception {
        Path sc = dir.resolve("scorecards.jsonl");
        Path adv = dir.resolve("advisories.jsonl");
        List<String> lines = new ArrayList<>();
        scorecards.forEach(s -> lines.add(s.toString()));
        Files.write(sc, lines);
        lines.clear();
        advisories.forEach(a -> lines.add(a.toString()));
        Files.write(adv, lines);
        Policies policies = PolicyLoader.loadDefaults();
        ReplayData data = ReplayData.read(adv, sc, IncidentAnalysis.trackedNames(policies));
        return ReportModel.build(data, policies, null, null, "test", List.of());
    }

    @Test
    void findsOnsetRecoveryTheHarmedSliceAndHints() throws Exception {
        List<ObjectNode> scorecards = new ArrayList<>();
        for (long m = 0; m < 120; m++) {
            boolean clipped = m >= 60 && m < 100;
            scorecards.add(slice(m, Map.of(), clipped ? 0.17 : 0.09, 200, 800));
            scorecards.add(slice(m, Map.of("acoustic_condition", "quiet"), clipped ? 0.30 : 0.06, 100, 400));
            scorecards.add(slice(m, Map.of("acoustic_condition", "noisy"), 0.12 + (m % 3) * 0.002, 100, 400));
        }
        ArrayNode hints = M.createArrayNode().add("endpointer starts late on quiet speech");
        hints.addObject().put("feature", "clipping_ratio").put("slice", "acoustic_condition=quiet");
        List<ObjectNode> advisories = List.of(
                advisory(10, "BURN_RATE", "PAGE", "asr-availability", null),
                advisory(11, "BURN_RATE", "RESOLVED", "asr-availability", null),
                advisory(64, "BURN_RATE", "PAGE", "asr-wer-per-slice", hints),
                advisory(65, "BURN_RATE", "PAGE", "asr-wer-per-slice", M.nullNode()));
        JsonNode r = build(scorecards, advisories);

        assertThat(r.path("detection").path("onset").asText()).isEqualTo("2026-01-12T09:00:00Z");
        assertThat(r.path("detection").path("first_page").asText()).isEqualTo("2026-01-12T09:04:00Z");
        assertThat(r.path("detection").path("gap").asText()).isEqualTo("+4m");
        List<String> events = new ArrayList<>();
        r.path("timeline").forEach(e -> events.add(e.path("time").asText() + " " + e.path("event").asText()));
        assertThat(events).contains("2026-01-12T09:00:00Z onset", "2026-01-12T09:04:00Z first PAGE",
                "2026-01-12T09:40:00Z recovery");
        JsonNode wer = r.path("impact").path("metrics").get(0);
        assertThat(wer.path("metric").asText()).isEqualTo("wer");
        assertThat(wer.path("slices").get(0).path("slice").asText()).isEqualTo("acoustic_condition=quiet");
        assertThat(wer.path("slices").get(0).path("affected_requests").asLong()).isEqualTo(40 * 400);
        assertThat(wer.path("slices").get(0).path("share_affected").asDouble()).isEqualTo(1.0);
        assertThat(wer.path("slices").get(0).path("duration").asText()).isEqualTo("40m");
        assertThat(wer.path("whole_service").path("slice").asText()).isEqualTo("whole service");
        assertThat(r.path("impact").path("top_slices")).hasSize(1); // noisy never left its baseline

        assertThat(r.path("hints")).hasSize(2);
        assertThat(r.path("hints").get(0).path("hint").asText()).isEqualTo("endpointer starts late on quiet speech");
        assertThat(r.path("hints").get(1).path("hint").asText())
                .isEqualTo("feature: clipping_ratio; slice: acoustic_condition=quiet");
        assertThat(MarkdownReport.render(r)).contains("endpointer starts late on quiet speech");

        JsonNode caught = r.path("what_would_have_caught_it").get(0);
        assertThat(caught.path("first_detection").asText()).isEqualTo("2026-01-12T09:04:00Z");
        assertThat(caught.path("false_alarms").asInt()).isEqualTo(1);
        assertThat(caught.path("false_alarm_list").get(0).asText()).isEqualTo("2026-01-12T08:10:00Z BURN_RATE PAGE asr-availability");
    }

    @Test
    void withoutHintsOrAnIncidentTheReportSaysSo() throws Exception {
        List<ObjectNode> scorecards = new ArrayList<>();
        for (long m = 0; m < 60; m++) {
            scorecards.add(slice(m, Map.of(), 0.09, 200, 800));
        }
        JsonNode r = build(scorecards, List.of());
        assertThat(r.path("detection").path("onset").isNull()).isTrue();
        assertThat(r.path("hints")).isEmpty();
        assertThat(r.path("impact").path("metrics")).isEmpty();
        String md = MarkdownReport.render(r);
        assertThat(md).contains("The advisories carry no hints.");
        assertThat(HtmlReport.render(r)).doesNotContain("<svg");
    }
}
