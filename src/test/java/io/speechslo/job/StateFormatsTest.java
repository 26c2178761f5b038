package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.Decision;
import io.speechslo.burn.BurnRateMonitor;
import io.speechslo.drift.DriftMonitor;
import io.speechslo.gate.RolloutSettings;
import io.speechslo.gate.RolloutTracker;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.SloDefinition;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HexFormat;
import java.util.Optional;

import static io.speechslo.job.EngineSerializersTest.MIN;
import static io.speechslo.job.EngineSerializersTest.POLICIES;
import static io.speechslo.job.EngineSerializersTest.SERVICE;
import static io.speechslo.job.EngineSerializersTest.T0;
import static io.speechslo.job.EngineSerializersTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * State written in an earlier format restores through Flink's compatibility path: the snapshot found in
 * the savepoint (the hand-written bytes of the snapshot Flink's SimpleTypeSerializerSnapshot wrote
 * before 2026-12-05, which recorded no format) gives the serializer of that format, the current
 * serializer answers compatibleAfterMigration, and the old bytes read into an object equal to the one
 * they were written from (same current-format bytes, same decisions).
 */
class StateFormatsTest {

    /** What writeVersionedSnapshot wrote for a SimpleTypeSerializerSnapshot subclass: its class name and version 3. */
    static byte[] legacySnapshot(Class<?> snapshotClass) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        out.writeUTF(snapshotClass.getName());
        out.writeInt(3);
        return out.getCopyOfBuffer();
    }

    static <T> TypeSerializerSnapshot<T> readSnapshot(byte[] bytes) throws IOException {
        return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(bytes),
                StateFormatsTest.class.getClassLoader());
    }

    /** What Flink does on restore: resolve against the current serializer, and read the old bytes with the old one. */
    static <T> T migrate(TypeSerializer<T> current, TypeSerializerSnapshot<T> old, byte[] oldBytes) throws IOException {
        TypeSerializerSchemaCompatibility<T> compatibility = current.snapshotConfiguration().resolveSchemaCompatibility(old);
        assertThat(compatibility.isCompatibleAfterMigration()).as(compatibility.toString()).isTrue();
        TypeSerializer<T> reader = old.restoreSerializer();
        assertThat(reader).isNotEqualTo(current);
        DataInputDeserializer in = new DataInputDeserializer(oldBytes);
        T value = reader.deserialize(in);
        assertThat(in.available()).isZero();
        // the reader writes the current format, and its snapshot says so
        assertThat(reader.snapshotConfiguration()).isEqualTo(current.snapshotConfiguration());
        assertThat(bytes(reader, value)).isEqualTo(bytes(current, value));
        return value;
    }

    static byte[] concat(byte[] head, byte[] tail) {
        byte[] all = new byte[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    @Test
    void burnMonitorsOfFormat2ReadAndMigrate() throws Exception {
        SloDefinition slo = POLICIES.slosFor(SERVICE, Signal.ASR).stream()
                .filter(s -> s.name().equals("asr-availability")).findFirst().orElseThrow();
        BurnRateMonitor monitor = new BurnRateMonitor(slo, POLICIES.burn(), SERVICE, "v1", POLICIES.version());
        monitor.add(T0 + 30_000, 95, 100);
        monitor.add(T0 + MIN + 30_000, 95, 100);
        assertThat(monitor.evaluate(T0 + 2 * MIN)).map(Advisory::getDecision).contains(Decision.PAGE);
        BurnRateMonitorSerializer current = new BurnRateMonitorSerializer();
        byte[] format3 = bytes(current, monitor);
        // format 2: the same fields behind a leading int 2
        byte[] format2 = concat(new byte[] {0, 0, 0, 2}, format3);

        BurnRateMonitor read = migrate(current, readSnapshot(legacySnapshot(BurnRateMonitorSerializer.Snapshot.class)),
                format2);
        assertThat(bytes(current, read)).isEqualTo(format3);
        read.configure(slo, POLICIES.burn(), SERVICE, "v1", POLICIES.version());
        for (long t = T0 + 3 * MIN; t <= T0 + 20 * MIN; t += MIN) {
            monitor.add(t - 30_000, 100, 100);
            read.add(t - 30_000, 100, 100);
            assertThat(read.evaluate(t)).isEqualTo(monitor.evaluate(t));
        }
        assertThat(bytes(current, read)).isEqualTo(bytes(current, monitor));
    }

    @Test
    void driftMonitorsOfFormat1ReadAndMigrate() throws Exception {
        // hand-written format 1: byte 1, service, signal, horizon, investigating, no standing slice, no pane
        byte[] format1 = HexFormat.of().parseHex("01" + "000861" + "73722d70726f64" + "0003" + "415352"
                + "0000019b76daa800" + "00" + "00000000" + "00000000");
        DriftMonitorSerializer current = new DriftMonitorSerializer();
        DriftMonitor read = migrate(current, readSnapshot(legacySnapshot(DriftMonitorSerializer.Snapshot.class)),
                format1);
        assertThat(read.service()).isEqualTo(SERVICE);
        assertThat(read.paneCount()).isZero();
        assertThat(bytes(current, read)).isEqualTo(java.util.Arrays.copyOfRange(format1, 1, format1.length));

        // a monitor with baselines: format 1 is format 2 behind a byte 1
        DriftMonitor monitor = new DriftMonitor(SERVICE, Signal.ASR, POLICIES.drift(), POLICIES.version());
        for (int h = 0; h < 2; h++) {
            EngineSerializersTest.hour(monitor, h, 0.2);
            assertThat(monitor.evaluate(T0 + (h + 1) * EngineSerializersTest.HOUR)).isEmpty();
        }
        EngineSerializersTest.hour(monitor, 2, 0.5);
        byte[] format2 = bytes(current, monitor);
        DriftMonitor baselines = migrate(current, readSnapshot(legacySnapshot(DriftMonitorSerializer.Snapshot.class)),
                concat(new byte[] {1}, format2));
        baselines.configure(POLICIES.drift(), POLICIES.version());
        Optional<Advisory> investigate = monitor.evaluate(T0 + 3 * EngineSerializersTest.HOUR);
        assertThat(investigate).map(Advisory::getDecision).contains(Decision.INVESTIGATE);
        assertThat(baselines.evaluate(T0 + 3 * EngineSerializersTest.HOUR)).isEqualTo(investigate);
        assertThat(bytes(current, baselines)).isEqualTo(bytes(current, monitor));
    }

    @Test
    void rolloutTrackersOfFormat1ReadAndMigrateStartingTheirStageHistoryAtTheLastDecision() throws Exception {
        RolloutTracker tracker = new RolloutTracker(SERVICE, Signal.ASR, RolloutSettings.DEFAULT);
        EngineSerializersTest.traffic(tracker, 0, 200);
        assertThat(EngineSerializersTest.evaluate(tracker, 1)).extracting(Advisory::getDecision)
                .containsExactly(Decision.PAUSE);
        EngineSerializersTest.traffic(tracker, 1, 200); // a pane not evaluated yet
        RolloutTrackerSerializer current = new RolloutTrackerSerializer();
        // format 1 as the release before wrote it: no stage history, metric sets without latency components
        DataOutputSerializer old = new DataOutputSerializer(4096);
        old.writeUTF(SERVICE);
        old.writeUTF(Signal.ASR.name());
        tracker.writeTo(old, RolloutTracker.FORMAT_WITHOUT_STAGES);
        byte[] format1 = old.getCopyOfBuffer();

        RolloutTracker read = migrate(current, readSnapshot(legacySnapshot(RolloutTrackerSerializer.Snapshot.class)),
                format1);
        read.configure(RolloutSettings.DEFAULT);
        java.util.List<Advisory> original = new java.util.ArrayList<>();
        java.util.List<Advisory> restored = new java.util.ArrayList<>();
        sameTrafficFromMinute2(tracker, original, read, restored);
        // the same decisions and findings
        assertThat(restored.stream().map(StateFormatsTest::withoutHistory).toList())
                .isEqualTo(original.stream().map(StateFormatsTest::withoutHistory).toList());
        assertThat(original).extracting(Advisory::getDecision).contains(Decision.ROLLBACK); // a change after the restore
        // the history: what format 1 knew, the PAUSE published at minute 1 (not when it began), then the same
        for (int i = 0; i < original.size(); i++) {
            java.util.List<io.speechslo.advisory.StageEntry> was = original.get(i).getStageHistory();
            java.util.List<io.speechslo.advisory.StageEntry> is = restored.get(i).getStageHistory();
            assertThat(was.get(0).getSince()).isEqualTo(T0);
            assertThat(is.get(0).getSince()).isEqualTo(T0 + MIN);
            assertThat(is.get(0).getDecision()).isEqualTo(was.get(0).getDecision()).isEqualTo(Decision.PAUSE);
            assertThat(is.get(0).getCanaryShare()).isEqualTo(was.get(0).getCanaryShare()).isEqualTo(0.5);
            assertThat(is.subList(1, is.size())).isEqualTo(was.subList(1, was.size()));
        }
    }

    @Test
    void rolloutTrackersOfFormat2ReadWithoutCohortSumsAndDecideAlike() throws Exception {
        RolloutTracker tracker = new RolloutTracker(SERVICE, Signal.ASR, RolloutSettings.DEFAULT);
        EngineSerializersTest.traffic(tracker, 0, 200);
        EngineSerializersTest.evaluate(tracker, 1);
        EngineSerializersTest.traffic(tracker, 1, 200); // a pane not evaluated yet, with its cohort sums
        RolloutTrackerSerializer current = new RolloutTrackerSerializer();
        DataOutputSerializer old = new DataOutputSerializer(4096);
        old.writeUTF(SERVICE);
        old.writeUTF(Signal.ASR.name());
        tracker.writeTo(old, RolloutTracker.FORMAT_WITHOUT_COHORTS);
        byte[] format2 = old.getCopyOfBuffer();
        // the snapshot the release before wrote: the format it records is 2
        DataOutputSerializer snapshot = new DataOutputSerializer(128);
        TypeSerializerSnapshot.writeVersionedSnapshot(snapshot,
                new RolloutTrackerSerializer.Snapshot(RolloutTracker.FORMAT_WITHOUT_COHORTS));
        RolloutTracker read = migrate(current, readSnapshot(snapshot.getCopyOfBuffer()), format2);
        read.configure(RolloutSettings.DEFAULT);
        assertThat(bytes(current, read)).isNotEqualTo(bytes(current, tracker)); // the cohort sums are not there
        java.util.List<Advisory> original = new java.util.ArrayList<>();
        java.util.List<Advisory> restored = new java.util.ArrayList<>();
        sameTrafficFromMinute2(tracker, original, read, restored);
        assertThat(original).extracting(Advisory::getDecision).contains(Decision.ROLLBACK);
        assertThat(restored.stream().map(StateFormatsTest::withoutHints).toList())
                .isEqualTo(original.stream().map(StateFormatsTest::withoutHints).toList());
    }

    private static Advisory withoutHints(Advisory a) {
        return Advisory.newBuilder(a).setHints(java.util.List.of()).setAdvisoryId("").build();
    }

    private static Advisory withoutHistory(Advisory a) {
        return Advisory.newBuilder(a).setStageHistory(java.util.List.of()).setAdvisoryId("").build();
    }

    /** Requests of one stable slice and minute that say where their time went. */
    private static java.util.List<io.speechslo.telemetry.AsrRequest> servedRequests(int n) {
        java.util.List<io.speechslo.telemetry.AsrRequest> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(io.speechslo.fixtures.Requests.asr(SERVICE, "v1", io.speechslo.telemetry.Track.STABLE, "en-US",
                    "us-east-1", "mobile", "quiet").setEventTime(java.time.Instant.ofEpochMilli(T0 + i * 100L))
                    .setQueueMs((long) (i % 17)).setPreprocessMs(4L).setModelMs((long) (90 + i % 31)).setBatchSize(1 + i % 8)
                    .setFirstPartialMs((long) (120 + i % 40)).build());
        }
        return out;
    }

    @Test
    void slicePanesOfFormat1ReadAndMigrateWithoutLatencyComponents() throws Exception {
        io.speechslo.aggregate.SlicePane pane = new io.speechslo.aggregate.SlicePane(Signal.ASR);
        for (io.speechslo.telemetry.AsrRequest r : servedRequests(300)) {
            pane.add(r, r.getEventTime().toEpochMilli());
        }
        // format 1 as the release before it wrote it: first byte 0x40 + the signal, a format-1 metric set
        DataOutputSerializer out = new DataOutputSerializer(4096);
        out.writeByte(0x40 + Signal.ASR.ordinal());
        out.writeLong(pane.lastEventTime());
        pane.metrics().writeTo(out, 1);
        pane.drift().writeTo(out);
        pane.requestStats().writeTo(out);
        byte[] format1 = out.getCopyOfBuffer();

        SlicePaneSerializer current = new SlicePaneSerializer();
        io.speechslo.aggregate.SlicePane read = migrate(current,
                readSnapshot(legacySnapshot(SlicePaneSerializer.Snapshot.class)), format1);
        // a pane in flight between operators (bytes in a PaneRecord) reads too, whatever the format
        io.speechslo.aggregate.SlicePane inFlight = io.speechslo.aggregate.SlicePane.fromBytes(format1);
        for (io.speechslo.aggregate.SlicePane p : java.util.List.of(read, inFlight)) {
            assertThat(p.requests()).isEqualTo(300);
            assertThat(p.lastEventTime()).isEqualTo(pane.lastEventTime());
            for (io.speechslo.metrics.Metric m : io.speechslo.metrics.Metric.of(Signal.ASR)) {
                assertThat(Double.valueOf(p.metrics().value(m))).as(m.id())
                        .isEqualTo(Double.valueOf(pane.metrics().value(m)));
            }
            assertThat(p.requestStats().requests()).isEqualTo(300);
            for (io.speechslo.metrics.LatencyComponents.Part part : io.speechslo.metrics.LatencyComponents.Part.values()) {
                assertThat(p.metrics().latency().count(part)).as("no latency components before format 2").isZero();
            }
        }
        assertThat(pane.metrics().latency().count(io.speechslo.metrics.LatencyComponents.Part.QUEUE)).isEqualTo(300);
        assertThat(io.speechslo.aggregate.SlicePane.fromBytes(pane.toBytes()).metrics().latency()
                .mean(io.speechslo.metrics.LatencyComponents.Part.MODEL))
                .isEqualTo(pane.metrics().latency().mean(io.speechslo.metrics.LatencyComponents.Part.MODEL));
    }

    /**
     * A tracker holding one pending stable pane of one slice, written by hand in the tracker's layout of
     * {@code format}: tracker format 1 holds metric sets of format 1, formats 2 and 3 of format 2; format 3
     * ends with the (here empty) pending stable cohort sums.
     */
    private static byte[] trackerBytes(long paneEnd, String slice, io.speechslo.metrics.MetricSet metrics,
            int format) throws IOException {
        int metricSetFormat = Math.min(format, 2);
        DataOutputSerializer out = new DataOutputSerializer(4096);
        out.writeUTF(SERVICE);
        out.writeUTF(Signal.ASR.name());
        out.writeLong(Long.MIN_VALUE); // never evaluated
        out.writeInt(1); // pending stable panes
        out.writeLong(paneEnd);
        out.writeInt(1);
        out.writeUTF(slice);
        metrics.writeTo(out, metricSetFormat);
        out.writeInt(1); // pending stable versions
        out.writeLong(paneEnd);
        out.writeInt(1);
        out.writeUTF("v1");
        out.writeLong(metrics.requests());
        out.writeInt(0); // candidates
        if (format >= 3) {
            out.writeInt(0); // pending stable cohort sums
        }
        return out.getCopyOfBuffer();
    }

    @Test
    void rolloutTrackersOfFormat1ReadAndMigrateWithoutLatencyComponents() throws Exception {
        assertThat(RolloutTracker.FORMAT).isEqualTo(3);
        RolloutTracker tracker = new RolloutTracker(SERVICE, Signal.ASR, io.speechslo.gate.RolloutSettings.DEFAULT);
        io.speechslo.metrics.MetricSet metrics = new io.speechslo.metrics.MetricSet(Signal.ASR);
        io.speechslo.slice.Slice slice = null;
        for (io.speechslo.telemetry.AsrRequest r : servedRequests(300)) {
            slice = io.speechslo.slice.RequestSlices.of(r);
            tracker.add(r.getTrack(), r.getModelVersion(), r.getEventTime().toEpochMilli(), slice, r);
            metrics.add(r);
        }
        long paneEnd = tracker.paneEnd(T0);
        RolloutTrackerSerializer current = new RolloutTrackerSerializer();
        // the hand-written layout is the tracker's: format 3 bytes are exactly these
        assertThat(bytes(current, tracker)).isEqualTo(trackerBytes(paneEnd, slice.key(), metrics, 3));

        RolloutTracker read = migrate(current, readSnapshot(legacySnapshot(RolloutTrackerSerializer.Snapshot.class)),
                trackerBytes(paneEnd, slice.key(), metrics, 1));
        // the same tracker, its metric set without latency components (what format 1 knew)
        io.speechslo.metrics.MetricSet withoutLatency = io.speechslo.metrics.MetricSet.readFrom(Signal.ASR,
                new DataInputDeserializer(io.speechslo.bytes.ByteWriter.bytes(o -> metrics.writeTo(o, 1), 4096)), 1);
        assertThat(bytes(current, read)).isEqualTo(trackerBytes(paneEnd, slice.key(), withoutLatency, 3));
        assertThat(read.pendingPanes()).containsExactly(paneEnd);
    }

    @Test
    void theSnapshotRecordsTheFormatAndRefusesANewerOne() throws Exception {
        BurnRateMonitorSerializer current = new BurnRateMonitorSerializer();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, current.snapshotConfiguration());
        byte[] written = out.getCopyOfBuffer();
        // class name, snapshot version 4, format 3
        assertThat(java.util.Arrays.copyOfRange(written, written.length - 8, written.length))
                .isEqualTo(new byte[] {0, 0, 0, 4, 0, 0, 0, (byte) BurnRateMonitor.FORMAT});
        assertThat(current.snapshotConfiguration().resolveSchemaCompatibility(readSnapshot(written)).isCompatibleAsIs())
                .isTrue();

        // a savepoint of a later release (format 4): a downgrade is refused, not misread
        written[written.length - 1] = (byte) (BurnRateMonitor.FORMAT + 1);
        assertThatThrownBy(() -> readSnapshot(written).restoreSerializer())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reads formats 1 to 3");
        BurnRateMonitorSerializer.Snapshot newer = new BurnRateMonitorSerializer.Snapshot(BurnRateMonitor.FORMAT + 1);
        assertThat(current.snapshotConfiguration().resolveSchemaCompatibility(newer).isIncompatible()).isTrue();

        // a snapshot version of a later release
        written[written.length - 5] = 5;
        assertThatThrownBy(() -> readSnapshot(written)).hasStackTraceContaining("restore it with a newer release");
    }

    @Test
    void slicePanesOfFormat2ReadAndMigrateWithNoCostShares() throws Exception {
        io.speechslo.aggregate.SlicePane pane = new io.speechslo.aggregate.SlicePane(Signal.ASR);
        pane.add(io.speechslo.fixtures.Requests.asr().setPool("gpu-eu").setFallback(true).setCostUsd(0.01).build(), 1);
        byte[] format3 = pane.toBytes();
        // format 2: the same bytes without the cost shares at the end, and without their flag (0x10)
        int shares = io.speechslo.bytes.ByteWriter.bytes(pane.costShares()::writeTo, 64).length;
        byte[] format2 = java.util.Arrays.copyOf(format3, format3.length - shares);
        format2[0] = (byte) (format2[0] & ~0x10);
        SlicePaneSerializer current = new SlicePaneSerializer();
        io.speechslo.aggregate.SlicePane read = migrate(current, new SlicePaneSerializer.Snapshot(2), format2);
        assertThat(read.costShares().isEmpty()).isTrue();
        assertThat(read.requests()).isEqualTo(1);
        assertThat(read.metrics().ratio(io.speechslo.metrics.Metric.COST_PER_AUDIO_MINUTE))
                .isEqualTo(pane.metrics().ratio(io.speechslo.metrics.Metric.COST_PER_AUDIO_MINUTE));
    }

    @Test
    void costMonitorsOfFormat1Migrate() throws Exception {
        // a monitor with no bucket is the same bytes in both formats: service, signal, no version, no decision
        io.speechslo.cost.CostMonitor monitor = new io.speechslo.cost.CostMonitor(SERVICE, Signal.ASR);
        CostMonitorSerializer current = new CostMonitorSerializer();
        io.speechslo.cost.CostMonitor read = migrate(current, new CostMonitorSerializer.Snapshot(1),
                bytes(current, monitor));
        assertThat(read.isEmpty()).isTrue();
        // buckets of format 1 read as the cost monitor's own test shows (CostMonitorTest)
    }

    /** Minutes 2 to 20 of the same traffic into both trackers, each evaluation's advisories into its list. */
    private static void sameTrafficFromMinute2(RolloutTracker a, java.util.List<Advisory> fromA, RolloutTracker b,
            java.util.List<Advisory> fromB) {
        for (int m = 2; m <= 20; m++) {
            EngineSerializersTest.traffic(a, m, 200);
            EngineSerializersTest.traffic(b, m, 200);
            fromA.addAll(EngineSerializersTest.evaluate(a, m));
            fromB.addAll(EngineSerializersTest.evaluate(b, m));
        }
    }
}
