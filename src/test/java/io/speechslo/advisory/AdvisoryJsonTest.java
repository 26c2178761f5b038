package io.speechslo.advisory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdvisoryJsonTest {

    static Advisory rollback() {
        Map<String, String> slice = new LinkedHashMap<>();
        slice.put("language", "de-DE");
        slice.put("acoustic_condition", "noisy");
        Finding wer = Finding.newBuilder().setMetric("wer").setSlice(slice).setAction(Action.ROLLBACK)
                .setReason("regression").setValue(0.1875).setBaseline(0.125).setLimit(0.02)
                .setDirection(Direction.LOWER_IS_BETTER).setCritical(true).setSamples(1234).setBaselineSamples(5678)
                .setPValue(1.0E-7).build();
        Finding latency = Finding.newBuilder().setMetric("first_partial_p95_ms").setSlice(new LinkedHashMap<>())
                .setAction(Action.UNJUDGED).setReason("insufficient_data").setValue(null).setBaseline(null)
                .setLimit(null).setDirection(Direction.EITHER).setCritical(false).setSamples(3).setBaselineSamples(0)
                .setPValue(null).build();
        return Advisories.withId(Advisory.newBuilder().setAdvisoryId("").setKind(AdvisoryKind.ROLLOUT)
                .setDecision(Decision.ROLLBACK).setService("asr-regress").setModelVersion("v2")
                .setBaselineVersion("v1").setRollbackTo("v1").setSlo(null).setWindowEnd(1_767_229_200_000L)
                .setPolicyVersion("p-2026.01").setSummary("wer \"regressed\" in de-DE/noisy\nrollback")
                .setFindings(new ArrayList<>(List.of(wer, latency))).build());
    }

    static Advisory page() {
        return Advisories.withId(Advisory.newBuilder().setAdvisoryId("").setKind(AdvisoryKind.BURN_RATE)
                .setDecision(Decision.PAGE).setService("tts-burn").setModelVersion(null).setBaselineVersion(null)
                .setRollbackTo(null).setSlo("tts-availability").setWindowEnd(1_767_230_000_000L)
                .setPolicyVersion("p").setSummary("burning").setFindings(new ArrayList<>())
                .setLongWindow(3_600_000L).setShortWindow(300_000L).setLongBurnRate(16.25).setShortBurnRate(20.5)
                .setThreshold(14.4).setBudgetRemaining(-0.25).build());
    }

    @Test
    void roundTripsEveryField() {
        for (Advisory a : List.of(rollback(), page())) {
            String json = AdvisoryJson.toJson(a);
            assertThat(json).doesNotContain("\n");
            Advisory back = AdvisoryJson.fromJson(json);
            assertThat(back).isEqualTo(a);
            assertThat(AdvisoryJson.toJson(back)).isEqualTo(json);
            assertThat(back.getFindings()).extracting(f -> new ArrayList<>(f.getSlice().keySet()))
                    .isEqualTo(a.getFindings().stream().map(f -> new ArrayList<>(f.getSlice().keySet())).toList());
        }
    }

    @Test
    void fieldNamesAreExactlyTheAvroNamesInSchemaOrder() throws Exception {
        JsonNode node = new ObjectMapper().readTree(AdvisoryJson.toJson(rollback()));
        assertThat(names(node)).isEqualTo(Advisory.getClassSchema().getFields().stream().map(Schema.Field::name).toList());
        assertThat(names(node.get("findings").get(0)))
                .isEqualTo(Finding.getClassSchema().getFields().stream().map(Schema.Field::name).toList())
                .contains("baseline_samples", "p_value");
    }

    @Test
    void enumsAreStringsNullsAreNullAndNothingIsUnionWrapped() throws Exception {
        JsonNode node = new ObjectMapper().readTree(AdvisoryJson.toJson(rollback()));
        assertThat(node.get("kind").textValue()).isEqualTo("ROLLOUT");
        assertThat(node.get("decision").textValue()).isEqualTo("ROLLBACK");
        assertThat(node.get("model_version").textValue()).isEqualTo("v2"); // not {"string": "v2"}
        assertThat(node.get("slo").isNull()).isTrue();
        assertThat(node.get("long_burn_rate").isNull()).isTrue();
        assertThat(node.get("window_end").isIntegralNumber()).isTrue();
        JsonNode wer = node.get("findings").get(0);
        assertThat(wer.get("action").textValue()).isEqualTo("ROLLBACK");
        assertThat(wer.get("direction").textValue()).isEqualTo("LOWER_IS_BETTER");
        assertThat(wer.get("value").doubleValue()).isEqualTo(0.1875); // not {"double": 0.1875}
        assertThat(wer.get("critical").booleanValue()).isTrue();
        assertThat(wer.get("slice").get("language").textValue()).isEqualTo("de-DE");
        JsonNode latency = node.get("findings").get(1);
        assertThat(latency.get("value").isNull()).isTrue();
        assertThat(latency.get("p_value").isNull()).isTrue();
        assertThat(latency.get("slice").isObject()).isTrue();
        assertThat(latency.get("slice").size()).isZero();

        JsonNode burn = new ObjectMapper().readTree(AdvisoryJson.toJson(page()));
        assertThat(burn.get("model_version").isNull()).isTrue();
        assertThat(burn.get("long_burn_rate").doubleValue()).isEqualTo(16.25);
        assertThat(burn.get("long_window").longValue()).isEqualTo(3_600_000L);
    }

    @Test
    void missingFieldsWithDefaultsAreFilledAndUnknownFieldsIgnored() {
        String json = AdvisoryJson.toJson(page())
                .replace(",\"budget_remaining\":-0.25", "")
                .replace("\"summary\":", "\"added_later\":{\"x\":1},\"summary\":");
        Advisory back = AdvisoryJson.fromJson(json);
        assertThat(back.getBudgetRemaining()).isNull();
        assertThat(back.getSummary()).isEqualTo("burning");
    }

    @Test
    void aRolloutAdvisoryOfAnOlderWriterReadsAsNotPromotableWithoutVerdicts() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode node = (com.fasterxml.jackson.databind.node.ObjectNode)
                mapper.readTree(AdvisoryJson.toJson(rollback()));
        node.remove(List.of("promotable", "unverified_slices"));
        for (JsonNode f : node.get("findings")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) f).remove(
                    List.of("verdict", "confidence_bound", "samples_needed", "time_needed_ms", "traffic_share"));
        }
        Advisory back = AdvisoryJson.fromJson(mapper.writeValueAsString(node));
        assertThat(back.getPromotable()).isFalse();
        assertThat(back.getUnverifiedSlices()).isEmpty();
        assertThat(back.getFindings()).allSatisfy(f -> {
            assertThat(f.getVerdict()).isNull();
            assertThat(f.getSamplesNeeded()).isNull();
            assertThat(f.getTrafficShare()).isNull();
        });
    }

    @Test
    void badJsonNamesTheField() {
        String json = AdvisoryJson.toJson(rollback());
        assertThatThrownBy(() -> AdvisoryJson.fromJson(json.replace("\"ROLLBACK\",\"service\"", "\"MAYBE\",\"service\"")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("advisory.decision");
        assertThatThrownBy(() -> AdvisoryJson.fromJson(json.replace("\"samples\":1234", "\"samples\":\"many\"")))
                .hasMessageContaining("advisory.findings[0].samples");
        assertThatThrownBy(() -> AdvisoryJson.fromJson(json.replace("\"service\":\"asr-regress\",", "")))
                .hasMessageContaining("advisory.service: missing");
        assertThatThrownBy(() -> AdvisoryJson.fromJson("{not json")).hasMessageContaining("not valid JSON");
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            names.add(it.next());
        }
        return names;
    }
}
