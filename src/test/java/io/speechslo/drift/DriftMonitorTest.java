package io.speechslo.drift;

import static io.speechslo.drift.DriftTraffic.HOUR;
import static io.speechslo.drift.DriftTraffic.NONE;
import static io.speechslo.drift.DriftTraffic.SERVICE;
import static io.speechslo.drift.DriftTraffic.T0;
import static io.speechslo.drift.DriftTraffic.clamp01;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.speechslo.advisory.Action;
import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Direction;
import io.speechslo.advisory.Finding;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.DriftPolicy;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class DriftMonitorTest {

    private static final int PER_HOUR = 10_000;
    private static final String POLICY_VERSION = "policy-7";
    /** The last hour of a full 24 h baseline after hour 0 was used up as warm-up. */
    private static final int DRIFT_HOUR = 25;

    private static final DriftTraffic.Change SILENCE_DOUBLES_ON_EU_MOBILE = (h, r, rnd) -> {
        if (r.getRegion().equals("eu-west-1") && r.getDevice().equals("mobile")) {
            r.setSilenceRatio(clamp01(r.getSilenceRatio() * 2));
        }
        return true;
    };

    @Test
    void stableTrafficGivesNoAdvisory() {
        for (long seed = 1; seed <= 20; seed++) {
            DriftMonitor m = monitor(DriftPolicy.DEFAULT);
            Map<Integer, Advisory> out = run(m, new DriftTraffic(seed, PER_HOUR), 0, 25, NONE);
            assertThat(out).as("seed %d", seed).isEmpty();
        }
    }

    @Test
    void silenceDoublingOnOneSliceIsARelativeChangeNamingThatSlice() {
        DriftTraffic t = new DriftTraffic(42, PER_HOUR);
        DriftMonitor m = monitor(DriftPolicy.DEFAULT);
        assertThat(run(m, t, 0, DRIFT_HOUR - 1, NONE)).isEmpty();
        Advisory a = runHour(m, t, DRIFT_HOUR, SILENCE_DOUBLES_ON_EU_MOBILE);

        assertThat(a.getKind()).isEqualTo(AdvisoryKind.DRIFT);
        assertThat(a.getDecision()).isEqualTo(Decision.INVESTIGATE);
        assertThat(a.getService()).isEqualTo(SERVICE);
        assertThat(a.getModelVersion()).isNull();
        assertThat(a.getPolicyVersion()).isEqualTo(POLICY_VERSION);
        assertThat(a.getWindowEnd()).isEqualTo(T0 + (DRIFT_HOUR + 1) * HOUR);
        assertThat(a.getAdvisoryId()).hasSize(32);

        Finding f = find(a, "device=mobile,region=eu-west-1", "silence_ratio");
        assertThat(f.getReason()).isEqualTo(DriftMonitor.RELATIVE_CHANGE);
        assertThat(f.getAction()).isEqualTo(Action.INVESTIGATE);
        assertThat(f.getDirection()).isEqualTo(Direction.EITHER);
        assertThat(f.getCritical()).isFalse();
        assertThat(f.getValue()).isCloseTo(0.6, within(0.02));
        assertThat(f.getBaseline()).isCloseTo(0.3, within(0.01));
        // The relative threshold plus 3.29 standard errors of the relative change: the doubled silence
        // has sd ~0.2 over ~2,000 requests now, the baseline sd ~0.1 over ~48,000.
        double se = Math.sqrt(0.2 * 0.2 / f.getSamples() + 0.1 * 0.1 / f.getBaselineSamples());
        assertThat(f.getLimit()).isCloseTo(0.25 + DriftMonitor.NOISE_Z * se / 0.3, within(0.005));
        assertThat((f.getValue() - f.getBaseline()) / f.getBaseline()).isGreaterThan(f.getLimit());
        assertThat(f.getSamples()).isBetween(1500L, 2500L);
        assertThat(f.getBaselineSamples()).isBetween(24 * 1500L, 24 * 2500L);

        assertThat(a.getSummary()).startsWith(
                SERVICE + ": silence_ratio of {device=mobile, region=eu-west-1} rose from 0.3");
        assertThat(a.getSummary()).contains("vs the trailing 24h").containsPattern("\\(\\+\\d+%\\)");
        assertThat(a.getSummary()).contains((a.getFindings().size() - 1) + " more findings");
        // Only slices that hold eu-west-1 mobile traffic moved; slices without it did not.
        for (Finding g : a.getFindings()) {
            Map<String, String> s = g.getSlice();
            assertThat(s.getOrDefault("region", "eu-west-1")).as("%s", g).isEqualTo("eu-west-1");
            assertThat(s.getOrDefault("device", "mobile")).as("%s", g).isEqualTo("mobile");
        }
        assertSortedBySliceThenFeature(a);
    }

    @Test
    void clippingFromZeroToFivePercentIsAZeroBaseline() {
        DriftTraffic t = new DriftTraffic(7, PER_HOUR);
        DriftMonitor m = monitor(DriftPolicy.DEFAULT);
        assertThat(run(m, t, 0, DRIFT_HOUR - 1, NONE)).isEmpty();
        Advisory a = runHour(m, t, DRIFT_HOUR, (h, r, rnd) -> {
            if (r.getAcousticCondition().equals("quiet") && r.getDevice().equals("mobile")) {
                r.setClippingRatio(clamp01(0.05 + 0.01 * (rnd.nextDouble() - 0.5)));
            }
            return true;
        });
        Finding f = find(a, "acoustic_condition=quiet,device=mobile", "clipping_ratio");
        assertThat(f.getReason()).isEqualTo(DriftMonitor.ZERO_BASELINE);
        assertThat(f.getBaseline()).isEqualTo(0.0);
        assertThat(f.getValue()).isCloseTo(0.05, within(0.001));
        assertThat(a.getSummary()).startsWith(SERVICE + ": clipping_ratio of {acoustic_condition=quiet, device=mobile}"
                + " rose from 0 to " + Advisories.fmt(f.getValue()) + " vs the trailing 24h");
        // The noisy half of the traffic always clipped a little: that is a relative change, not a zero baseline.
        assertThat(find(a, "", "clipping_ratio").getReason()).isEqualTo(DriftMonitor.RELATIVE_CHANGE);
    }

    @Test
    void aNewDeviceIsANewSliceReportedOnceAtItsCoarsestLevel() {
        DriftTraffic t = new DriftTraffic(11, PER_HOUR);
        DriftMonitor m = monitor(DriftPolicy.DEFAULT);
        assertThat(run(m, t, 0, DRIFT_HOUR - 1, NONE)).isEmpty();
        Advisory a = runHour(m, t, DRIFT_HOUR, (h, r, rnd) -> {
            if (rnd.nextDouble() < 0.1) {
                r.setDevice("car");
            }
            return true;
        });
        Finding f = find(a, "device=car", "traffic_share");
        assertThat(f.getReason()).isEqualTo(DriftMonitor.NEW_SLICE);
        assertThat(f.getValue()).isCloseTo(0.1, within(0.01));
        assertThat(f.getBaseline()).isEqualTo(0.0);
        assertThat(f.getBaselineSamples()).isZero();
        assertThat(a.getFindings()).filteredOn(g -> g.getReason().equals(DriftMonitor.NEW_SLICE)).hasSize(1);
        assertThat(a.getSummary()).startsWith(SERVICE + ": new slice {device=car} carries ")
                .contains("% of traffic (" + f.getSamples() + " requests)");
    }

    @Test
    void aBimodalReshapingWithTheSameMeanIsADistributionShiftOnly() {
        DriftTraffic t = new DriftTraffic(5, PER_HOUR);
        DriftMonitor m = monitor(DriftPolicy.DEFAULT);
        assertThat(run(m, t, 0, DRIFT_HOUR - 1, NONE)).isEmpty();
        Advisory a = runHour(m, t, DRIFT_HOUR, (h, r, rnd) -> {
            if (r.getRegion().equals("us-east-1")) {
                double mode = rnd.nextBoolean() ? 0.1 : 0.5;
                r.setSilenceRatio(clamp01(mode + 0.02 * (rnd.nextDouble() - 0.5)));
            }
            return true;
        });
        Finding f = find(a, "region=us-east-1", "silence_ratio");
        assertThat(f.getReason()).isEqualTo(DriftMonitor.DISTRIBUTION_SHIFT);
        // The limit is the threshold plus the PSI sampling noise alone gives (silence has ten bins).
        double noise = 9 * (1.0 / f.getSamples() + 1.0 / f.getBaselineSamples());
        assertThat(f.getLimit()).isCloseTo(0.2 + noise, within(1e-12));
        assertThat(f.getValue()).isGreaterThan(f.getLimit());
        assertThat(f.getBaseline()).isEqualTo(0.0);
        assertThat(a.getFindings()).noneMatch(g -> g.getReason().equals(DriftMonitor.RELATIVE_CHANGE)
                || g.getReason().equals(DriftMonitor.ZERO_BASELINE));
        assertThat(a.getSummary()).contains("changed shape (PSI ");
    }

    @Test
    void tenPercentChangesGiveNothing() {
        DriftTraffic t = new DriftTraffic(3, PER_HOUR);
        DriftMonitor m = monitor(DriftPolicy.DEFAULT);
        Map<Integer, Advisory> out = run(m, t, 0, DRIFT_HOUR - 1, NONE);
        // 10% more eu-west-1 mobile traffic, 10% more silence and 10% less SNR on it.
        out.putAll(run(m, t, DRIFT_HOUR, DRIFT_HOUR + 2, (h, r, rnd) -> {
            if (r.getRegion().equals("eu-west-1") && r.getDevice().equals("mobile")) {
                r.setSilenceRatio(clamp01(r.getSilenceRatio() * 1.1));
                r.setSnrDb(r.getSnrDb() * 0.9f);
                return true;
            }
            return rnd.nextDouble() < 0.9;
        }));
        assertThat(out).isEmpty();
    }

    @Test
    void aSliceAbsentNowButPresentInTheBaselineGivesNothing() {
        // fr-FR slices sit near minSamples, and their clipping mean (0 or ~0.002 per request) is skewed:
        // without the noise allowance on relative changes, six of these 20 seeds raise a false INVESTIGATE.
        for (long seed = 110; seed < 130; seed++) {
            assertThat(frenchStops(seed)).as("seed %d", seed).isEmpty();
        }
    }

    private static Map<Integer, Advisory> frenchStops(long seed) {
        DriftTraffic t = new DriftTraffic(seed, PER_HOUR);
        DriftMonitor m = monitor(DriftPolicy.DEFAULT);
        // fr-FR is 3% of traffic in the baseline, then stops.
        DriftTraffic.Change withFrench = (h, r, rnd) -> {
            if (rnd.nextDouble() < 0.03) {
                r.setLanguage("fr-FR");
            }
            return true;
        };
        Map<Integer, Advisory> out = run(m, t, 0, DRIFT_HOUR - 1, withFrench);
        out.putAll(run(m, t, DRIFT_HOUR, DRIFT_HOUR + 1, NONE));
        return out;
    }

    @Test
    void lessThanTheMinimumBaselineJudgesNothing() {
        DriftPolicy needs3h = withMinBaseline(Duration.ofHours(3));
        DriftMonitor strict = monitor(needs3h);
        DriftMonitor lenient = monitor(DriftPolicy.DEFAULT);
        DriftTraffic t = new DriftTraffic(17, PER_HOUR);
        List<Advisory> strictOut = new ArrayList<>();
        List<Advisory> lenientOut = new ArrayList<>();
        for (int h = 0; h < 3; h++) {
            t.hour(h, h == 2 ? SILENCE_DOUBLES_ON_EU_MOBILE : NONE, r -> {
                strict.add(r);
                lenient.add(r);
            });
            strict.evaluate(T0 + (h + 1) * HOUR).ifPresent(strictOut::add);
            lenient.evaluate(T0 + (h + 1) * HOUR).ifPresent(lenientOut::add);
        }
        assertThat(strictOut).as("2 h of baseline < 3 h minimum").isEmpty();
        // The same data with a 1 h minimum is judged, and the doubling is seen.
        assertThat(lenientOut).hasSize(1);
        assertThat(lenientOut.get(0).getDecision()).isEqualTo(Decision.INVESTIGATE);

        // A first pane alone (no baseline at all) judges nothing even under the default policy.
        DriftMonitor fresh = monitor(DriftPolicy.DEFAULT);
        new DriftTraffic(18, PER_HOUR).hour(0, SILENCE_DOUBLES_ON_EU_MOBILE, fresh::add);
        assertThat(fresh.evaluate(T0 + HOUR)).isEmpty();
    }

    @Test
    void recoveryGivesResolvedThenSilence() {
        DriftTraffic t = new DriftTraffic(21, PER_HOUR);
        DriftMonitor m = monitor(DriftPolicy.DEFAULT);
        Map<Integer, Advisory> out = run(m, t, 0, DRIFT_HOUR + 3,
                (h, r, rnd) -> h != DRIFT_HOUR || SILENCE_DOUBLES_ON_EU_MOBILE.apply(h, r, rnd));
        assertThat(out.keySet()).containsExactly(DRIFT_HOUR, DRIFT_HOUR + 1);
        assertThat(out.get(DRIFT_HOUR).getDecision()).isEqualTo(Decision.INVESTIGATE);
        Advisory resolved = out.get(DRIFT_HOUR + 1);
        assertThat(resolved.getDecision()).isEqualTo(Decision.RESOLVED);
        assertThat(resolved.getFindings()).isEmpty();
        assertThat(resolved.getKind()).isEqualTo(AdvisoryKind.DRIFT);
        assertThat(resolved.getSummary()).startsWith(SERVICE + ": no slice drifts");
    }

    @Test
    void aStandingInvestigationIsReEmittedOnlyWhenItsFindingsChange() {
        DriftTraffic t = new DriftTraffic(23, PER_HOUR);
        DriftMonitor m = monitor(DriftPolicy.DEFAULT);
        assertThat(run(m, t, 0, DRIFT_HOUR - 1, NONE)).isEmpty();
        // A tripled silence ratio on eu-west-1 mobile: far over the threshold on every slice that holds it.
        DriftTraffic.Change tripled = (h, r, rnd) -> {
            if (r.getRegion().equals("eu-west-1") && r.getDevice().equals("mobile")) {
                r.setSilenceRatio(clamp01(0.9 + 0.05 * (rnd.nextDouble() - 0.5)));
            }
            return true;
        };
        Advisory first = runHour(m, t, DRIFT_HOUR, tripled);
        assertThat(first.getDecision()).isEqualTo(Decision.INVESTIGATE);
        assertThat(run(m, t, DRIFT_HOUR + 1, DRIFT_HOUR + 1, tripled)).as("same findings again").isEmpty();
        Advisory changed = runHour(m, t, DRIFT_HOUR + 2, (h, r, rnd) -> {
            if (r.getRegion().equals("ap-south-1")) {
                r.setSnrDb(r.getSnrDb() - 15);
            }
            return tripled.apply(h, r, rnd);
        });
        assertThat(changed.getDecision()).isEqualTo(Decision.INVESTIGATE);
        assertThat(find(changed, "region=ap-south-1", "snr_db").getReason()).isEqualTo(DriftMonitor.RELATIVE_CHANGE);
    }

    @Test
    void aRegionWhoseTrafficDoublesIsARelativeChangeOfTrafficShare() {
        DriftTraffic t = new DriftTraffic(29, PER_HOUR);
        DriftMonitor m = monitor(DriftPolicy.DEFAULT);
        assertThat(run(m, t, 0, DRIFT_HOUR - 1, NONE)).isEmpty();
        t.hour(DRIFT_HOUR, (h, r, rnd) -> r.getRegion().equals("ap-south-1"), m::add);
        Advisory a = runHour(m, t, DRIFT_HOUR, NONE);
        Finding f = find(a, "region=ap-south-1", "traffic_share");
        assertThat(f.getReason()).isEqualTo(DriftMonitor.RELATIVE_CHANGE);
        assertThat(f.getValue()).isCloseTo(0.4 / 1.2, within(0.01));
        assertThat(f.getBaseline()).isCloseTo(0.2, within(0.005));
        assertThat(f.getSamples()).isBetween(3600L, 4400L);
        // Every slice of ap-south-1 rose about as much; the summary names whichever rose most.
        assertThat(a.getSummary()).containsPattern("^asr-prod: traffic_share of \\{[^}]*region=ap-south-1[^}]*\\} rose from ");
        assertThat(a.getFindings()).allMatch(g -> g.getMetric().equals("traffic_share")
                && "ap-south-1".equals(g.getSlice().get("region")), "only ap-south-1 shares moved");
    }

    @Test
    void ttsTrafficIsJudgedOnTrafficShareOnly() {
        DriftMonitor m = new DriftMonitor("tts-prod", Signal.TTS, DriftPolicy.DEFAULT, POLICY_VERSION);
        SplittableRandom rnd = new SplittableRandom(43);
        TtsRequest r = DriftStatsTest.tts();
        Map<Integer, Advisory> out = new TreeMap<>();
        for (int h = 0; h < 4; h++) {
            // Voice "nova" is 20% of traffic, then 40% in hour 3.
            double nova = h == 3 ? 0.4 : 0.2;
            for (int i = 0; i < PER_HOUR; i++) {
                r.setEventTime(Instant.ofEpochMilli(T0 + h * HOUR + rnd.nextLong(HOUR)));
                r.setVoice(rnd.nextDouble() < nova ? "nova" : "aria");
                r.setRegion(rnd.nextBoolean() ? "eu-west-1" : "us-east-1");
                m.add(r);
            }
            int hour = h;
            m.evaluate(T0 + (h + 1) * HOUR).ifPresent(a -> out.put(hour, a));
        }
        assertThat(out.keySet()).containsExactly(3);
        Finding f = find(out.get(3), "voice=nova", "traffic_share");
        assertThat(f.getReason()).isEqualTo(DriftMonitor.RELATIVE_CHANGE);
        assertThat(f.getValue()).isCloseTo(0.4, within(0.02));
        assertThat(out.get(3).getFindings()).allMatch(g -> g.getMetric().equals("traffic_share"));
        assertThatThrownBy(() -> m.add(new DriftTraffic(1, 1).template()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TTS");
    }

    @Test
    void findingsAreCappedAndTheSummaryCountsTheRest() {
        DriftPolicy everySlice = new DriftPolicy(Duration.ofHours(1), Duration.ofHours(24), Duration.ofHours(1),
                0.25, 0.2, 20, DriftPolicy.ALL_FEATURES, 4);
        DriftTraffic t = new DriftTraffic(31, PER_HOUR);
        DriftMonitor m = monitor(everySlice);
        t.hour(0, NONE, m::add);
        assertThat(m.evaluate(T0 + HOUR)).isEmpty();
        // Silence tripled everywhere: every slice of up to 4 dimensions (3 * 4 * 3 * 3 = 108) drifts.
        Advisory a = runHour(m, t, 1, (h, r, rnd) -> {
            r.setSilenceRatio(clamp01(r.getSilenceRatio() * 3));
            return true;
        });
        List<Finding> silence = a.getFindings().stream().filter(g -> g.getMetric().equals("silence_ratio")).toList();
        assertThat(a.getFindings()).hasSize(DriftMonitor.MAX_FINDINGS);
        assertThat(silence).isNotEmpty();
        assertThat(a.getSummary()).containsPattern("; (\\d+) more findings \\((\\d+) smallest not listed\\)");
        int more = Integer.parseInt(a.getSummary().replaceAll(".*; (\\d+) more findings.*", "$1"));
        int unlisted = Integer.parseInt(a.getSummary().replaceAll(".*\\((\\d+) smallest not listed.*", "$1"));
        assertThat(more + 1 - unlisted).isEqualTo(DriftMonitor.MAX_FINDINGS);
        assertThat(more + 1).isGreaterThanOrEqualTo(108);
        assertSortedBySliceThenFeature(a);
    }

    @Test
    void snapshotAndRestoreGiveIdenticalLaterOutput() throws IOException {
        DriftTraffic t = new DriftTraffic(37, PER_HOUR);
        DriftMonitor original = monitor(DriftPolicy.DEFAULT);
        run(original, t, 0, DRIFT_HOUR - 1, NONE);
        // Snapshot in the middle of the drifting hour, with the current pane half full.
        List<AsrRequest> drifting = new ArrayList<>();
        t.hour(DRIFT_HOUR, SILENCE_DOUBLES_ON_EU_MOBILE, r -> drifting.add(AsrRequest.newBuilder(r).build()));
        drifting.subList(0, drifting.size() / 2).forEach(original::add);
        byte[] snapshot = bytes(original);
        DriftMonitor restored = DriftMonitor.readFrom(
                new DataInputStream(new ByteArrayInputStream(snapshot)), DriftPolicy.DEFAULT, POLICY_VERSION);
        assertThat(bytes(restored)).isEqualTo(snapshot);
        assertThat(restored.service()).isEqualTo(SERVICE);
        assertThat(restored.paneCount()).isEqualTo(original.paneCount());

        List<Advisory> fromOriginal = new ArrayList<>();
        List<Advisory> fromRestored = new ArrayList<>();
        drifting.subList(drifting.size() / 2, drifting.size()).forEach(r -> {
            original.add(r);
            restored.add(r);
        });
        for (int h = DRIFT_HOUR; h <= DRIFT_HOUR + 2; h++) {
            if (h > DRIFT_HOUR) {
                t.hour(h, NONE, r -> {
                    original.add(r);
                    restored.add(r);
                });
            }
            original.evaluate(T0 + (h + 1) * HOUR).ifPresent(fromOriginal::add);
            restored.evaluate(T0 + (h + 1) * HOUR).ifPresent(fromRestored::add);
        }
        assertThat(fromOriginal).extracting(Advisory::getDecision)
                .containsExactly(Decision.INVESTIGATE, Decision.RESOLVED);
        assertThat(fromRestored).isEqualTo(fromOriginal);
        assertThat(bytes(restored)).isEqualTo(bytes(original));
    }

    @Test
    void oldPanesAreDroppedAndTheMonitorEmptiesAfterLongSilence() {
        DriftTraffic t = new DriftTraffic(41, 2_000);
        DriftMonitor m = monitor(DriftPolicy.DEFAULT);
        for (int h = 0; h < 40; h++) {
            t.hour(h, NONE, m::add);
            m.evaluate(T0 + (h + 1) * HOUR);
            assertThat(m.paneCount()).as("after hour %d", h).isEqualTo(Math.min(h + 1, 25));
        }
        // Silence: evaluations go on as event time passes, nothing arrives.
        for (int h = 40; h < 64; h++) {
            m.evaluate(T0 + (h + 1) * HOUR);
        }
        assertThat(m.paneCount()).isEqualTo(1);
        assertThat(m.isEmpty()).isFalse();
        m.evaluate(T0 + 65 * HOUR);
        assertThat(m.isEmpty()).isTrue();
        assertThat(m.paneCount()).isZero();

        // A straggler older than the kept panes is refused and does not revive the monitor.
        List<AsrRequest> one = new ArrayList<>();
        new DriftTraffic(42, 1).hour(30, NONE, r -> one.add(AsrRequest.newBuilder(r).build()));
        assertThat(m.add(one.get(0))).isFalse();
        assertThat(m.isEmpty()).isTrue();
    }

    @Test
    void rejectsMisalignedWindowEndsAndForeignRequests() {
        DriftMonitor m = monitor(DriftPolicy.DEFAULT);
        assertThatThrownBy(() -> m.evaluate(T0 + HOUR / 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SERVICE).hasMessageContaining("1h");
        List<AsrRequest> one = new ArrayList<>();
        new DriftTraffic(1, 1).hour(0, (h, r, rnd) -> {
            r.setService("other");
            return true;
        }, r -> one.add(AsrRequest.newBuilder(r).build()));
        assertThatThrownBy(() -> m.add(one.get(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("other");
        assertThatThrownBy(() -> new DriftMonitor(SERVICE, Signal.ASR, new DriftPolicy(Duration.ofHours(1),
                Duration.ofMinutes(90), Duration.ofHours(1), 0.25, 0.2, 200, DriftPolicy.ALL_FEATURES, 2), "p"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("90m");
    }

    // ---------------------------------------------------------------------------------------------

    private static DriftMonitor monitor(DriftPolicy policy) {
        return new DriftMonitor(SERVICE, Signal.ASR, policy, POLICY_VERSION);
    }

    private static DriftPolicy withMinBaseline(Duration min) {
        DriftPolicy d = DriftPolicy.DEFAULT;
        return new DriftPolicy(d.current(), d.baseline(), min, d.relativeThreshold(), d.distributionThreshold(),
                d.minSamples(), d.features(), d.maxSliceDimensions());
    }

    /** Feeds hours from..to (inclusive), evaluating at each hour's end; the advisories by hour. */
    private static Map<Integer, Advisory> run(DriftMonitor m, DriftTraffic t, int from, int to,
            DriftTraffic.Change change) {
        Map<Integer, Advisory> out = new TreeMap<>();
        for (int h = from; h <= to; h++) {
            t.hour(h, change, m::add);
            int hour = h;
            m.evaluate(T0 + (h + 1) * HOUR).ifPresent(a -> out.put(hour, a));
        }
        return out;
    }

    /** Feeds one hour and returns the advisory its evaluation must give. */
    private static Advisory runHour(DriftMonitor m, DriftTraffic t, int hour, DriftTraffic.Change change) {
        Map<Integer, Advisory> out = run(m, t, hour, hour, change);
        assertThat(out).as("advisory at the end of hour %d", hour).containsKey(hour);
        return out.get(hour);
    }

    private static Finding find(Advisory a, String sliceKey, String metric) {
        List<Finding> hits = a.getFindings().stream()
                .filter(f -> f.getMetric().equals(metric) && Slice.of(f.getSlice()).key().equals(sliceKey))
                .toList();
        assertThat(hits).as("%s of {%s} in %s", metric, sliceKey, a.getFindings()).hasSize(1);
        return hits.get(0);
    }

    private static void assertSortedBySliceThenFeature(Advisory a) {
        List<String> order = new ArrayList<>();
        for (Finding f : a.getFindings()) {
            Slice s = Slice.of(f.getSlice());
            order.add(String.format("%d|%s|%d", s.size(), s.key(), DriftPolicy.ALL_FEATURES.indexOf(f.getMetric())));
        }
        List<String> sorted = new ArrayList<>(order);
        sorted.sort((x, y) -> {
            String[] p = x.split("\\|", -1);
            String[] q = y.split("\\|", -1);
            int c = Integer.compare(Integer.parseInt(p[0]), Integer.parseInt(q[0]));
            c = c != 0 ? c : p[1].compareTo(q[1]);
            return c != 0 ? c : Integer.compare(Integer.parseInt(p[2]), Integer.parseInt(q[2]));
        });
        assertThat(order).isEqualTo(sorted);
    }

    private static byte[] bytes(DriftMonitor m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(new DataOutputStream(out));
        return out.toByteArray();
    }
}
