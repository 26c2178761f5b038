package io.speechslo.generate;

import io.speechslo.metrics.Signal;
import io.speechslo.policy.load.PolicyException;
import io.speechslo.telemetry.Track;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScenarioLoaderTest {

    /** A valid scenario; each validation case replaces one line of it. Line numbers are 1-based. */
    static final List<String> VALID = List.of(
            "apiVersion: speechslo.io/v1",                              // 1
            "kind: TelemetryScenario",                                  // 2
            "metadata: {name: valid}",                                  // 3
            "spec:",                                                    // 4
            "  start: 2026-01-05T08:00:00Z",                            // 5
            "  duration: 2h",                                           // 6
            "  services:",                                              // 7
            "    - name: asr-a",                                        // 8
            "      signal: asr",                                        // 9
            "      ratePerMinute: 100",                                 // 10
            "      diurnal: {amplitude: 0.2, peakHour: 14}",            // 11
            "      stable: v1",                                         // 12
            "      canary: {version: v2, share: 0.5}",                  // 13
            "      mix:",                                               // 14
            "        language: {en-US: 1}",                             // 15
            "        region: {us-east-1: 1}",                           // 16
            "        device: {mobile: 1, web: 1}",                      // 17
            "        acoustic_condition: {quiet: 1, noisy: 1}",         // 18
            "      base:",                                              // 19
            "        firstPartialMs: {median: 100, p99: 200}",          // 20
            "      profiles:",                                          // 21
            "        - where: {acoustic_condition: noisy}",             // 22
            "          set: {wer: 0.2}",                                // 23
            "  changes:",                                               // 24
            "    - name: slower",                                       // 25
            "      service: asr-a",                                     // 26
            "      from: 30m",                                          // 27
            "      track: canary",                                      // 28
            "      where: {device: mobile}",                            // 29
            "      adjust: {firstPartialMs: {multiply: 1.5}}");         // 30

    static Scenario parse(List<String> lines) {
        return ScenarioLoader.parse("s.yaml", String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    }

    static List<String> with(int line, String text) {
        List<String> l = new java.util.ArrayList<>(VALID);
        l.set(line - 1, text);
        return l;
    }

    @Test
    void readsEverySetting() {
        Scenario s = parse(VALID);
        assertThat(s.name()).isEqualTo("valid");
        assertThat(s.duration()).isEqualTo(Duration.ofHours(2));
        Scenario.Service svc = s.services().get(0);
        assertThat(svc.signal()).isEqualTo(Signal.ASR);
        assertThat(svc.canaryVersion()).isEqualTo("v2");
        assertThat(svc.canaryShare()).isEqualTo(0.5);
        assertThat(svc.mix().get("device")).containsExactly(Map.entry("mobile", 1.0), Map.entry("web", 1.0));
        assertThat(svc.base().get(Quantity.FIRST_PARTIAL_MS)).isEqualTo(new Scenario.Setting(100, 200));
        assertThat(svc.base().get(Quantity.WER)).isEqualTo(Scenario.Setting.of(Quantity.WER));
        assertThat(svc.profiles().get(0).set()).containsEntry(Quantity.WER, new Scenario.Setting(0.2, Double.NaN));
        Scenario.Change c = s.changes().get(0);
        assertThat(c.from()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.until()).isNull();
        assertThat(c.track()).isEqualTo(Track.CANARY);
        assertThat(c.where()).containsExactly(Map.entry("device", "mobile"));
        assertThat(c.adjust()).containsExactly(Map.entry(Quantity.FIRST_PARTIAL_MS, new Scenario.Adjustment(1.5, 0)));
    }

    @Test
    void everyShippedScenarioLoads() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("job/scenarios"))) {
            List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertThat(yaml).hasSizeGreaterThanOrEqualTo(6);
            for (Path p : yaml) {
                Scenario s = ScenarioLoader.load(p);
                assertThat(p.getFileName().toString()).isEqualTo(s.name() + ".yaml");
            }
        }
    }

    @ParameterizedTest(name = "line {0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            1  | 'apiVersion: speechslo.io/v2'                     | 1  | apiVersion                          | unknown apiVersion 'speechslo.io/v2'
            2  | 'kind: SLO'                                       | 2  | kind                                | unknown kind 'SLO'
            5  | '  start: yesterday'                              | 5  | spec.start                          | not an ISO-8601 instant
            6  | '  duration: 90s'                                 | 6  | spec.duration                       | whole number of minutes
            6  | '  duration: soon'                                | 6  | spec.duration                       | is not a duration
            9  | '      signal: video'                             | 9  | spec.services[0].signal             | unknown signal 'video'
            10 | '      ratePerMinute: 0'                          | 10 | spec.services[0].ratePerMinute      | greater than 0
            10 | '      ratePerMinute: lots'                       | 10 | spec.services[0].ratePerMinute      | must be a number
            11 | '      diurnal: {amplitude: 1.5}'                 | 11 | spec.services[0].diurnal.amplitude  | at most 1
            13 | '      canary: {version: v1, share: 0.5}'         | 13 | spec.services[0].canary.version     | another version than stable
            13 | '      canary: {version: v2, share: 0}'           | 13 | spec.services[0].canary.share       | greater than 0
            13 | '      canary: {version: v2, shar: 0.5}'          | 13 | spec.services[0].canary.shar        | unknown key 'shar'
            11 | '      shadow: {version: v2, share: 0.1}'         | 11 | spec.services[0].shadow.version     | another version than stable 'v1' and canary 'v2'
            11 | '      shadow: {version: v3, share: 1.5}'         | 11 | spec.services[0].shadow.share       | at most 1
            20 | '        shadowRate: 0.1'                         | 20 | spec.services[0].base.shadowRate    | the service has no shadow deployment
            23 | '          set: {shadowRate: 0.2}'                | 23 | spec.services[0].profiles[0].set.shadowRate | the service has no shadow deployment
            16 | '        voice: {aria: 1}'                        | 16 | spec.services[0].mix.voice          | unknown key 'voice'
            17 | '        device: {mobile: 1, web: -1}'            | 17 | spec.services[0].mix.device.web     | greater than 0
            20 | '        firstPartialMs: {median: 300, p99: 200}' | 20 | spec.services[0].base.firstPartialMs.p99 | below the median
            20 | '        firstPartialMs: {median: 0, p99: 200}'  | 20 | spec.services[0].base.firstPartialMs.median | must be greater than 0 and at most 600000, not 0
            20 | '        firstPartialMs: 150'                     | 20 | spec.services[0].base.firstPartialMs | must be a mapping
            20 | '        preference: 4'                           | 20 | spec.services[0].base.preference    | unknown quantity 'preference' (ASR services have:
            20 | '        wer: 1.5'                                | 20 | spec.services[0].base.wer           | at most 1
            22 | '        - where: {acoustic_condition: nosy}'     | 22 | spec.services[0].profiles[0].where.acoustic_condition | 'nosy' is not a value of acoustic_condition
            22 | '        - where: {voice: aria}'                  | 22 | spec.services[0].profiles[0].where.voice | not a slice dimension of ASR
            26 | '      service: asr-b'                            | 26 | spec.changes[0].service             | no service 'asr-b'
            27 | '      from: 2h'                                  | 27 | spec.changes[0].from                | not before the end of the scenario
            28 | '      track: shade'                              | 28 | spec.changes[0].track               | unknown track 'shade' (stable, canary or shadow)
            28 | '      track: shadow'                             | 28 | spec.changes[0].track               | no service this change applies to has a shadow deployment
            28 | '      version: v3'                               | 28 | spec.changes[0].version             | no service this change applies to runs version 'v3'
            29 | '      where: {device: car}'                      | 29 | spec.changes[0].where.device        | 'car' is not a value of device
            30 | '      adjust: {firstPartialMs: {times: 2}}'      | 30 | spec.changes[0].adjust.firstPartialMs.times | unknown key 'times'
            30 | '      adjust: {firstAudioMs: {multiply: 2}}'     | 30 | spec.changes[0].adjust.firstAudioMs | unknown quantity 'firstAudioMs' (ASR services have:
            30 | '      adjust: {firstPartialMs: {}}'              | 30 | spec.changes[0].adjust.firstPartialMs | give multiply, add or both
            30 | '      adjust: {wer: {multiply: -1}}'             | 30 | spec.changes[0].adjust.wer.multiply | at least 0
            30 | '      adjust: {shadowRate: {add: 0.5}}'          | 30 | spec.changes[0].adjust.shadowRate   | service 'asr-a' has no shadow deployment
            30 | '      until: 20m'                                | 30 | spec.changes[0].until               | must come after from (30m)
            30 | '      newValues: {device: {web: 1}}'             | 30 | spec.changes[0].newValues.device.web | already a value of device
            """)
    void mistakesNameFileLineAndField(int line, String text, int reportedLine, String field, String problem) {
        assertThatThrownBy(() -> parse(with(line, text)))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith("s.yaml:" + reportedLine + ": " + field + ": ")
                .hasMessageContaining(problem);
    }

    @Test
    void missingPiecesArePointedAt() {
        List<String> noMix = new java.util.ArrayList<>(VALID);
        noMix.remove(17); // acoustic_condition
        assertThatThrownBy(() -> parse(noMix)).hasMessage("s.yaml:14: spec.services[0].mix.acoustic_condition: required key is missing");
        List<String> nothingToDo = new java.util.ArrayList<>(VALID.subList(0, 29));
        assertThatThrownBy(() -> parse(nothingToDo)).hasMessage("s.yaml:25: spec.changes[0]: a change must adjust something or bring newValues");
        assertThatThrownBy(() -> parse(List.of("spec: [unclosed")))
                .isInstanceOf(PolicyException.class).hasMessageStartingWith("s.yaml:1: not valid YAML");
        assertThatThrownBy(() -> ScenarioLoader.load(Path.of("no/such/scenario.yaml")))
                .hasMessage("no/such/scenario.yaml: no such file");
    }

    @Test
    void aCanaryChangeNeedsACanary() {
        List<String> noCanary = with(13, "      # no canary");
        assertThatThrownBy(() -> parse(noCanary)).hasMessage(
                "s.yaml:28: spec.changes[0].track: no service this change applies to has a canary");
    }
}
