package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Finding;
import io.speechslo.aggregate.SlicePane;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.DriftPolicy;
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
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The drift adapter on the operator harness: three hours of one-minute panes of two language slices,
 * the de-DE slice's silence ratio jumping in the third hour, judged at the hour boundary; once traffic
 * stops the monitor's panes age out after baseline + current and the state and timers go.
 */
class DriftFunctionHarnessTest {

    static final PolicyBundle BUNDLE = PolicyLoader.bundleDefaults();
    static final long MIN = 60_000;
    static final long HOUR = 60 * MIN;
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final String SERVICE = "asr-prod";

    /** One language's pane of the minute starting at {@code start}: 10 requests, silence ratios base .. base + 0.09. */
    static PaneRecord pane(String language, long start, double silenceBase) {
        return pane(language, "mobile", start, 10, (r, i) -> r.setSilenceRatio((float) (silenceBase + 0.01 * i)));
    }

    /** {@code n} requests of one language and device spread over the minute at {@code start}, each set by {@code set}. */
    static PaneRecord pane(String language, String device, long start, int n,
            java.util.function.ObjIntConsumer<AsrRequest.Builder> set) {
        SlicePane p = new SlicePane(Signal.ASR);
        AsrRequest r = null;
        for (int i = 0; i < n; i++) {
            long t = start + i * (MIN / n);
            AsrRequest.Builder b = Requests.asr(SERVICE, "v1", Track.STABLE, language, "us-east-1", device, "quiet")
                    .setEventTime(Instant.ofEpochMilli(t));
            set.accept(b, i);
            r = b.build();
            p.add(r, t);
        }
        return new PaneRecord(SERVICE, Signal.ASR, Track.STABLE, "v1", RequestSlices.of(r).key(), start + MIN,
                p.toBytes());
    }

    static Map<String, String> slice(Finding f) {
        Map<String, String> m = new TreeMap<>();
        f.getSlice().forEach((k, v) -> m.put(k.toString(), v.toString()));
        return m;
    }

    /** An open harness running the function as the topology does ({@link HeldStateOperator}). */
    static KeyedOneInputStreamOperatorTestHarness<String, PaneRecord, Advisory> harness(DriftFunction function)
            throws Exception {
        return EngineRestarts.open(function, PaneRecord::serviceKey);
    }

    @Test
    void silenceShiftInOneSliceIsInvestigatedAtTheHourAndStateGoesAfterBaselinePlusCurrent() throws Exception {
        DriftPolicy policy = BUNDLE.policies().drift();
        assertThat(policy.current().toMillis()).isEqualTo(HOUR);
        assertThat(policy.baseline().toMillis()).isEqualTo(24 * HOUR);
        long lateness = TopologySettings.DEFAULT.allowedLateness().toMillis();
        try (KeyedOneInputStreamOperatorTestHarness<String, PaneRecord, Advisory> h =
                harness(new DriftFunction(BUNDLE, lateness, 60_000))) {
            for (long start = T0; start < T0 + 3 * HOUR; start += MIN) {
                boolean shifted = start >= T0 + 2 * HOUR;
                for (PaneRecord r : List.of(pane("en-US", start, 0.20), pane("de-DE", start, shifted ? 0.50 : 0.20))) {
                    h.processElement(r, r.paneEnd + lateness);
                }
                h.processWatermark(start + MIN + lateness);
                if (start + MIN < T0 + 3 * HOUR) {
                    // no verdict before the third hour ends: the first hour has no baseline, the second no drift
                    assertThat(h.extractOutputValues()).as("advisories before %d", start + MIN).isEmpty();
                }
            }

            List<Advisory> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            Advisory a = out.get(0);
            assertThat(a.getKind()).isEqualTo(AdvisoryKind.DRIFT);
            assertThat(a.getDecision()).isEqualTo(Decision.INVESTIGATE);
            assertThat(a.getService()).isEqualTo(SERVICE);
            assertThat(a.getWindowEnd()).isEqualTo(T0 + 3 * HOUR);
            assertThat(a.getFindings()).anySatisfy(f -> {
                assertThat(slice(f)).isEqualTo(Map.of("language", "de-DE"));
                assertThat(f.getMetric()).isEqualTo("silence_ratio");
                assertThat(f.getReason()).isEqualTo("relative_change");
                assertThat(f.getValue()).isCloseTo(0.545, org.assertj.core.data.Offset.offset(0.001));
                assertThat(f.getBaseline()).isCloseTo(0.245, org.assertj.core.data.Offset.offset(0.001));
                assertThat(f.getSamples()).isEqualTo(600L);
                assertThat(f.getBaselineSamples()).isEqualTo(1_200L);
            });
            // the unchanged slice is not reported, and nobody's traffic share moved
            assertThat(a.getFindings()).noneSatisfy(f -> assertThat(slice(f)).containsEntry("language", "en-US"));
            assertThat(a.getFindings()).allSatisfy(f -> assertThat(f.getMetric()).isEqualTo("silence_ratio"));

            // traffic stopped: one monitor, one wake-up at the next hour
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: held monitors go back to state
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            // the last pane (started T0 + 2h) is baseline until the window ending T0 + 2h + 24h + 1h
            h.processWatermark(T0 + 27 * HOUR + lateness);
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: held monitors go back to state
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            h.processWatermark(T0 + 28 * HOUR + lateness);
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: held monitors go back to state
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            // a standing investigation of a service gone quiet lapses without a RESOLVED
            assertThat(h.extractOutputValues()).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineRestarts.Backend.class)
    void restoredInTheDriftingHourItGoesOnAsIfItNeverStopped(EngineRestarts.Backend backend, @TempDir Path dir)
            throws Exception {
        long lateness = TopologySettings.DEFAULT.allowedLateness().toMillis();
        List<EngineRestarts.Step<PaneRecord>> steps = new ArrayList<>();
        for (long start = T0; start < T0 + 3 * HOUR; start += MIN) {
            List<PaneRecord> panes = List.of(
                    pane("en-US", start, 0.20), pane("de-DE", start, start >= T0 + 2 * HOUR ? 0.50 : 0.20));
            long watermark = start + MIN + lateness;
            steps.add(h -> {
                for (PaneRecord r : panes) {
                    h.processElement(r, r.paneEnd + lateness);
                }
                h.processWatermark(watermark);
            });
        }
        steps.add(h -> h.processWatermark(T0 + 27 * HOUR + lateness));
        // stopped half-way through the drifting hour: two hours of baseline and half the current pane held
        List<Advisory> after = EngineRestarts.assertRestoreChangesNothing(
                () -> new DriftFunction(BUNDLE, lateness, 60_000), PaneRecord::serviceKey, backend, dir, steps, 150, 1,
                "drift-pane-buffer-v3", "drift-pane-buffer-v3-counts", States.DRIFT_MONITOR.getName());
        assertThat(after).singleElement().satisfies(a -> {
            assertThat(a.getDecision()).isEqualTo(Decision.INVESTIGATE);
            assertThat(a.getWindowEnd()).isEqualTo(T0 + 3 * HOUR);
            assertThat(a.getFindings()).anySatisfy(f -> {
                assertThat(slice(f)).isEqualTo(Map.of("language", "de-DE"));
                assertThat(f.getMetric()).isEqualTo("silence_ratio");
                assertThat(f.getSamples()).isEqualTo(600L);
                assertThat(f.getBaselineSamples()).isEqualTo(1_200L);
            });
        });
    }

    /** One language's pane of the minute at {@code start}: 40 labelled requests of 10 words, {@code errors} wrong each. */
    static PaneRecord labelledPane(String language, long start, int errors) {
        return pane(language, "phone-line", start, 40, (r, i) -> r.setRefWords(10).setWordErrors(errors));
    }

    @ParameterizedTest
    @EnumSource(EngineRestarts.Backend.class)
    void aQualitySloPagingOnOneLanguageIsRestoredMidIncidentAndGoesOn(EngineRestarts.Backend backend,
            @TempDir Path dir) throws Exception {
        long lateness = TopologySettings.DEFAULT.allowedLateness().toMillis();
        List<EngineRestarts.Step<PaneRecord>> steps = new ArrayList<>();
        for (long start = T0; start < T0 + 440 * MIN; start += MIN) {
            // de-DE's WER goes from 10% to 40% at minute 30 and back at minute 70; en-US stays at 10%. The
            // page stands while the 30m window burns, a ticket while the 6h one does (ticket-3d's short window)
            boolean broken = start >= T0 + 30 * MIN && start < T0 + 70 * MIN;
            List<PaneRecord> panes = List.of(labelledPane("en-US", start, 1), labelledPane("de-DE", start, broken ? 4 : 1));
            long watermark = start + MIN + lateness;
            steps.add(h -> {
                for (PaneRecord r : panes) {
                    h.processElement(r, r.paneEnd + lateness);
                }
                h.processWatermark(watermark);
            });
        }
        // stopped 15 minutes into the page
        List<Advisory> after = EngineRestarts.assertRestoreChangesNothing(
                () -> new DriftFunction(BUNDLE, lateness, 60_000), PaneRecord::serviceKey, backend, dir, steps, 48, 2,
                States.THRESHOLD_SLO_MONITORS.getName(), States.THRESHOLD_SLO_ALERTS.getName());
        List<Advisory> wer = after.stream().filter(a -> a.getSlo().equals("asr-wer-per-slice")).toList();
        assertThat(wer).isNotEmpty().allSatisfy(a -> {
            assertThat(a.getKind()).isEqualTo(AdvisoryKind.BURN_RATE);
            assertThat(a.getModelVersion()).isEqualTo("v1");
            // every slice holding de-DE's traffic alone burns; the worst first, never en-US's
            assertThat(a.getFindings()).allSatisfy(f -> assertThat(slice(f)).containsEntry("language", "de-DE"));
        });
        // reminders every 15 minutes while it stands, then one RESOLVED
        assertThat(wer.stream().map(Advisory::getDecision).distinct().toList())
                .containsExactly(Decision.PAGE, Decision.TICKET, Decision.RESOLVED);
        assertThat(wer.get(wer.size() - 1).getDecision()).isEqualTo(Decision.RESOLVED);
        // ticket-3d's 6h window ending at minute 427 holds the last 3 bad minutes of 360, under 1%: resolved
        assertThat(wer.get(wer.size() - 1).getWindowEnd()).isEqualTo(T0 + 427 * MIN);
    }
}
