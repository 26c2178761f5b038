package io.speechslo.generate;

import io.speechslo.kafka.TelemetryValidator;
import io.speechslo.policy.load.PolicyException;
import io.speechslo.privacy.PrivacyStats;
import io.speechslo.scorecard.ScorecardValue;
import io.speechslo.serving.ServingStats;
import io.speechslo.telemetry.AccessPurpose;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.PrivacyEventKind;
import io.speechslo.telemetry.ServingSample;

import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

import static io.speechslo.generate.TelemetryGeneratorTest.ASR_SERVICE;
import static io.speechslo.generate.TelemetryGeneratorTest.START;
import static io.speechslo.generate.TelemetryGeneratorTest.TTS_SERVICE;
import static io.speechslo.generate.TelemetryGeneratorTest.scenario;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Serving samples and privacy events from a scenario's serving: and privacy: sections: deterministic
 * for a seed, drawn apart from the requests (which stay the same byte for byte), valid, shaped by
 * their settings, and changed by a scenario's changes from their time on.
 */
class OptionalInputsGeneratorTest {

    static final long MINUTE = 60_000;

    /** The ASR test service (canary v2 at 25%, one region) with both sections. */
    static final String WITH_INPUTS = ASR_SERVICE.formatted(200) + String.join("\n",
            "      serving:",
            "        interval: 15s",
            "        replicas: 3",
            "        scaleUpEvery: 20m",
            "        autoscalerLagS: 90",
            "        gpuMemGb: 40",
            "        precision: int8",
            "      privacy:",
            "        reviewAccessesPerHour: 120",
            "        labellingAccessesPerHour: 60",
            "        retentionEvery: 30m",
            "        retentionDue: 100",
            "        retentionDoneShare: 0.9",
            "        fixtureEvery: 10m",
            "        fixtureSlices: 40",
            "");

    static <T> List<T> list(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    static ServingStats serving(List<ServingSample> samples, Predicate<ServingSample> which) {
        ServingStats s = new ServingStats();
        samples.stream().filter(which).forEach(s::add);
        return s;
    }

    static PrivacyStats privacy(List<PrivacyEvent> events, Predicate<PrivacyEvent> which) {
        PrivacyStats s = new PrivacyStats();
        events.stream().filter(which).forEach(s::add);
        return s;
    }

    static Double value(List<ScorecardValue> values, String name) {
        return values.stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow().getValue();
    }

    static long minuteOf(long t) {
        return (t - START.toEpochMilli()) / MINUTE;
    }

    @Test
    void theRequestsAreTheSameByteForByteWithOrWithoutTheNewSections(@TempDir Path tmp) throws Exception {
        Scenario plain = scenario("20m", ASR_SERVICE.formatted(200) + TTS_SERVICE, "");
        Scenario with = scenario("20m", WITH_INPUTS + TTS_SERVICE, "");
        assertThat(TelemetryGeneratorTest.all(new TelemetryGenerator(with, 5)))
                .isEqualTo(TelemetryGeneratorTest.all(new TelemetryGenerator(plain, 5)));
        assertThat(TelemetryGeneratorTest.avroBytes(with, 5, tmp.resolve("with")))
                .isEqualTo(TelemetryGeneratorTest.avroBytes(plain, 5, tmp.resolve("plain")));
        assertThat(new TelemetryGenerator(plain, 5).hasServing()).isFalse();
        assertThat(list(new TelemetryGenerator(plain, 5).servingSamples())).isEmpty();
        assertThat(list(new TelemetryGenerator(plain, 5).privacyEvents())).isEmpty();
        assertThat(new TelemetryGenerator(with, 5).hasServing()).isTrue();
        assertThat(new TelemetryGenerator(with, 5).hasPrivacy()).isTrue();
    }

    @Test
    void theSameSeedGivesTheSameSamplesAndEventsAndAnotherSeedDoesNot() {
        Scenario s = scenario("30m", WITH_INPUTS, "");
        List<ServingSample> samples = list(new TelemetryGenerator(s, 7).servingSamples());
        List<PrivacyEvent> events = list(new TelemetryGenerator(s, 7).privacyEvents());
        assertThat(list(new TelemetryGenerator(s, 7).servingSamples())).isEqualTo(samples);
        assertThat(list(new TelemetryGenerator(s, 7).privacyEvents())).isEqualTo(events);
        assertThat(list(new TelemetryGenerator(s, 8).servingSamples())).isNotEqualTo(samples);
        assertThat(list(new TelemetryGenerator(s, 8).privacyEvents())).isNotEqualTo(events);
    }

    @Test
    void everyReplicaOfEveryPoolSamplesOnItsIntervalAndThePoolScalesUpWithItsLag() {
        List<ServingSample> samples = list(new TelemetryGenerator(scenario("60m", WITH_INPUTS, ""), 1).servingSamples());
        // one region: a stable pool of 3 replicas and a canary pool of 1, 4 samples a minute each
        assertThat(samples).hasSize((3 + 1) * 4 * 60);
        assertThat(samples).extracting(ServingSample::getPool).containsOnly("gpu-us-east-1", "gpu-us-east-1-canary");
        assertThat(samples).filteredOn(x -> x.getPool().endsWith("-canary")).extracting(ServingSample::getModelVersion)
                .containsOnly("v2");
        assertThat(samples).filteredOn(x -> x.getPool().equals("gpu-us-east-1")).extracting(ServingSample::getReplica)
                .containsOnly("gpu-us-east-1-0", "gpu-us-east-1-1", "gpu-us-east-1-2");
        assertThat(samples).allSatisfy(x -> {
            assertThat(x.getPrecision()).isEqualTo("int8");
            assertThat(x.getGpuMemTotalBytes()).isEqualTo(40_000_000_000L);
        });
        long previous = Long.MIN_VALUE;
        for (ServingSample x : samples) {
            assertThat(x.getSampleTime().toEpochMilli()).isGreaterThanOrEqualTo(previous);
            previous = x.getSampleTime().toEpochMilli();
        }
        // half-way through each 20-minute period one more replica is asked for and ready 90 s later
        long start = START.toEpochMilli();
        for (ServingSample x : samples) {
            long intoPeriod = (x.getSampleTime().toEpochMilli() - start) % (20 * MINUTE);
            int base = x.getPool().endsWith("-canary") ? 1 : 3;
            if (intoPeriod < 10 * MINUTE) {
                assertThat(x.getDesiredReplicas()).isEqualTo(base);
                assertThat(x.getReadyReplicas()).isEqualTo(base);
                assertThat(x.getScaleUpRequestedAt()).isNull();
            } else if (intoPeriod < 10 * MINUTE + 90_000) {
                assertThat(x.getDesiredReplicas()).isEqualTo(base + 1);
                assertThat(x.getReadyReplicas()).isEqualTo(base);
                assertThat(x.getScaleUpRequestedAt().toEpochMilli()).isEqualTo(x.getSampleTime().toEpochMilli() - intoPeriod
                        + 10 * MINUTE);
            } else {
                assertThat(x.getReadyReplicas()).isEqualTo(base + 1);
                assertThat(x.getScaleUpRequestedAt()).isNull();
            }
        }
        List<ScorecardValue> values = serving(samples, x -> true).values();
        assertThat(value(values, ServingStats.AUTOSCALER_LAG_S)).isBetween(75.0, 90.0); // the last sample before ready
        assertThat(value(values, ServingStats.GPU_UTIL_MEAN)).isCloseTo(0.55, within(0.01));
        assertThat(value(values, ServingStats.WARM_POOL_SIZE_MIN)).isEqualTo(1.0);
    }

    /**
     * A shadow deployment serves from pools of its own (one per region, as many replicas as a canary
     * pool), whose samples draw from a stream of their own: the other pools' samples are those of the
     * same scenario without a shadow, sample for sample.
     */
    @Test
    void aShadowDeploymentSamplesItsOwnPoolsAndLeavesTheOthersAsTheyWere() {
        String shadowed = WITH_INPUTS.replace("      canary: {version: v2, share: 0.25}\n",
                "      canary: {version: v2, share: 0.25}\n      shadow: {version: v9-shadow, share: 0.3}\n");
        List<ServingSample> without = list(new TelemetryGenerator(scenario("30m", WITH_INPUTS, ""), 5).servingSamples());
        List<ServingSample> with = list(new TelemetryGenerator(scenario("30m", shadowed, ""), 5).servingSamples());

        List<ServingSample> shadow = with.stream().filter(x -> x.getPool().endsWith("-shadow")).toList();
        assertThat(with.stream().filter(x -> !x.getPool().endsWith("-shadow")).toList()).isEqualTo(without);
        // one region, one replica sampling every 15 s for 30 minutes
        assertThat(shadow).hasSize(30 * 4)
                .allSatisfy(x -> {
                    assertThat(x.getPool()).isEqualTo("gpu-us-east-1-shadow");
                    assertThat(x.getModelVersion()).isEqualTo("v9-shadow");
                    assertThat(x.getReplica()).isEqualTo("gpu-us-east-1-shadow-0");
                });
        assertThat(shadow.stream().map(ServingSample::getGpuUtil).distinct().count()).isGreaterThan(100);
    }

    @Test
    void privacyEventsFollowTheirRatesAndPeriods() {
        Scenario s = scenario("120m", WITH_INPUTS, "");
        List<PrivacyEvent> events = list(new TelemetryGenerator(s, 2).privacyEvents());
        long previous = Long.MIN_VALUE;
        for (PrivacyEvent e : events) {
            assertThat(e.getEventTime().toEpochMilli()).isGreaterThanOrEqualTo(previous);
            previous = e.getEventTime().toEpochMilli();
        }
        List<ScorecardValue> values = privacy(events, e -> true).values();
        assertThat(value(values, PrivacyStats.RAW_AUDIO_ACCESSES_REVIEW)).isCloseTo(240, within(60.0)); // 120/h x 2 h
        assertThat(value(values, PrivacyStats.RAW_AUDIO_ACCESSES_LABELLING)).isCloseTo(120, within(40.0));
        assertThat(value(values, PrivacyStats.REVIEWS_WITHOUT_OPT_IN)).isZero(); // everybody opted in by default
        assertThat(value(values, PrivacyStats.REDACTION_FAILED_EVENTS)).isZero();
        // sweeps at 15, 45, 75 and 105 minutes; fixture runs at 5, 15, ..., 115
        assertThat(events).filteredOn(e -> e.getKind() == PrivacyEventKind.RETENTION)
                .extracting(e -> minuteOf(e.getEventTime().toEpochMilli())).containsExactly(15L, 45L, 75L, 105L);
        assertThat(events).filteredOn(e -> e.getKind() == PrivacyEventKind.FIXTURE_RUN).hasSize(12)
                .allSatisfy(e -> assertThat(e.getModelVersion()).isEqualTo("v2"));
        assertThat(value(values, PrivacyStats.RETENTION_OVERDUE) / value(values, PrivacyStats.RETENTION_DUE))
                .isCloseTo(0.1, within(0.05));
        assertThat(value(values, PrivacyStats.FIXTURE_COVERAGE)).isCloseTo(0.9, within(0.05));
        assertThat(events).filteredOn(e -> e.getKind() == PrivacyEventKind.RETENTION)
                .allSatisfy(e -> assertThat(e.getModelVersion()).isNull());
    }

    @Test
    void everyGeneratedSampleAndEventIsValid() {
        Scenario s = scenario("60m", WITH_INPUTS + TTS_SERVICE.replace("      mix:", String.join("\n",
                "      serving: {scaleUpEvery: 7m, autoscalerLagS: 400}",
                "      privacy: {optInShare: 0.5, redactionFailureRate: 0.2}",
                "      mix:")), "");
        TelemetryValidator validator = TelemetryValidator.withDefaults();
        TelemetryGenerator g = new TelemetryGenerator(s, 3);
        for (Iterator<SpecificRecord> it = g.everything(); it.hasNext();) {
            SpecificRecord r = it.next();
            assertThat(validator.validate(r, io.speechslo.kafka.TelemetryRecords.eventTime(r))).as("%s", r).isEmpty();
        }
    }

    @Test
    void everythingMergesRequestsSamplesAndEventsInEventTimeOrder() {
        Scenario s = scenario("10m", WITH_INPUTS + TTS_SERVICE, "");
        TelemetryGenerator g = new TelemetryGenerator(s, 4);
        List<SpecificRecord> all = list(g.everything());
        assertThat(all).hasSize(TelemetryGeneratorTest.all(g).size() + list(g.servingSamples()).size()
                + list(g.privacyEvents()).size());
        long previous = Long.MIN_VALUE;
        for (SpecificRecord r : all) {
            assertThat(io.speechslo.kafka.TelemetryRecords.eventTime(r)).isGreaterThanOrEqualTo(previous);
            previous = io.speechslo.kafka.TelemetryRecords.eventTime(r);
        }
        assertThat(all).filteredOn(r -> r instanceof ServingSample).containsExactlyElementsOf(list(g.servingSamples()));
        assertThat(all).filteredOn(r -> r instanceof PrivacyEvent).containsExactlyElementsOf(list(g.privacyEvents()));
    }

    @Test
    void changesTakeEffectFromTheirTimeOnTheirTrackOnly() {
        String changes = String.join("\n",
                "    - name: hot GPUs on the canary",
                "      from: 30m",
                "      track: canary",
                "      adjust: {gpuUtil: {add: 0.3}}",
                "    - name: reviews without opt-in",
                "      service: asr-a",
                "      from: 20m",
                "      until: 40m",
                "      version: v1",
                "      adjust: {optInShare: {multiply: 0}, reviewAccessesPerHour: {multiply: 2}}",
                "");
        Scenario s = scenario("60m", WITH_INPUTS, changes);
        TelemetryGenerator g = new TelemetryGenerator(s, 6);
        List<ServingSample> samples = list(g.servingSamples());
        Predicate<ServingSample> canary = x -> x.getModelVersion().equals("v2");
        Predicate<ServingSample> later = x -> minuteOf(x.getSampleTime().toEpochMilli()) >= 30;
        assertThat(value(serving(samples, canary.and(later)).values(), ServingStats.GPU_UTIL_MEAN))
                .isCloseTo(0.85, within(0.02));
        assertThat(value(serving(samples, canary.and(later.negate())).values(), ServingStats.GPU_UTIL_MEAN))
                .isCloseTo(0.55, within(0.02));
        assertThat(value(serving(samples, canary.negate()).values(), ServingStats.GPU_UTIL_MEAN))
                .isCloseTo(0.55, within(0.01));
        assertThat(samples).allSatisfy(x -> assertThat(x.getGpuUtil()).isBetween(0f, 1f));

        List<PrivacyEvent> events = list(g.privacyEvents());
        Predicate<PrivacyEvent> during = e -> minuteOf(e.getEventTime().toEpochMilli()) >= 20
                && minuteOf(e.getEventTime().toEpochMilli()) < 40;
        Predicate<PrivacyEvent> stable = e -> "v1".equals(e.getModelVersion());
        Predicate<PrivacyEvent> reviews = e -> e.getPurpose() == AccessPurpose.REVIEW;
        List<ScorecardValue> changed = privacy(events, during.and(stable)).values();
        assertThat(value(changed, PrivacyStats.REVIEWS_WITHOUT_OPT_IN)).isEqualTo(value(changed,
                PrivacyStats.RAW_AUDIO_ACCESSES_REVIEW)).isGreaterThan(40.0); // 20 min at 2 x 120/h x 75%: 60
        assertThat(value(privacy(events, during.negate().or(stable.negate())).values(),
                PrivacyStats.REVIEWS_WITHOUT_OPT_IN)).isZero();
        assertThat(events).filteredOn(reviews.and(e -> !e.getOptedIn()))
                .allSatisfy(e -> assertThat(during.and(stable).test(e)).isTrue());
    }

    @Test
    void theSectionsAreReadWithDefaultsForWhatTheyLeaveOut() {
        Scenario.Service svc = scenario("60m", WITH_INPUTS + TTS_SERVICE.replace("      mix:",
                "      serving: {}\n      mix:"), "").services().get(0);
        Scenario.Serving serving = svc.serving();
        assertThat(serving.interval()).isEqualTo(java.time.Duration.ofSeconds(15));
        assertThat(serving.replicas()).isEqualTo(3);
        assertThat(serving.canaryReplicas()).isEqualTo(1);
        assertThat(serving.gpuMemGb()).isEqualTo(40);
        assertThat(serving.precision()).isEqualTo("int8");
        assertThat(serving.maxBatchSize()).isEqualTo(8);
        assertThat(serving.scaleUpEvery()).isEqualTo(java.time.Duration.ofMinutes(20));
        assertThat(serving.set()).containsEntry(InputQuantity.AUTOSCALER_LAG_S, 90.0)
                .containsEntry(InputQuantity.GPU_UTIL, 0.55).hasSize(InputQuantity.ids(InputQuantity.Input.SERVING).size());
        Scenario.Privacy privacy = svc.privacy();
        assertThat(privacy.retentionEvery()).isEqualTo(java.time.Duration.ofMinutes(30));
        assertThat(privacy.retentionDue()).isEqualTo(100);
        assertThat(privacy.fixtureSet()).isEqualTo("synthetic-asr-a");
        assertThat(privacy.fixtureSlices()).isEqualTo(40);
        assertThat(privacy.set()).containsEntry(InputQuantity.REVIEW_ACCESSES_PER_HOUR, 120.0)
                .containsEntry(InputQuantity.OPT_IN_SHARE, 1.0).containsEntry(InputQuantity.DEBUGGING_ACCESSES_PER_HOUR, 1.0);

        Scenario.Service tts = scenario("60m", WITH_INPUTS + TTS_SERVICE.replace("      mix:",
                "      serving: {}\n      mix:"), "").services().get(1);
        assertThat(tts.serving().scaleUpEvery()).isNull();
        assertThat(tts.serving().replicas()).isEqualTo(2);
        assertThat(tts.privacy()).isNull();
    }

    @Test
    void inputQuantitiesAreCheckedLikeTheOthers() {
        assertThatThrownBy(() -> scenario("60m", ASR_SERVICE.formatted(10),
                "    - adjust: {gpuUtil: {add: 0.1}}\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("spec.changes[0].adjust.gpuUtil")
                .hasMessageContaining("no service this change applies to has a serving section");
        assertThatThrownBy(() -> scenario("60m", WITH_INPUTS,
                "    - where: {device: mobile}\n      adjust: {optInShare: {multiply: 0}}\n"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("'optInShare' is a privacy quantity, which no slice narrows");
        assertThatThrownBy(() -> scenario("60m", WITH_INPUTS.replace("gpuMemGb: 40", "gpuUtil: 1.5"), ""))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("spec.services[0].serving.gpuUtil").hasMessageContaining("at most 1");
        assertThatThrownBy(() -> scenario("60m", WITH_INPUTS.replace("gpuMemGb: 40", "gpuUtl: 0.5"), ""))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("unknown key 'gpuUtl'");
        assertThatThrownBy(() -> scenario("60m", ASR_SERVICE.formatted(10).replace("base: {labelledRate: 0.5}",
                "base: {labelledRate: 0.5, gpuUtil: 0.9}"), ""))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("'gpuUtil' is a serving quantity: set it in the service's serving: section");
        assertThatThrownBy(() -> scenario("60m", WITH_INPUTS.replace("fixtureEvery: 10m", "fixtureEvery: 30s"), ""))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("spec.services[0].privacy.fixtureEvery").hasMessageContaining("at least 1m");
    }

    @Test
    void generateWritesFilesOfTheirOwnAndCountsThem(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("inputs.yaml");
        Files.writeString(file, String.join("\n",
                "apiVersion: speechslo.io/v1",
                "kind: TelemetryScenario",
                "metadata: {name: inputs}",
                "spec:",
                "  start: " + START,
                "  duration: 5m",
                "  services:",
                WITH_INPUTS + TTS_SERVICE));
        Path out = tmp.resolve("out");
        GenerateCommandTest.Result r = GenerateCommandTest.run("--scenario", file.toString(), "--out", out.toString(),
                "--seed", "3");
        assertThat(r.code()).as(r.err()).isZero();
        TelemetryGenerator g = new TelemetryGenerator(ScenarioLoader.load(file), 3);
        List<ServingSample> samples = GenerateCommandTest.read(out.resolve("serving-samples.avro"), ServingSample.class);
        List<PrivacyEvent> events = GenerateCommandTest.read(out.resolve("privacy-events.avro"), PrivacyEvent.class);
        assertThat(samples).isEqualTo(list(g.servingSamples()));
        assertThat(events).isEqualTo(list(g.privacyEvents()));
        assertThat(r.out()).contains(", serving samples " + samples.size() + ", privacy events " + events.size() + ")")
                .contains("wrote " + out.resolve("serving-samples.avro"))
                .contains("wrote " + out.resolve("privacy-events.avro"));
        // requests as without the sections
        assertThat(GenerateCommandTest.read(out.resolve("asr-requests.avro"), io.speechslo.telemetry.AsrRequest.class))
                .hasSize((int) TelemetryGeneratorTest.all(g).stream()
                        .filter(x -> x instanceof io.speechslo.telemetry.AsrRequest).count());
        assertThat(GenerateCommandTest.run("--scenario", file.toString(), "--out", tmp.resolve("o").toString(),
                "--serving-topic", "t").err()).contains("--serving-topic only applies with --to-kafka");
    }
}
