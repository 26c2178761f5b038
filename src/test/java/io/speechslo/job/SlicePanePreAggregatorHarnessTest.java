package io.speechslo.job;

import io.speechslo.deadletter.DeadLetter;
import io.speechslo.fixtures.Requests;
import io.speechslo.kafka.DeadLetterReason;
import io.speechslo.kafka.DeadLetters;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.Track;
import io.speechslo.testing.TelemetrySamples;

import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The source-side pre-aggregator on the operator harness: requests folded per slice and pane, partials
 * flushed ahead of the watermark that closes their pane, before a checkpoint barrier, on idleness and
 * at the end of input; late requests and dead letters to the dead-letter side output.
 */
class SlicePanePreAggregatorHarnessTest {

    static final PolicyBundle BUNDLE = PolicyLoader.bundleDefaults();
    static final long PANE = 60_000;
    static final long BURN = 5_000;
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z, a pane boundary
    static final String TOPIC = "speech.asr.requests";
    static final String QUIET_MOBILE = "acoustic_condition=quiet,device=mobile,language=en-US,region=us-east-1";

    static OneInputStreamOperatorTestHarness<Ingested, PaneRecord> harness(long lateness) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new SlicePanePreAggregator(BUNDLE, PANE, BURN, lateness));
        h.open();
        return h;
    }

    static Ingested asr(long eventTime, Track track, String region, long offset) {
        AsrRequest r = Requests.asr("asr-prod", track == Track.CANARY ? "v2" : "v1", track, "en-US", region,
                        "mobile", "quiet")
                .setRequestId("r" + offset)
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .setOutcome(offset % 2 == 0 ? Outcome.OK : Outcome.ERROR)
                .build();
        return Ingested.of(r, TOPIC, 3, offset);
    }

    static void send(OneInputStreamOperatorTestHarness<Ingested, PaneRecord> h, Ingested in) throws Exception {
        h.processElement(in, in.eventTime());
    }

    /** Everything emitted so far on the main output, records and watermarks, in order, as short strings. */
    static List<String> emitted(OneInputStreamOperatorTestHarness<Ingested, PaneRecord> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof Watermark w) {
                out.add("watermark " + (w.getTimestamp() - T0));
            } else if (o instanceof WatermarkStatus s) {
                out.add(s.isIdle() ? "idle" : "active");
            } else {
                @SuppressWarnings("unchecked")
                PaneRecord r = ((StreamRecord<PaneRecord>) o).getValue();
                out.add(r.track + " " + r.version + " " + r.fullSlice().get("region") + " pane " + (r.paneEnd - T0)
                        + " requests " + r.decode().requests());
            }
        }
        return out;
    }

    @Test
    void requestsFoldPerSliceAndPaneAndGoOutAheadOfTheWatermarkThatClosesTheirPane() throws Exception {
        long lateness = 10_000;
        try (var h = harness(lateness)) {
            send(h, asr(T0 + 1_000, Track.STABLE, "us-east-1", 0));
            send(h, asr(T0 + 2_000, Track.CANARY, "us-east-1", 1));
            send(h, asr(T0 + 3_000, Track.STABLE, "us-east-1", 2));
            send(h, asr(T0 + 61_000, Track.STABLE, "us-east-1", 3)); // the next pane
            send(h, asr(T0 + 4_000, Track.STABLE, "eu-west-1", 4));
            h.processWatermark(T0 + PANE + lateness - 1);
            assertThat(emitted(h)).containsExactly("watermark " + (PANE + lateness - 1));

            h.processWatermark(T0 + PANE + lateness);
            assertThat(emitted(h)).hasSize(5).startsWith("watermark " + (PANE + lateness - 1))
                    .endsWith("watermark " + (PANE + lateness))
                    .contains("STABLE v1 us-east-1 pane 60000 requests 2", "CANARY v2 us-east-1 pane 60000 requests 1",
                            "STABLE v1 eu-west-1 pane 60000 requests 1");

            h.processWatermark(Long.MAX_VALUE);
            assertThat(emitted(h)).hasSize(7).endsWith("STABLE v1 us-east-1 pane 120000 requests 1",
                    "watermark " + (Long.MAX_VALUE - T0));

            PaneRecord first = h.extractOutputValues().stream()
                    .filter(r -> r.track == Track.STABLE && r.slice.equals(QUIET_MOBILE) && r.paneEnd == T0 + PANE)
                    .findFirst().orElseThrow();
            assertThat(first.service).isEqualTo("asr-prod");
            assertThat(first.signal).isEqualTo(Signal.ASR);
            assertThat(first.decode().lastEventTime()).isEqualTo(T0 + 3_000);
            assertThat(first.decode().metrics().ratio(io.speechslo.metrics.Metric.ASR_ERROR_RATE).value()).isZero();
            assertThat(h.getSideOutput(Tags.DEAD_LETTERS)).isNull();
        }
    }

    @Test
    void everythingHeldIsFlushedBeforeACheckpointBarrierAndBeforeTheSourceGoesIdle() throws Exception {
        try (var h = harness(0)) {
            send(h, asr(T0 + 1_000, Track.STABLE, "us-east-1", 0));
            send(h, asr(T0 + 61_000, Track.STABLE, "us-east-1", 1));
            h.prepareSnapshotPreBarrier(1);
            assertThat(emitted(h)).containsExactlyInAnyOrder("STABLE v1 us-east-1 pane 60000 requests 1",
                    "STABLE v1 us-east-1 pane 120000 requests 1");
            // nothing held, so nothing to checkpoint: the operator keeps no state at all
            var snapshot = h.snapshot(1, T0);
            assertThat(snapshot.getManagedOperatorState()).isEmpty();
            assertThat(snapshot.getRawOperatorState()).isEmpty();
            h.getOutput().clear();

            send(h, asr(T0 + 62_000, Track.STABLE, "us-east-1", 2));
            h.processWatermarkStatus(WatermarkStatus.IDLE);
            assertThat(emitted(h)).containsExactly("STABLE v1 us-east-1 pane 120000 requests 1", "idle");
            h.getOutput().clear();

            send(h, asr(T0 + 63_000, Track.STABLE, "us-east-1", 3));
            h.endInput();
            assertThat(emitted(h)).containsExactly("STABLE v1 us-east-1 pane 120000 requests 1");
        }
    }

    @Test
    void aRequestInAPaneTheWatermarkClosedIsDeadLetteredAsLateWithItsOriginAndCounted() throws Exception {
        try (var h = harness(0)) {
            h.processWatermark(T0 + PANE);
            send(h, asr(T0 + 59_000, Track.STABLE, "us-east-1", 42));
            send(h, asr(T0 + 60_000, Track.STABLE, "us-east-1", 43)); // the open pane: not late
            h.processWatermark(Long.MAX_VALUE);

            assertThat(h.extractOutputValues()).extracting(r -> r.paneEnd, r -> r.decode().requests())
                    .containsExactly(tuple(T0 + 2 * PANE, 1L));
            List<DeadLetter> late = new ArrayList<>();
            h.getSideOutput(Tags.DEAD_LETTERS).forEach(sr -> late.add(sr.getValue()));
            assertThat(late).hasSize(1);
            DeadLetter d = late.get(0);
            assertThat(d.getReason()).isEqualTo("late");
            assertThat(d.getSourceTopic()).isEqualTo(TOPIC);
            assertThat(d.getPartition()).isEqualTo(3);
            assertThat(d.getOffset()).isEqualTo(42L);
            assertThat(d.getDetail()).contains(Long.toString(T0 + 59_000)).contains(Long.toString(T0 + PANE));
            assertThat(new String(d.getRaw().array(), StandardCharsets.UTF_8)).contains("\"r42\"");
        }
    }

    /** The burn counts emitted so far, as "version tickEnd-T0 good/total" of the availability SLO. */
    static List<String> ticks(OneInputStreamOperatorTestHarness<Ingested, PaneRecord> h) {
        int slo = sloIndex("asr-availability");
        List<String> out = new ArrayList<>();
        var side = h.getSideOutput(Tags.BURN_TICKS);
        if (side != null) {
            for (StreamRecord<BurnTick> r : side) {
                BurnTick t = r.getValue();
                assertThat(r.getTimestamp()).isEqualTo(t.tickEnd - 1);
                assertThat(t.service).isEqualTo("asr-prod");
                out.add(t.version + " " + (t.tickEnd - T0) + " " + t.good[slo] + "/" + t.total[slo]);
            }
        }
        return out;
    }

    static int sloIndex(String name) {
        var slos = BUNDLE.policies().slosFor("asr-prod", Signal.ASR);
        for (int i = 0; i < slos.size(); i++) {
            if (slos.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no SLO " + name);
    }

    @Test
    void burnCountsPerVersionLeaveAsSoonAsTheWatermarkPassesTheirBurnPaneWhateverTheLateness() throws Exception {
        long lateness = 30_000;
        try (var h = harness(lateness)) {
            send(h, asr(T0 + 1_000, Track.STABLE, "us-east-1", 0)); // OK
            send(h, asr(T0 + 2_000, Track.STABLE, "eu-west-1", 1)); // ERROR, another slice: same counts
            send(h, asr(T0 + 3_000, Track.CANARY, "us-east-1", 2)); // OK
            send(h, asr(T0 + 4_000, Track.SHADOW, "us-east-1", 3)); // never counted for burn rates
            send(h, asr(T0 + 6_000, Track.STABLE, "us-east-1", 5)); // ERROR, the next burn pane
            h.processWatermark(T0 + BURN - 1);
            assertThat(ticks(h)).isEmpty();

            h.processWatermark(T0 + BURN);
            assertThat(ticks(h)).containsExactlyInAnyOrder("v1 5000 1/2", "v2 5000 1/1");
            // the burn counts left ahead of the watermark; the slice panes wait for pane end + lateness
            assertThat(emitted(h)).containsExactly("watermark " + (BURN - 1), "watermark " + BURN);

            // late for its burn pane, not for its slice pane: counted, and out with the next watermark
            send(h, asr(T0 + 4_500, Track.STABLE, "us-east-1", 7));
            assertThat(h.getSideOutput(Tags.DEAD_LETTERS)).isNull();
            h.processWatermark(T0 + 5_500);
            assertThat(ticks(h)).containsExactlyInAnyOrder("v1 5000 1/2", "v2 5000 1/1", "v1 5000 0/1");

            h.prepareSnapshotPreBarrier(1); // nothing held across a checkpoint
            assertThat(ticks(h)).hasSize(4).contains("v1 10000 0/1");
        }
    }

    @Test
    void burnCountsHoldEachSloOverExactlyTheRequestsItCovers() throws Exception {
        try (var h = harness(0)) {
            long[] firstPartialMs = {150, 450, 150};
            Outcome[] outcomes = {Outcome.OK, Outcome.OK, Outcome.ERROR};
            for (int i = 0; i < 3; i++) {
                h.processElement(Ingested.of(Requests.asr("asr-prod", "v1", Track.STABLE, "en-US", "us-east-1",
                                "mobile", "quiet")
                        .setEventTime(Instant.ofEpochMilli(T0 + 1_000 + i))
                        .setOutcome(outcomes[i]).setFirstPartialMs(firstPartialMs[i]).build(), TOPIC, 3, i),
                        T0 + 1_000 + i);
            }
            h.processWatermark(T0 + BURN);
            List<BurnTick> ticks = new ArrayList<>();
            h.getSideOutput(Tags.BURN_TICKS).forEach(r -> ticks.add(r.getValue()));
            assertThat(ticks).hasSize(1);
            BurnTick t = ticks.get(0);
            int availability = sloIndex("asr-availability");
            assertThat(t.good[availability]).isEqualTo(2);
            assertThat(t.total[availability]).isEqualTo(3);
            int firstPartial = sloIndex("asr-first-partial-latency"); // of OK requests only, within 300 ms
            assertThat(t.good[firstPartial]).isEqualTo(1);
            assertThat(t.total[firstPartial]).isEqualTo(2);
        }
    }

    @Test
    void deadLettersGoToTheSideOutputWithTheirTimestampsAndNeverIntoAPane() throws Exception {
        DeadLetter magic = DeadLetters.of(TOPIC, 1, 7, null, new byte[] {9, 9},
                DeadLetterReason.BAD_MAGIC_BYTE, "first byte is 9, not 0", null, 500);
        DeadLetter unknownCode = DeadLetter.newBuilder(magic).setReason("not_a_reason").setOffset(8).build();
        try (var h = harness(0)) {
            send(h, asr(T0 + 1_000, Track.STABLE, "us-east-1", 0));
            h.processElement(Ingested.dead(magic), 500);
            h.processElement(Ingested.dead(unknownCode), 600);
            h.processWatermark(Long.MAX_VALUE);

            assertThat(h.extractOutputValues()).extracting(r -> r.decode().requests()).containsExactly(1L);
            List<StreamRecord<DeadLetter>> dead = new ArrayList<>(h.getSideOutput(Tags.DEAD_LETTERS));
            assertThat(dead).extracting(StreamRecord::getValue).containsExactly(magic, unknownCode);
            assertThat(dead).extracting(StreamRecord::getTimestamp).containsExactly(500L, 600L);
        }
    }

    @Test
    void servingSamplesAndPrivacyEventsGoToTheirSideOutputsAtOnceAndNeverIntoAPane() throws Exception {
        ServingSample sample = TelemetrySamples.serving(1, Instant.ofEpochMilli(T0 + 5_000)).build();
        PrivacyEvent event = TelemetrySamples.privacy(2, Instant.ofEpochMilli(T0 + 7_000)).setModelVersion(null).build();
        try (var h = harness(0)) {
            send(h, asr(T0 + 1_000, Track.STABLE, "us-east-1", 0));
            send(h, Ingested.of(sample, "speech.serving.samples", 0, 11));
            send(h, Ingested.of(event, "speech.privacy.events", 0, 12));
            // out before any watermark: nothing is held for them
            assertThat(h.getSideOutput(Tags.SERVING_SAMPLES)).extracting(r -> r.getValue().serving).containsExactly(sample);
            assertThat(h.getSideOutput(Tags.SERVING_SAMPLES)).extracting(r -> r.getValue().offset).containsExactly(11L);
            assertThat(h.getSideOutput(Tags.SERVING_SAMPLES)).extracting(StreamRecord::getTimestamp)
                    .containsExactly(T0 + 5_000);
            assertThat(h.getSideOutput(Tags.PRIVACY_EVENTS)).extracting(r -> r.getValue().privacy).containsExactly(event);
            assertThat(h.getSideOutput(Tags.PRIVACY_EVENTS)).extracting(StreamRecord::getTimestamp)
                    .containsExactly(T0 + 7_000);
            // a sample behind the watermark is not a late request: it goes out all the same
            h.processWatermark(T0 + 2 * PANE);
            send(h, Ingested.of(sample, "speech.serving.samples", 0, 13));
            assertThat(h.getSideOutput(Tags.SERVING_SAMPLES)).hasSize(2);
            h.processWatermark(Long.MAX_VALUE);

            assertThat(h.extractOutputValues()).extracting(r -> r.decode().requests()).containsExactly(1L);
            assertThat(ticks(h)).containsExactly("v1 5000 1/1"); // the one request's, nothing from the others
            assertThat(h.getSideOutput(Tags.DEAD_LETTERS)).isNull();
        }
    }

    @Test
    void moreDistinctSlicesThanTheBoundFlushEverythingHeldSoMemoryStaysBounded() throws Exception {
        try (var h = harness(0)) {
            for (int i = 0; i <= SlicePanePreAggregator.MAX_BUFFERED; i++) {
                send(h, asr(T0 + 1_000, Track.STABLE, "region-" + i, i));
            }
            // the request that went over the bound flushed all partials, itself included
            assertThat(h.extractOutputValues()).hasSize(SlicePanePreAggregator.MAX_BUFFERED + 1);
            send(h, asr(T0 + 2_000, Track.STABLE, "region-0", 0));
            assertThat(h.extractOutputValues()).hasSize(SlicePanePreAggregator.MAX_BUFFERED + 1);
            h.endInput();
            assertThat(h.extractOutputValues()).hasSize(SlicePanePreAggregator.MAX_BUFFERED + 2);
        }
    }

}
