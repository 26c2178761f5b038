package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.aggregate.SlicePane;
import io.speechslo.fixtures.Requests;
import io.speechslo.gate.RolloutTracker;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.slice.RequestSlices;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Track;

import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The release-gate adapter on the operator harness, two services side by side: one whose canary
 * behaves exactly like stable, one whose canary has twice the word errors. Decisions come at gate
 * interval boundaries; once the canaries stop and the idle timeout passes, state and timers are gone.
 */
class ReleaseGateFunctionHarnessTest {

    static final PolicyBundle BUNDLE = PolicyLoader.bundleDefaults();
    static final long MIN = 60_000;
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final String[] REGIONS = {"us-east-1", "eu-west-1"};

    /**
     * One track's panes of one minute, one per region, {@code n} requests in all. Request i has 20
     * reference words with {@code werFactor * (i % 5)} errors (WER 0.1 at factor 1), one entity error in
     * ten requests' four entities, and first-partial and finalization latencies well inside the limits.
     */
    static List<PaneRecord> panes(String service, Track track, String version, int minute, int n, int werFactor) {
        long start = T0 + minute * MIN;
        SlicePane[] byRegion = {new SlicePane(Signal.ASR), new SlicePane(Signal.ASR)};
        String[] keys = new String[REGIONS.length];
        for (int i = 0; i < n; i++) {
            long t = start + i * (MIN / n);
            AsrRequest r = Requests.asr(service, version, track, "en-US", REGIONS[i % 2], "mobile", "quiet")
                    .setEventTime(Instant.ofEpochMilli(t))
                    .setRefWords(20).setWordErrors(werFactor * (i % 5))
                    .setEntityTotal(4).setEntityErrors(i % 10 == 0 ? 1 : 0)
                    .setFirstPartialMs(100L + i % 150).setFinalizationMs(300L + i % 300)
                    .setCostUsd(0.0004)
                    .build();
            byRegion[i % 2].add(r, t);
            keys[i % 2] = RequestSlices.of(r).key();
        }
        return List.of(
                new PaneRecord(service, Signal.ASR, track, version, keys[0], start + MIN, byRegion[0].toBytes()),
                new PaneRecord(service, Signal.ASR, track, version, keys[1], start + MIN, byRegion[1].toBytes()));
    }

    /** An open harness running the function as the topology does ({@link HeldStateOperator}). */
    static KeyedOneInputStreamOperatorTestHarness<String, PaneRecord, Advisory> harness(ReleaseGateFunction function)
            throws Exception {
        return EngineRestarts.open(function, PaneRecord::serviceKey);
    }

    @Test
    void pauseThenContinueOrRollbackAtIntervalBoundariesAndNothingLeftOnceTheCanaryIsIdle() throws Exception {
        long lateness = TopologySettings.DEFAULT.allowedLateness().toMillis();
        var rollout = TopologySettings.DEFAULT.rollout();
        assertThat(rollout.interval().toMillis()).isEqualTo(MIN);
        try (KeyedOneInputStreamOperatorTestHarness<String, PaneRecord, Advisory> h =
                harness(new ReleaseGateFunction(BUNDLE, lateness, rollout))) {
            // 40 requests per track in the first minute (under every rule's minimum, whole service and
            // slices), then 2,500: the canary reaches the 10,000 requests the error and timeout rules
            // need in the window ending at minute 5
            for (int m = 0; m < 5; m++) {
                int n = m == 0 ? 40 : 2_500;
                for (PaneRecord r : concat(
                        panes("asr-good", Track.STABLE, "v1", m, n, 1), panes("asr-good", Track.CANARY, "v2", m, n, 1),
                        panes("asr-bad", Track.STABLE, "v1", m, n, 1), panes("asr-bad", Track.CANARY, "v2", m, n, 2))) {
                    h.processElement(r, r.paneEnd + lateness);
                }
                assertThat(h.numEventTimeTimers()).isEqualTo(2); // one per service: this pane's end
                h.processWatermark(T0 + (m + 1) * MIN + lateness);
            }
            // the last canary request was at minute 4 + 59,976 ms: idle for 30 minutes at the end of minute 35
            h.processWatermark(T0 + 34 * MIN + lateness);
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held trackers go back to state
            assertThat(h.numKeyedStateEntries()).isEqualTo(2); // one tracker per service, buffers empty
            assertThat(h.numEventTimeTimers()).isEqualTo(2); // one wake-up per service

            List<Advisory> out = h.extractOutputValues();
            assertThat(out).allSatisfy(a -> {
                assertThat(a.getKind()).isEqualTo(AdvisoryKind.ROLLOUT);
                assertThat(a.getModelVersion()).isEqualTo("v2");
                assertThat(a.getBaselineVersion()).isEqualTo("v1");
            });
            assertThat(out.stream().filter(a -> a.getService().equals("asr-good")))
                    .extracting(Advisory::getDecision, a -> (a.getWindowEnd() - T0) / MIN)
                    .containsExactly(tuple(Decision.PAUSE, 1L), tuple(Decision.CONTINUE, 5L),
                            tuple(Decision.CONTINUE, 20L)); // a reminder every 15 minutes
            assertThat(out.stream().filter(a -> a.getService().equals("asr-bad")))
                    .extracting(Advisory::getDecision, a -> (a.getWindowEnd() - T0) / MIN)
                    .containsExactly(tuple(Decision.PAUSE, 1L), tuple(Decision.ROLLBACK, 2L),
                            tuple(Decision.ROLLBACK, 17L), tuple(Decision.ROLLBACK, 32L));
            Advisory rollback = out.stream().filter(a -> a.getDecision() == Decision.ROLLBACK).findFirst().orElseThrow();
            assertThat(rollback.getRollbackTo()).isEqualTo("v1");
            assertThat(rollback.getFindings()).anySatisfy(f -> {
                assertThat(f.getMetric()).isEqualTo("wer");
                assertThat(f.getReason()).isEqualTo("regression");
            });

            h.processWatermark(T0 + 35 * MIN + lateness);
            assertThat(h.extractOutputValues()).hasSize(out.size()); // a finished rollout says nothing more
            h.prepareSnapshotPreBarrier(1);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void heldTrackersGoBackToStateBeforeEveryCheckpointAndOnceTooManyAreHeld(@TempDir Path dir) throws Exception {
        long lateness = TopologySettings.DEFAULT.allowedLateness().toMillis();
        String key = Keys.service("asr-bad", Signal.ASR);
        try (var h = afterMinuteZero(EngineRestarts.Backend.ROCKSDB, dir)) {
            // held as an object between checkpoints: RocksDB has it once a checkpoint's barrier comes
            assertThat(EngineRestarts.value(h, key, States.ROLLOUT_TRACKER)).isNull();
            h.prepareSnapshotPreBarrier(1);
            assertThat(EngineRestarts.value(h, key, States.ROLLOUT_TRACKER).candidates()).containsExactly("v2");

            // more trackers held than MAX_HELD: the end of the watermark step writes them back, no checkpoint
            int services = ReleaseGateFunction.MAX_HELD + 1;
            for (int s = 0; s < services; s++) {
                for (PaneRecord r : concat(panes("asr-" + s, Track.STABLE, "v1", 1, 40, 1),
                        panes("asr-" + s, Track.CANARY, "v2", 1, 40, 1))) {
                    h.processElement(r, r.paneEnd + lateness);
                }
            }
            h.processWatermark(T0 + 2 * MIN + lateness);
            for (int s = 0; s < services; s++) {
                assertThat(EngineRestarts.value(h, Keys.service("asr-" + s, Signal.ASR), States.ROLLOUT_TRACKER))
                        .as("asr-%d", s).isNotNull();
            }
        }
    }

    /** An open gate on {@code backend} (as the topology runs it) that took minute 0 of the traffic above. */
    private static KeyedOneInputStreamOperatorTestHarness<String, PaneRecord, Advisory> afterMinuteZero(
            EngineRestarts.Backend backend, Path dir) throws Exception {
        long lateness = TopologySettings.DEFAULT.allowedLateness().toMillis();
        var h = EngineRestarts.harness(new ReleaseGateFunction(BUNDLE, lateness, TopologySettings.DEFAULT.rollout()),
                backend, dir);
        h.open();
        minute(0, lateness).run(h);
        return h;
    }

    /** Minute {@code m} of the traffic above, for both services, then the watermark past it. */
    private static EngineRestarts.Step<PaneRecord> minute(int m, long lateness) {
        int n = m == 0 ? 40 : 2_500;
        return h -> {
            for (PaneRecord r : concat(
                    panes("asr-good", Track.STABLE, "v1", m, n, 1), panes("asr-good", Track.CANARY, "v2", m, n, 1),
                    panes("asr-bad", Track.STABLE, "v1", m, n, 1), panes("asr-bad", Track.CANARY, "v2", m, n, 2))) {
                h.processElement(r, r.paneEnd + lateness);
            }
            h.processWatermark(T0 + (m + 1) * MIN + lateness);
        };
    }

    @ParameterizedTest
    @EnumSource(EngineRestarts.Backend.class)
    void restoredMidRolloutItGoesOnAsIfItNeverStopped(EngineRestarts.Backend backend, @TempDir Path dir)
            throws Exception {
        long lateness = TopologySettings.DEFAULT.allowedLateness().toMillis();
        List<EngineRestarts.Step<PaneRecord>> steps = new ArrayList<>();
        for (int m = 0; m < 5; m++) {
            steps.add(minute(m, lateness));
        }
        steps.add(h -> h.processWatermark(T0 + 35 * MIN + lateness));
        // stopped after minute 2: asr-bad rolled back (a decision held from then on), asr-good paused
        List<Advisory> after = EngineRestarts.assertRestoreChangesNothing(
                () -> new ReleaseGateFunction(BUNDLE, lateness, TopologySettings.DEFAULT.rollout()),
                PaneRecord::serviceKey, backend, dir,
                steps, 3, 4, "gate-pane-buffer-v3", "gate-pane-buffer-v3-counts", States.ROLLOUT_TRACKER.getName());
        assertThat(after).extracting(Advisory::getService, Advisory::getDecision, a -> (a.getWindowEnd() - T0) / MIN)
                .containsExactlyInAnyOrder(tuple("asr-good", Decision.CONTINUE, 5L),
                        tuple("asr-good", Decision.CONTINUE, 20L), tuple("asr-bad", Decision.ROLLBACK, 17L),
                        tuple("asr-bad", Decision.ROLLBACK, 32L));
    }

    @Test
    void onTheHeapBackendTheTrackerIsMutatedInPlaceNotRewritten(@TempDir Path dir) throws Exception {
        long lateness = TopologySettings.DEFAULT.allowedLateness().toMillis();
        String key = Keys.service("asr-bad", Signal.ASR);
        try (var h = afterMinuteZero(EngineRestarts.Backend.HEAP, dir)) {
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held tracker goes back to state
            RolloutTracker before = EngineRestarts.value(h, key, States.ROLLOUT_TRACKER);
            byte[] bytesBefore = bytes(before);
            minute(1, lateness).run(h);
            h.prepareSnapshotPreBarrier(2);
            RolloutTracker after = EngineRestarts.value(h, key, States.ROLLOUT_TRACKER);
            assertThat(after).isSameAs(before);
            assertThat(bytes(after)).isNotEqualTo(bytesBefore); // the minute was folded into that very object
            assertThat(after.candidates()).containsExactly("v2");
        }
    }

    private static byte[] bytes(RolloutTracker t) throws java.io.IOException {
        org.apache.flink.core.memory.DataOutputSerializer out = new org.apache.flink.core.memory.DataOutputSerializer(4096);
        new RolloutTrackerSerializer().serialize(t, out);
        return out.getCopyOfBuffer();
    }

    @SafeVarargs
    private static List<PaneRecord> concat(List<PaneRecord>... lists) {
        return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
    }
}
