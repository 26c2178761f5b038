package io.speechslo.job;

import io.speechslo.aggregate.SlicePane;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.Policies;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.slice.RequestSlices;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Track;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The slice-pane aggregator on the operator harness: partials merged exactly, one PaneRecord per slice and pane, then no state. */
class SlicePaneAggregatorHarnessTest {

    static final PolicyBundle BUNDLE = PolicyLoader.bundleDefaults();
    static final Policies POLICIES = BUNDLE.policies();
    static final long PANE = AdvisorTopology.paneMillis(POLICIES, TopologySettings.DEFAULT);
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z, a pane boundary

    static KeyedOneInputStreamOperatorTestHarness<String, PaneRecord, PaneRecord> harness(long lateness)
            throws Exception {
        // the key and operator of the topology's slice-pane operator
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new HeldStateOperator<>(new SlicePaneAggregator(lateness)),
                Keys::slice, Types.STRING);
        h.open();
        return h;
    }

    static AsrRequest asr(long eventTime, Track track, String version, Outcome outcome, long firstPartialMs,
            long offset) {
        return Requests.asr("asr-prod", version, track, "en-US", "us-east-1", "mobile", "quiet")
                .setRequestId("r" + offset)
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setOutcome(outcome)
                .setFirstPartialMs(firstPartialMs)
                .build();
    }

    /** A partial pane, as a source's pre-aggregator emits it: the requests (all of one slice and pane) folded. */
    static PaneRecord partial(AsrRequest... requests) {
        SlicePane p = new SlicePane(Signal.ASR);
        long paneEnd = Long.MIN_VALUE;
        for (AsrRequest r : requests) {
            long t = r.getEventTime().toEpochMilli();
            long end = Math.floorDiv(t, PANE) * PANE + PANE;
            assertThat(paneEnd == Long.MIN_VALUE || paneEnd == end).as("one pane per partial").isTrue();
            paneEnd = end;
            p.add(r, t);
        }
        AsrRequest first = requests[0];
        return new PaneRecord("asr-prod", Signal.ASR, first.getTrack(), first.getModelVersion(),
                RequestSlices.of(first).key(), paneEnd, p.toBytes());
    }

    static void send(KeyedOneInputStreamOperatorTestHarness<String, PaneRecord, PaneRecord> h, PaneRecord in)
            throws Exception {
        h.processElement(in, in.paneEnd - 1);
    }

    @Test
    void paneIsEmittedOnceWhenTheWatermarkPassesItsEndAndItsStateAndTimerGo() throws Exception {
        assertThat(PANE).isEqualTo(60_000L);
        long lateness = TopologySettings.DEFAULT.allowedLateness().toMillis();
        try (var h = harness(lateness)) {
            // the first pane's requests come in two partials (two sources, or a checkpoint between them)
            send(h, partial(asr(T0 + 1_000, Track.STABLE, "v1", Outcome.OK, 150, 10)));
            send(h, partial(asr(T0 + 20_000, Track.STABLE, "v1", Outcome.ERROR, 150, 11),
                    asr(T0 + 59_999, Track.STABLE, "v1", Outcome.OK, 450, 12))); // first partial too slow
            send(h, partial(asr(T0 + PANE, Track.STABLE, "v1", Outcome.OK, 150, 14))); // the next pane

            // one key with two panes
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held panes go back to state
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(2);

            h.processWatermark(T0 + PANE + lateness - 1);
            assertThat(h.extractOutputValues()).isEmpty();

            h.processWatermark(T0 + PANE + lateness);
            List<StreamRecord<? extends PaneRecord>> out = h.extractOutputStreamRecords();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).getTimestamp()).isEqualTo(T0 + PANE + lateness);
            PaneRecord r = out.get(0).getValue();
            assertThat(r.service).isEqualTo("asr-prod");
            assertThat(r.signal).isEqualTo(Signal.ASR);
            assertThat(r.track).isEqualTo(Track.STABLE);
            assertThat(r.version).isEqualTo("v1");
            assertThat(r.slice).isEqualTo(
                    "acoustic_condition=quiet,device=mobile,language=en-US,region=us-east-1");
            assertThat(r.paneEnd).isEqualTo(T0 + PANE);
            SlicePane p = r.decode();
            assertThat(p.requests()).isEqualTo(3);
            assertThat(p.lastEventTime()).isEqualTo(T0 + 59_999);
            // both partials are in it: one ERROR of 3, one first partial of 3 too slow
            assertThat(p.metrics().samples(Metric.ASR_ERROR_RATE)).isEqualTo(3);
            assertThat(p.metrics().value(Metric.ASR_ERROR_RATE)).isEqualTo(1.0 / 3);
            assertThat(p.metrics().sketch(Metric.FIRST_PARTIAL_P95_MS).count()).isEqualTo(3);
            assertThat(p.metrics().sketch(Metric.FIRST_PARTIAL_P95_MS).countAbove(400)).isEqualTo(1);
            assertThat(p.drift().requests()).isEqualTo(3);

            // the second pane is still under way
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held panes go back to state
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            h.processWatermark(T0 + 2 * PANE + lateness);
            assertThat(h.extractOutputValues()).hasSize(2);
            assertThat(h.extractOutputValues().get(1).paneEnd).isEqualTo(T0 + 2 * PANE);
            assertThat(h.extractOutputValues().get(1).decode().requests()).isEqualTo(1);
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held panes go back to state
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void mergingPartialsGivesExactlyThePaneOfAllTheirRequests() throws Exception {
        AsrRequest[] requests = new AsrRequest[30];
        for (int i = 0; i < requests.length; i++) {
            requests[i] = asr(T0 + i * 1_900, Track.CANARY, "v2", i % 7 == 0 ? Outcome.TIMEOUT : Outcome.OK,
                    90 + 37L * i, i);
        }
        try (var h = harness(0)) {
            send(h, partial(java.util.Arrays.copyOfRange(requests, 20, 30)));
            send(h, partial(java.util.Arrays.copyOfRange(requests, 0, 3)));
            send(h, partial(java.util.Arrays.copyOfRange(requests, 3, 20)));
            h.processWatermark(T0 + PANE);
            List<PaneRecord> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            // byte for byte the pane of one fold over all requests in order
            assertThat(out.get(0).pane).isEqualTo(partial(requests).pane);
        }
    }

    @Test
    void aPartialBehindAClosedPaneIsDroppedAndCountedNotMergedIntoAnEmittedPane() throws Exception {
        // cannot happen in the topology (partials are flushed ahead of the watermark that closes their
        // pane); if it ever did, the emitted pane must not change and no state may be left behind
        long lateness = TopologySettings.DEFAULT.allowedLateness().toMillis();
        try (var h = harness(lateness)) {
            send(h, partial(asr(T0 + 5_000, Track.STABLE, "v1", Outcome.OK, 150, 1)));
            h.processWatermark(T0 + PANE + lateness);
            assertThat(h.extractOutputValues()).hasSize(1);

            send(h, partial(asr(T0 + 59_000, Track.STABLE, "v1", Outcome.OK, 150, 42)));
            h.processWatermark(T0 + 3 * PANE + lateness);

            assertThat(h.extractOutputValues()).hasSize(1);
            assertThat(h.extractOutputValues().get(0).decode().requests()).isEqualTo(1);
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held panes go back to state
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void allowedLatenessHoldsThePaneOpenForRequestsBehindTheWatermark() throws Exception {
        long lateness = 20_000;
        try (var h = harness(lateness)) {
            send(h, partial(asr(T0 + 5_000, Track.CANARY, "v2", Outcome.OK, 150, 1)));
            h.processWatermark(T0 + PANE + lateness - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            send(h, partial(asr(T0 + 10_000, Track.CANARY, "v2", Outcome.TIMEOUT, 150, 2))); // behind, not late

            h.processWatermark(T0 + PANE + lateness);
            List<PaneRecord> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).track).isEqualTo(Track.CANARY);
            assertThat(out.get(0).paneEnd).isEqualTo(T0 + PANE);
            SlicePane p = out.get(0).decode();
            assertThat(p.requests()).isEqualTo(2);
            assertThat(p.metrics().samples(Metric.ASR_TIMEOUT_RATE)).isEqualTo(2);
            assertThat(p.metrics().value(Metric.ASR_TIMEOUT_RATE)).isEqualTo(0.5);
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held panes go back to state
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void shadowTrafficIsAggregatedUnderItsOwnTrackForCostOnlyDownstream() throws Exception {
        try (var h = harness(0)) {
            for (int i = 0; i < 5; i++) {
                send(h, partial(asr(T0 + i * 1_000, Track.SHADOW, "v3", Outcome.ERROR, 900, i)));
            }
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held panes go back to state
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processWatermark(Long.MAX_VALUE);
            List<PaneRecord> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).track).isEqualTo(Track.SHADOW);
            assertThat(out.get(0).version).isEqualTo("v3");
            assertThat(out.get(0).decode().requests()).isEqualTo(5);
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held panes go back to state
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
