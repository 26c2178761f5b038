package io.speechslo.generate;

import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Track;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TelemetryGeneratorTest {

    static final Instant START = Instant.parse("2026-01-05T08:00:00Z");

    static final String ASR_SERVICE = String.join("\n",
            "    - name: asr-a",
            "      signal: asr",
            "      ratePerMinute: %s",
            "      stable: v1",
            "      canary: {version: v2, share: 0.25}",
            "      mix:",
            "        language: {en-US: 3, de-DE: 1}",
            "        region: {us-east-1: 1}",
            "        device: {mobile: 1, web: 1}",
            "        acoustic_condition: {quiet: 1, noisy: 1}",
            "      base: {labelledRate: 0.5}",
            "      profiles:",
            "        - where: {acoustic_condition: noisy}",
            "          set: {wer: 0.2, snrDb: 8}",
            "");

    static final String TTS_SERVICE = String.join("\n",
            "    - name: tts-a",
            "      signal: tts",
            "      ratePerMinute: 300",
            "      stable: t1",
            "      mix:",
            "        language: {en-US: 1}",
            "        region: {us-east-1: 1}",
            "        device: {mobile: 1}",
            "        voice: {aria: 1, kai: 1}",
            "");

    static Scenario scenario(String duration, String services, String changes) {
        String yaml = String.join("\n",
                "apiVersion: speechslo.io/v1",
                "kind: TelemetryScenario",
                "metadata: {name: test}",
                "spec:",
                "  start: " + START,
                "  duration: " + duration,
                "  services:",
                services + (changes.isEmpty() ? "" : "  changes:\n" + changes));
        return ScenarioLoader.parse("test.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    static Scenario asrOnly(int rate, String changes) {
        return scenario("60m", ASR_SERVICE.formatted(rate), changes);
    }

    static List<SpecificRecord> all(TelemetryGenerator g) {
        List<SpecificRecord> out = new ArrayList<>();
        g.records().forEachRemaining(out::add);
        return out;
    }

    static byte[] avroBytes(Scenario s, long seed, Path dir) throws Exception {
        try (AvroFileSink sink = new AvroFileSink(dir, 0, seed)) {
            for (Iterator<SpecificRecord> it = new TelemetryGenerator(s, seed).records(); it.hasNext();) {
                sink.write(it.next());
            }
        }
        return Files.readAllBytes(dir.resolve("asr-requests.avro"));
    }

    @Test
    void sameSeedGivesIdenticalBytesAndAnotherSeedDoesNot(@TempDir Path tmp) throws Exception {
        Scenario s = asrOnly(200, "");
        byte[] first = avroBytes(s, 7, tmp.resolve("a"));
        byte[] again = avroBytes(s, 7, tmp.resolve("b"));
        byte[] other = avroBytes(s, 8, tmp.resolve("c"));
        assertThat(first).isEqualTo(again);
        assertThat(other).isNotEqualTo(first);
        // not only the sync marker: the records themselves differ
        assertThat(all(new TelemetryGenerator(s, 8))).isNotEqualTo(all(new TelemetryGenerator(s, 7)));
    }

    @Test
    void recordsComeInEventTimeOrderWithinTheScenarioAcrossServices() {
        Scenario s = scenario("30m", ASR_SERVICE.formatted(200) + TTS_SERVICE, "");
        List<SpecificRecord> records = all(new TelemetryGenerator(s, 1));
        long start = START.toEpochMilli();
        long previous = Long.MIN_VALUE;
        for (SpecificRecord r : records) {
            long t = io.speechslo.kafka.TelemetryRecords.eventTime(r);
            assertThat(t).isGreaterThanOrEqualTo(previous).isBetween(start, start + 30 * 60_000L - 1);
            previous = t;
        }
        assertThat(records).hasAtLeastOneElementOfType(AsrRequest.class).hasAtLeastOneElementOfType(TtsRequest.class);
        assertThat(records.stream().map(r -> r instanceof AsrRequest a ? a.getRequestId() : ((TtsRequest) r).getRequestId())
                .distinct().count()).isEqualTo(records.size());
    }

    @Test
    void countAndSkippingAgreeWithTheFullSequence() {
        Scenario s = scenario("10m", ASR_SERVICE.formatted(100) + TTS_SERVICE, "");
        TelemetryGenerator g = new TelemetryGenerator(s, 3);
        List<SpecificRecord> records = all(g);
        assertThat(g.count()).isEqualTo(records.size());
        for (int skip : new int[] {0, 1, 399, 400, 401, records.size() / 2, records.size() - 1}) {
            Iterator<SpecificRecord> it = g.records(skip);
            assertThat(it.next()).as("record %d", skip).isEqualTo(records.get(skip));
            if (skip + 1 < records.size()) {
                assertThat(it.next()).isEqualTo(records.get(skip + 1));
            }
        }
        assertThat(g.records(records.size()).hasNext()).isFalse();
    }

    @Test
    void aShadowMirrorsItsShareOfTheRequestsAndLeavesTheRestAsTheyWere() {
        String shadowed = ASR_SERVICE.replace("      canary: {version: v2, share: 0.25}\n",
                "      canary: {version: v2, share: 0.25}\n      shadow: {version: v9-shadow, share: 0.3}\n");
        Scenario without = scenario("20m", ASR_SERVICE.formatted(500) + TTS_SERVICE, "");
        Scenario with = scenario("20m", shadowed.formatted(500) + TTS_SERVICE, "");
        TelemetryGenerator g = new TelemetryGenerator(with, 4);
        List<SpecificRecord> records = all(g);
        // the user-facing requests are those of the same scenario without a shadow, draw for draw
        List<SpecificRecord> userFacing = records.stream()
                .filter(r -> !(r instanceof AsrRequest a && a.getTrack() == Track.SHADOW)).toList();
        assertThat(userFacing).isEqualTo(all(new TelemetryGenerator(without, 4)));
        Map<String, AsrRequest> byId = new java.util.HashMap<>();
        userFacing.stream().filter(AsrRequest.class::isInstance).map(AsrRequest.class::cast)
                .forEach(a -> byId.put(a.getRequestId(), a));
        List<AsrRequest> shadows = records.stream().filter(AsrRequest.class::isInstance).map(AsrRequest.class::cast)
                .filter(a -> a.getTrack() == Track.SHADOW).toList();
        // 30% of about 10,000 user-facing ASR requests, within 4 standard deviations
        double share = shadows.size() / (double) byId.size();
        assertThat(share).isBetween(0.3 - 4 * Math.sqrt(0.3 * 0.7 / byId.size()), 0.3 + 4 * Math.sqrt(0.3 * 0.7 / byId.size()));
        assertThat(shadows).allSatisfy(s -> {
            AsrRequest mirrored = byId.get(s.getRequestId().replace("-shadow", ""));
            assertThat(mirrored).as(s.getRequestId()).isNotNull();
            assertThat(s.getModelVersion()).isEqualTo("v9-shadow");
            assertThat(s.getEventTime()).isEqualTo(mirrored.getEventTime());
            assertThat(List.of(s.getLanguage(), s.getRegion(), s.getDevice(), s.getAcousticCondition())).isEqualTo(
                    List.of(mirrored.getLanguage(), mirrored.getRegion(), mirrored.getDevice(), mirrored.getAcousticCondition()));
            assertThat(s.getPool()).isEqualTo("gpu-" + s.getRegion() + "-shadow");
            assertThat(s.getCostUsd()).isPositive();
        });
        // counting and skipping take the mirrored copies into account
        assertThat(g.count()).isEqualTo(records.size());
        int mid = records.size() / 2;
        assertThat(g.records(mid).next()).isEqualTo(records.get(mid));
    }

    @Test
    void ratesSharesMixesAndLabelsMatchTheScenario() {
        List<AsrRequest> records = asr(all(new TelemetryGenerator(asrOnly(1000, ""), 5)));
        double n = records.size();
        assertThat(n).isCloseTo(60_000, within(60_000 * 0.02));
        assertThat(share(records, r -> r.getTrack() == Track.CANARY)).isCloseTo(0.25, within(0.01));
        assertThat(share(records, r -> r.getLanguage().equals("en-US"))).isCloseTo(0.75, within(0.01));
        assertThat(share(records, r -> r.getDevice().equals("web"))).isCloseTo(0.5, within(0.01));
        assertThat(share(records, r -> r.getRefWords() != null)).isCloseTo(0.5, within(0.01));
        assertThat(share(records, r -> r.getOutcome() == Outcome.CANCELLED)).isCloseTo(0.002, within(0.001));
        // the noisy profile: higher word error rate and lower SNR than the defaults the quiet cohort keeps
        assertThat(wer(records, r -> r.getAcousticCondition().equals("noisy"))).isCloseTo(0.2, within(0.01));
        assertThat(wer(records, r -> r.getAcousticCondition().equals("quiet"))).isCloseTo(0.08, within(0.005));
        assertThat(mean(records, r -> r.getAcousticCondition().equals("noisy"), AsrRequest::getSnrDb)).isCloseTo(8, within(0.2));
        assertThat(mean(records, r -> r.getAcousticCondition().equals("quiet"), AsrRequest::getSnrDb)).isCloseTo(22, within(0.2));
        // heavy-tailed latencies with the default median 120 ms and p99 250 ms
        List<Long> partials = records.stream().map(AsrRequest::getFirstPartialMs).filter(x -> x != null).sorted().toList();
        assertThat(partials.get(partials.size() / 2)).isBetween(115L, 125L);
        assertThat(partials.get((int) (partials.size() * 0.99))).isBetween(235L, 265L);
        double costPerMinute = records.stream().mapToDouble(AsrRequest::getCostUsd).sum()
                / (records.stream().mapToLong(AsrRequest::getAudioMs).sum() / 60_000.0);
        assertThat(costPerMinute).isCloseTo(0.006, within(0.0001));
    }

    @Test
    void theDiurnalShapePeaksAtItsHour() {
        String service = ASR_SERVICE.formatted(100).replace("      stable: v1",
                "      diurnal: {amplitude: 0.5, peakHour: 12}\n      stable: v1");
        Scenario s = scenario("60m", service, "");
        long peak = new TelemetryGenerator(s.startingAt(Instant.parse("2026-01-05T11:30:00Z")), 1).count();
        long trough = new TelemetryGenerator(s.startingAt(Instant.parse("2026-01-05T23:30:00Z")), 1).count();
        assertThat(peak).isCloseTo(9_000, within(400L)); // 100/min x 60 x (1 + 0.5)
        assertThat(trough).isCloseTo(3_000, within(250L)); // x (1 - 0.5)
    }

    @Test
    void aChangeAppliesOnlyToItsSliceVersionAndTime() {
        String change = String.join("\n",
                "    - service: asr-a",
                "      from: 30m",
                "      until: 50m",
                "      track: canary",
                "      where: {device: mobile, acoustic_condition: quiet}",
                "      adjust:",
                "        firstPartialMs: {add: 5000}",
                "        wer: {multiply: 3}",
                "        clippingRatio: {add: 0.05}",
                "");
        List<AsrRequest> records = asr(all(new TelemetryGenerator(asrOnly(1000, change), 2)));
        long from = START.toEpochMilli() + 30 * 60_000L;
        long until = START.toEpochMilli() + 50 * 60_000L;
        Predicate<AsrRequest> hit = r -> r.getTrack() == Track.CANARY && r.getDevice().equals("mobile")
                && r.getAcousticCondition().equals("quiet")
                && r.getEventTime().toEpochMilli() >= from && r.getEventTime().toEpochMilli() < until;
        List<AsrRequest> changed = records.stream().filter(hit).toList();
        List<AsrRequest> others = records.stream().filter(hit.negate()).toList();
        assertThat(changed).hasSizeGreaterThan(1000);
        assertThat(changed).allSatisfy(r -> assertThat(r.getFirstPartialMs()).isGreaterThanOrEqualTo(5000L));
        assertThat(changed).allSatisfy(r -> assertThat(r.getClippingRatio()).isGreaterThanOrEqualTo(0.05f));
        assertThat(others).allSatisfy(r -> {
            if (r.getFirstPartialMs() != null) {
                assertThat(r.getFirstPartialMs()).isLessThan(5000L);
            }
            assertThat(r.getClippingRatio()).isLessThan(0.05f);
        });
        Predicate<AsrRequest> quiet = r -> r.getAcousticCondition().equals("quiet");
        assertThat(wer(changed, quiet)).isCloseTo(0.24, within(0.02));
        assertThat(wer(others, quiet)).isCloseTo(0.08, within(0.005));
    }

    @Test
    void aChangeCanBringANewSliceValueAndTargetOneVersion() {
        String change = String.join("\n",
                "    - from: 30m",
                "      version: v1",
                "      newValues: {device: {car: 2}}",
                "    - version: v1",
                "      where: {device: car}",
                "      adjust: {snrDb: {add: -10}}",
                "");
        List<AsrRequest> records = asr(all(new TelemetryGenerator(asrOnly(1000, change), 4)));
        long from = START.toEpochMilli() + 30 * 60_000L;
        List<AsrRequest> cars = records.stream().filter(r -> r.getDevice().equals("car")).toList();
        assertThat(cars).allSatisfy(r -> {
            assertThat(r.getEventTime().toEpochMilli()).isGreaterThanOrEqualTo(from);
            assertThat(r.getModelVersion()).isEqualTo("v1");
        });
        List<AsrRequest> stableLater = records.stream()
                .filter(r -> r.getModelVersion().equals("v1") && r.getEventTime().toEpochMilli() >= from).toList();
        assertThat(share(stableLater, r -> r.getDevice().equals("car"))).isCloseTo(0.5, within(0.015)); // 2 of 1 + 1 + 2
        assertThat(mean(cars, r -> r.getAcousticCondition().equals("quiet"), AsrRequest::getSnrDb)).isCloseTo(12, within(0.3));
    }

    static List<AsrRequest> asr(List<SpecificRecord> records) {
        return records.stream().map(r -> (AsrRequest) r).toList();
    }

    static double share(List<AsrRequest> records, Predicate<AsrRequest> p) {
        return (double) records.stream().filter(p).count() / records.size();
    }

    static double wer(List<AsrRequest> records, Predicate<AsrRequest> p) {
        long errors = 0;
        long words = 0;
        for (AsrRequest r : records) {
            if (p.test(r) && r.getRefWords() != null) {
                errors += r.getWordErrors();
                words += r.getRefWords();
            }
        }
        return (double) errors / words;
    }

    static double mean(List<AsrRequest> records, Predicate<AsrRequest> p, java.util.function.Function<AsrRequest, Float> f) {
        return records.stream().filter(p).mapToDouble(f::apply).average().orElseThrow();
    }
}
