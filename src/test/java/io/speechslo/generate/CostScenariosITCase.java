package io.speechslo.generate;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Hint;
import io.speechslo.scorecard.Scorecard;
import io.speechslo.scorecard.ScorecardKind;
import io.speechslo.scorecard.ScorecardValue;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Track;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped cost scenarios through the whole topology: a stable-only service whose cost per unit rises
 * for a known reason gets one COST INVESTIGATE whose first hint names that reason, with the share of the
 * rise it explains; the null scenario (nothing changes) gets no COST advisory and no hint anywhere; a
 * shadow deployment's spend is evidence beside the user-facing figure, never part of it.
 */
class CostScenariosITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "cost-batching-collapse.yaml, batching, cost_per_audio_minute",
            "cost-retry-storm.yaml, retries, cost_per_audio_minute",
            "cost-language-mix.yaml, request_mix, cost_per_audio_minute",
            "cost-model-slower.yaml, model, cost_per_audio_minute",
            "cost-fallback-storm.yaml, fallback, cost_per_audio_minute",
            "cost-short-audio.yaml, audio_length, cost_per_audio_minute",
            "cost-pool-shift.yaml, pool, cost_per_audio_minute",
            "cost-precision-fp32.yaml, precision, cost_per_audio_minute",
            "cost-gpu-starved.yaml, gpu_saturation, cost_per_audio_minute",
            "cost-warm-pool.yaml, autoscaler, cost_per_audio_minute",
            "tts-cache-loss.yaml, cache, cost_per_generated_second"})
    void aKnownCauseIsTheFirstHint(String scenario, String driver, String metric) throws Exception {
        ShippedScenariosITCase.Run run = ShippedScenariosITCase.run(scenario);
        List<Advisory> cost = run.of(AdvisoryKind.COST);
        assertThat(cost).as("one COST advisory, in the third hour").singleElement().satisfies(a -> {
            assertThat(a.getDecision()).isEqualTo(Decision.INVESTIGATE);
            assertThat(a.getModelVersion()).isNotNull();
            assertThat(a.getFindings()).singleElement().satisfies(f -> {
                assertThat(f.getMetric()).isEqualTo(metric);
                assertThat(f.getValue()).isGreaterThan(f.getLimit());
                assertThat(f.getLimit()).isGreaterThan(f.getBaseline());
                assertThat(f.getSamples()).isGreaterThan(1000);
                assertThat(f.getCritical()).isFalse();
            });
            Hint first = a.getHints().get(0);
            assertThat(first.getDriver()).isEqualTo(driver);
            // the scenario's cause is the whole rise: the hint says so, within sampling noise
            assertThat(first.getShareExplained()).isBetween(0.8, 1.25);
            assertThat(first.getValue()).isNotEqualTo(first.getBaseline());
            assertThat(a.getSummary()).contains("first driver: " + driver);
        });
        // cost is noncritical and no rollout is under way: nothing else fires
        assertThat(run.of(AdvisoryKind.ROLLOUT)).isEmpty();
        assertThat(run.of(AdvisoryKind.BURN_RATE)).isEmpty();
        assertThat(run.advisories()).allSatisfy(a -> {
            if (a.getKind() != AdvisoryKind.COST) {
                assertThat(a.getHints()).isEmpty();
            }
        });
    }

    @Test
    void shadowSpendIsEvidenceNeverTheUserFacingFigure() throws Exception {
        String scenario = "cost-shadow-traffic.yaml";
        ShippedScenariosITCase.Run run = ShippedScenariosITCase.run(scenario);
        long shadowFrom = Instant.parse("2026-01-05T10:00:00Z").toEpochMilli(); // the scenario's start + 2h
        // asr-dictation only starts mirroring: no COST; asr-assistant's model also got slower: COST names the
        // model first and the shadow's new spend beside it, as evidence with no share of the rise
        assertThat(run.of(AdvisoryKind.COST)).singleElement().satisfies(a -> {
            assertThat(a.getService()).isEqualTo("asr-assistant");
            assertThat(a.getDecision()).isEqualTo(Decision.INVESTIGATE);
            assertThat(a.getHints().get(0).getDriver()).isEqualTo("model");
            assertThat(a.getHints().get(0).getShareExplained()).isBetween(0.8, 1.25);
            assertThat(a.getHints()).filteredOn(h -> h.getDriver().equals("shadow_traffic")).singleElement()
                    .satisfies(h -> {
                        assertThat(h.getMetric()).isEqualTo("shadow_cost_usd");
                        assertThat(h.getShareExplained()).isNull();
                        assertThat(h.getBaseline()).isZero();
                        assertThat(h.getValue()).isPositive();
                    });
        });
        assertThat(run.of(AdvisoryKind.ROLLOUT)).isEmpty();
        assertThat(run.of(AdvisoryKind.BURN_RATE)).isEmpty();
        // the generated telemetry, counted by brute force: shadow copies from the third hour only
        Map<String, Long> stable = new HashMap<>();
        Map<String, Long> shadow = new HashMap<>();
        TelemetryGenerator generator = new TelemetryGenerator(ScenarioLoader.parse(scenario,
                Files.readAllBytes(Path.of("job/scenarios", scenario))), ShippedScenariosITCase.SEED);
        for (Iterator<org.apache.avro.specific.SpecificRecord> it = generator.records(); it.hasNext(); ) {
            AsrRequest r = (AsrRequest) it.next();
            if (r.getTrack() == Track.SHADOW) {
                assertThat(r.getEventTime().toEpochMilli()).isGreaterThanOrEqualTo(shadowFrom);
                assertThat(r.getModelVersion()).isEqualTo("asr-2026.03.0-shadow");
                assertThat(r.getPool()).endsWith("-shadow");
                shadow.merge(r.getService(), 1L, Long::sum);
            } else {
                assertThat(r.getTrack()).isEqualTo(Track.STABLE);
                stable.merge(r.getService(), 1L, Long::sum);
            }
        }
        assertThat(shadow).containsOnlyKeys("asr-assistant", "asr-dictation");
        for (String service : List.of("asr-assistant", "asr-dictation")) {
            List<Scorecard> whole = run.scorecards().stream().filter(c -> c.getKind() == ScorecardKind.SLICE
                    && c.getService().equals(service) && c.getSlice().isEmpty()).toList();
            // the user-facing scorecards count only user-facing requests; the shadow's count only its own, and
            // carry its cost alone, from the minute it starts
            assertThat(requests(whole, Track.STABLE)).as(service + " stable requests").isEqualTo(stable.get(service));
            assertThat(requests(whole, Track.SHADOW)).as(service + " shadow requests").isEqualTo(shadow.get(service));
            assertThat(whole).filteredOn(c -> Track.SHADOW.name().equals(c.getTrack())).isNotEmpty().allSatisfy(c -> {
                assertThat(c.getWindowStart()).isGreaterThanOrEqualTo(shadowFrom);
                assertThat(c.getValues()).extracting(ScorecardValue::getName)
                        .containsExactly("requests", "shadow_cost_usd");
            });
        }
    }

    private static long requests(List<Scorecard> scorecards, Track track) {
        return scorecards.stream().filter(c -> track.name().equals(c.getTrack())).flatMap(c -> c.getValues().stream())
                .filter(v -> v.getName().equals("requests")).mapToLong(v -> Math.round(v.getValue())).sum();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cost-steady.yaml", "healthy-canary.yaml", "gpu-cost-doubling.yaml"})
    void nothingChangedNoCostAdvisory(String scenario) throws Exception {
        // gpu-cost-doubling: the canary costs twice stable from its first minute, so against its own
        // history nothing changed (the release gate is what pauses it)
        ShippedScenariosITCase.Run run = ShippedScenariosITCase.run(scenario);
        assertThat(run.of(AdvisoryKind.COST)).isEmpty();
        assertThat(run.advisories()).allSatisfy(a -> assertThat(a.getHints()).isEmpty());
    }
}
