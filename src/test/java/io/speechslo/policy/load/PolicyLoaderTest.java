package io.speechslo.policy.load;

import io.speechslo.advisory.Direction;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.BurnSettings;
import io.speechslo.policy.DriftPolicy;
import io.speechslo.policy.GatePolicy;
import io.speechslo.policy.GateRule;
import io.speechslo.policy.LimitMode;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class PolicyLoaderTest {

    @TempDir
    Path tmp;

    @Test
    void defaultsFromTheClasspathAndFromJobFolderAgree() {
        Policies packaged = PolicyLoader.loadDefaults();
        Policies folder = PolicyLoader.load(JobDir.SHIPPED);

        assertThat(packaged.version()).matches("[0-9a-f]{12}").isEqualTo(folder.version());
        assertThat(folder.slos()).extracting(SloDefinition::name)
                .containsExactlyElementsOf(packaged.slos().stream().map(SloDefinition::name).collect(Collectors.toList()));
        assertThat(folder.defaultGate()).isEqualTo(packaged.defaultGate());
        assertThat(folder.drift()).isEqualTo(packaged.drift());
        assertThat(folder.burn()).isEqualTo(packaged.burn());
    }

    @Test
    void theIndexListsExactlyThePolicyFilesOfJobFolder() throws IOException {
        TreeSet<String> inFolder;
        try (Stream<Path> walk = Files.walk(JobDir.SHIPPED)) {
            inFolder = walk.filter(Files::isRegularFile)
                    .map(p -> JobDir.SHIPPED.relativize(p).toString().replace('\\', '/'))
                    .filter(PolicyLoader::isPolicyFile)
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        TreeSet<String> indexed = PolicyLoader.packaged().stream().map(PolicyLoader.PolicyFile::name)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(indexed).isEqualTo(inFolder).contains("burn.yaml", "drift.yaml", "gates/default.yaml",
                "slos/alerts.yaml", "slos/asr.yaml", "slos/tts.yaml");
    }

    @Test
    void shippedSlosAreTheTenThirtyDayRollingOnes() {
        Policies p = PolicyLoader.loadDefaults();
        assertThat(p.slos()).extracting(SloDefinition::name, SloDefinition::service, SloDefinition::signal,
                SloDefinition::objective, SloDefinition::window, SloDefinition::isThreshold).containsExactly(
                tuple("asr-availability", "*", Signal.ASR, 0.999, Duration.ofDays(30), false),
                tuple("asr-first-partial-latency", "*", Signal.ASR, 0.99, Duration.ofDays(30), false),
                tuple("asr-finalization-latency", "*", Signal.ASR, 0.99, Duration.ofDays(30), false),
                tuple("asr-wer-per-slice", "*", Signal.ASR, 0.99, Duration.ofDays(30), true),
                tuple("asr-entity-error-per-slice", "*", Signal.ASR, 0.99, Duration.ofDays(30), true),
                tuple("asr-first-partial-p95-per-slice", "*", Signal.ASR, 0.99, Duration.ofDays(30), true),
                tuple("tts-first-audio-p95-per-slice", "*", Signal.TTS, 0.99, Duration.ofDays(30), true),
                tuple("tts-availability", "*", Signal.TTS, 0.999, Duration.ofDays(30), false),
                tuple("tts-first-audio-latency", "*", Signal.TTS, 0.99, Duration.ofDays(30), false),
                tuple("tts-smooth-playback", "*", Signal.TTS, 0.995, Duration.ofDays(30), false));
        assertThat(p.slos()).allSatisfy(s -> assertThat(s.alerts()).hasSize(4));
        assertThat(p.slosFor("any-service", Signal.ASR)).hasSize(3);
        assertThat(p.thresholdSlosFor("any-service", Signal.ASR)).extracting(s -> s.threshold().describe())
                .containsExactly("wer <= 0.25", "entity_error_rate <= 0.3", "first_partial_p95_ms <= 400");
        assertThat(p.thresholdSlosFor("any-service", Signal.TTS)).extracting(s -> s.threshold().describe())
                .containsExactly("first_audio_p95_ms <= 400");
    }

    @Test
    void shippedDriftAndBurnSettingsAreTheModelDefaults() {
        Policies p = PolicyLoader.loadDefaults();
        assertThat(p.drift()).isEqualTo(DriftPolicy.DEFAULT);
        assertThat(p.burn()).isEqualTo(BurnSettings.DEFAULT);
    }

    @Test
    void shippedGateHasTheAgreedRules() {
        GatePolicy gate = PolicyLoader.loadDefaults().defaultGate();
        assertThat(gate.falseDiscoveryRate()).isEqualTo(0.05);
        assertThat(gate.maxSliceDimensions()).isEqualTo(3);
        assertThat(gate.promotionMinShare()).isEqualTo(0.02);
        assertThat(gate.alwaysValid()).isTrue();

        Map<String, GateRule> asr = byId(gate.rulesFor(Signal.ASR));
        assertThat(asr.keySet()).containsExactly("wer", "entity_error_rate", "sensitive_logging_rate", "timeout_rate",
                "error_rate", "first_partial_p95_ms", "finalization_p99_ms", "cost_per_audio_minute");
        assertRule(asr.get("wer"), true, LimitMode.RELATIVE, 0.05, 1);
        assertRule(asr.get("entity_error_rate"), true, LimitMode.RELATIVE, 0.10, 1);
        assertRule(asr.get("sensitive_logging_rate"), true, LimitMode.RELATIVE, 0.0, 1);
        assertRule(asr.get("timeout_rate"), true, LimitMode.DELTA, 0.001, 1);
        assertRule(asr.get("error_rate"), true, LimitMode.DELTA, 0.001, 1);
        assertRule(asr.get("first_partial_p95_ms"), true, LimitMode.ABSOLUTE, 300, 1);
        assertRule(asr.get("finalization_p99_ms"), true, LimitMode.ABSOLUTE, 800, 1);
        assertRule(asr.get("cost_per_audio_minute"), false, LimitMode.RELATIVE, 0.10, 1);
        // Labelled-sample metrics need fewer requests than rare-event rates.
        assertThat(asr.get("wer").minSamples()).isLessThan(asr.get("timeout_rate").minSamples());
        assertThat(gate.rulesFor(Signal.ASR)).allSatisfy(r -> {
            assertThat(r.direction()).isEqualTo(Direction.LOWER_IS_BETTER);
            assertThat(r.minSliceSamples()).isLessThan(r.minSamples());
        });

        Map<String, GateRule> tts = byId(gate.rulesFor(Signal.TTS));
        assertThat(tts.keySet()).containsExactly("first_audio_p95_ms", "underrun_rate", "timeout_rate", "error_rate",
                "preference", "cost_per_generated_second");
        assertRule(tts.get("first_audio_p95_ms"), true, LimitMode.ABSOLUTE, 250, 1);
        assertRule(tts.get("underrun_rate"), true, LimitMode.DELTA, 0.002, 1);
        assertRule(tts.get("timeout_rate"), true, LimitMode.DELTA, 0.001, 1);
        assertRule(tts.get("error_rate"), true, LimitMode.DELTA, 0.001, 1);
        assertRule(tts.get("preference"), false, LimitMode.RELATIVE, 0.02, 2);
        assertThat(tts.get("preference").direction()).isEqualTo(Direction.HIGHER_IS_BETTER);
        assertRule(tts.get("cost_per_generated_second"), false, LimitMode.RELATIVE, 0.10, 1);
        assertThat(tts.get("timeout_rate").metric()).isEqualTo(Metric.TTS_TIMEOUT_RATE);
    }

    @Test
    void directionDefaultsToTheMetricsOwnAndTierToOne() {
        JobDir.write(tmp, "gates/default.yaml", JobDir.edit(JobDir.shipped("gates/default.yaml"),
                "direction: higher_is_better, ", ""));
        GateRule preference = byId(PolicyLoader.load(tmp).defaultGate().rulesFor(Signal.TTS)).get("preference");
        assertThat(preference.direction()).isEqualTo(Direction.HIGHER_IS_BETTER);
        GateRule wer = byId(PolicyLoader.load(tmp).defaultGate().rulesFor(Signal.ASR)).get("wer");
        assertThat(wer.tier()).isEqualTo(1);
    }

    @Test
    void anEmptyFolderFallsBackToEveryPackagedFile() {
        Policies p = PolicyLoader.load(tmp);
        assertThat(p.version()).isEqualTo(PolicyLoader.loadDefaults().version());
        assertThat(p.slos()).hasSize(10);
    }

    @Test
    void filesPresentAreReadAndOnlyTheMissingOnesFallBack() {
        JobDir.write(tmp, "burn.yaml", JobDir.edit(JobDir.shipped("burn.yaml"), "minEvents: 100", "minEvents: 250"));
        Policies p = PolicyLoader.load(tmp);
        assertThat(p.burn().minEvents()).isEqualTo(250);
        assertThat(p.drift()).isEqualTo(DriftPolicy.DEFAULT);
        assertThat(p.slos()).hasSize(10);
        assertThat(p.version()).isNotEqualTo(PolicyLoader.loadDefaults().version());
    }

    @Test
    void anEmptyShippedFileDropsItsPolicies() {
        JobDir.write(tmp, "slos/tts.yaml", "# no TTS SLOs here\n");
        Policies p = PolicyLoader.load(tmp);
        JobDir.write(tmp, "slos/quality.yaml", "# no quality SLOs here\n");
        Policies p2 = PolicyLoader.load(tmp);
        assertThat(p2.slos()).extracting(SloDefinition::signal).containsOnly(Signal.ASR);
        assertThat(p2.slos()).noneMatch(SloDefinition::isThreshold);
        assertThat(p.slos()).filteredOn(s -> !s.isThreshold()).extracting(SloDefinition::signal).containsOnly(Signal.ASR);
    }

    @Test
    void filesTheLoaderDoesNotOwnAreIgnored() {
        JobDir.write(tmp, "job.yaml", "kafka: {bootstrap: [not, a, policy}\n");
        JobDir.write(tmp, "gates/example-override.yaml.off", "this: is not loaded: at all\n");
        JobDir.write(tmp, "slos/notes.txt", "not yaml { at all\n");
        assertThat(PolicyLoader.load(tmp).version()).isEqualTo(PolicyLoader.loadDefaults().version());
    }

    @Test
    void versionDigestsNamesAndBytes() {
        List<PolicyLoader.PolicyFile> files = PolicyLoader.packaged();
        String v = PolicyLoader.version(files);
        List<PolicyLoader.PolicyFile> reversed = new java.util.ArrayList<>(files);
        java.util.Collections.reverse(reversed);
        assertThat(PolicyLoader.version(reversed)).isEqualTo(v);

        List<PolicyLoader.PolicyFile> changed = files.stream()
                .map(f -> f.name().equals("burn.yaml")
                        ? new PolicyLoader.PolicyFile(f.name(), f.location(), (new String(f.bytes(), StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8))
                        : f)
                .collect(Collectors.toList());
        assertThat(PolicyLoader.version(changed)).isNotEqualTo(v);

        List<PolicyLoader.PolicyFile> renamed = files.stream()
                .map(f -> f.name().equals("slos/tts.yaml") ? new PolicyLoader.PolicyFile("slos/tts2.yaml", f.location(), f.bytes()) : f)
                .collect(Collectors.toList());
        assertThat(PolicyLoader.version(renamed)).isNotEqualTo(v);
    }

    @Test
    void aMissingFolderIsAnError() {
        Path missing = tmp.resolve("nope");
        assertThatThrownBy(() -> PolicyLoader.load(missing))
                .isInstanceOf(PolicyException.class)
                .hasMessage(missing + ": not a directory");
    }

    private static Map<String, GateRule> byId(List<GateRule> rules) {
        return rules.stream().collect(Collectors.toMap(r -> r.metric().id(), Function.identity(), (a, b) -> a,
                java.util.LinkedHashMap::new));
    }

    private static void assertRule(GateRule r, boolean critical, LimitMode mode, double limit, int tier) {
        assertThat(r.critical()).as(r.metric().id() + " critical").isEqualTo(critical);
        assertThat(r.mode()).as(r.metric().id() + " mode").isEqualTo(mode);
        assertThat(r.limit()).as(r.metric().id() + " limit").isEqualTo(limit);
        assertThat(r.tier()).as(r.metric().id() + " tier").isEqualTo(tier);
        assertThat(r.minSamples()).as(r.metric().id() + " minSamples").isPositive();
    }
}
