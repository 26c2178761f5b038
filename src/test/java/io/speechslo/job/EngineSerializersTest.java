package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.Decision;
import io.speechslo.burn.BurnRateMonitor;
import io.speechslo.drift.DriftMonitor;
import io.speechslo.fixtures.Requests;
import io.speechslo.gate.RolloutSettings;
import io.speechslo.gate.RolloutTracker;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.slice.RequestSlices;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Track;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The serializers that keep the engines as objects in keyed state: what they write reads back into an
 * engine that, once its configuration is attached, decides exactly as the original; a copy shares
 * nothing with its original; their snapshots restore them, and refuse state of another type (the
 * byte[] the engines were kept as before, which is why the state names changed).
 */
class EngineSerializersTest {

    static final Policies POLICIES = PolicyLoader.bundleDefaults().policies();
    static final long MIN = 60_000;
    static final long HOUR = 60 * MIN;
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final String SERVICE = "asr-prod";

    /** Something done to an engine that may throw. */
    interface Action<T> {
        void on(T engine) throws Exception;
    }

    static AsrRequest request(Track track, String version, String language, long t, int wordErrors, double silence) {
        return Requests.asr(SERVICE, version, track, language, "us-east-1", "mobile", "quiet")
                .setEventTime(Instant.ofEpochMilli(t))
                .setRefWords(20).setWordErrors(wordErrors)
                .setSilenceRatio((float) silence)
                .build();
    }

    // ---- release gate

    static void traffic(RolloutTracker t, int minute, int n) {
        for (int i = 0; i < n; i++) {
            long at = T0 + minute * MIN + i * (MIN / n);
            for (AsrRequest r : List.of(request(Track.STABLE, "v1", "en-US", at, i % 3, 0.2),
                    request(Track.CANARY, "v2", "en-US", at, 2 * (i % 3), 0.2))) {
                t.add(r.getTrack(), r.getModelVersion(), at, RequestSlices.of(r), r);
            }
        }
    }

    static List<Advisory> evaluate(RolloutTracker t, int minute) {
        return t.evaluate(T0 + minute * MIN, POLICIES.gateFor(SERVICE), POLICIES.version());
    }

    @Test
    void rolloutTracker() throws Exception {
        RolloutSettings settings = RolloutSettings.DEFAULT;
        RolloutTracker tracker = new RolloutTracker(SERVICE, Signal.ASR, settings);
        traffic(tracker, 0, 200);
        assertThat(evaluate(tracker, 1)).extracting(Advisory::getDecision).containsExactly(Decision.PAUSE);
        traffic(tracker, 1, 200);
        RolloutTrackerSerializer serializer = new RolloutTrackerSerializer();

        RolloutTracker back = roundTrip(serializer, tracker);
        assertThat(back.service()).isEqualTo(SERVICE);
        assertThat(back.signal()).isEqualTo(Signal.ASR);
        assertThatThrownBy(() -> evaluate(back, 2))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("without its settings");
        back.configure(settings);
        traffic(tracker, 2, 200);
        traffic(back, 2, 200);
        for (int m = 2; m <= 3; m++) {
            assertThat(evaluate(back, m)).isEqualTo(evaluate(tracker, m));
        }
        assertThat(bytes(serializer, back)).isEqualTo(bytes(serializer, tracker));

        assertCopiesDeeply(serializer, tracker, t -> t.configure(settings), t -> traffic(t, 4, 10));
        assertSnapshotRestores(serializer);
    }

    // ---- burn rate

    @Test
    void burnRateMonitor() throws Exception {
        SloDefinition slo = POLICIES.slosFor(SERVICE, Signal.ASR).stream()
                .filter(s -> s.name().equals("asr-availability")).findFirst().orElseThrow();
        Consumer<BurnRateMonitor> configure = m -> m.configure(slo, POLICIES.burn(), SERVICE, "v1", POLICIES.version());
        BurnRateMonitor monitor = new BurnRateMonitor(slo, POLICIES.burn(), SERVICE, "v1", POLICIES.version());
        monitor.add(T0 + 30_000, 95, 100);
        assertThat(monitor.evaluate(T0 + MIN)).isEmpty(); // 5 bad requests are no evidence yet
        monitor.add(T0 + MIN + 30_000, 95, 100);
        BurnRateMonitorSerializer serializer = new BurnRateMonitorSerializer();

        BurnRateMonitor back = roundTrip(serializer, monitor);
        assertThatThrownBy(() -> back.evaluate(T0 + 2 * MIN))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("without its configuration");
        configure.accept(back);
        Optional<Advisory> page = monitor.evaluate(T0 + 2 * MIN);
        assertThat(page).map(Advisory::getDecision).contains(Decision.PAGE);
        assertThat(back.evaluate(T0 + 2 * MIN)).isEqualTo(page);
        assertThat(bytes(serializer, back)).isEqualTo(bytes(serializer, monitor));

        assertCopiesDeeply(serializer, monitor, configure, m -> m.add(T0 + 2 * MIN + 30_000, 100, 100));
        assertSnapshotRestores(serializer);
    }

    // ---- drift

    static void hour(DriftMonitor m, int hour, double deSilence) {
        for (long start = T0 + hour * HOUR; start < T0 + (hour + 1) * HOUR; start += MIN) {
            for (int i = 0; i < 10; i++) {
                long at = start + i * (MIN / 10);
                m.add(request(Track.STABLE, "v1", "en-US", at, 0, 0.2 + 0.01 * i));
                m.add(request(Track.STABLE, "v1", "de-DE", at, 0, deSilence + 0.01 * i));
            }
        }
    }

    @Test
    void driftMonitor() throws Exception {
        Consumer<DriftMonitor> configure = m -> m.configure(POLICIES.drift(), POLICIES.version());
        DriftMonitor monitor = new DriftMonitor(SERVICE, Signal.ASR, POLICIES.drift(), POLICIES.version());
        for (int h = 0; h < 2; h++) {
            hour(monitor, h, 0.2);
            assertThat(monitor.evaluate(T0 + (h + 1) * HOUR)).isEmpty();
        }
        hour(monitor, 2, 0.5);
        DriftMonitorSerializer serializer = new DriftMonitorSerializer();

        DriftMonitor back = roundTrip(serializer, monitor);
        assertThat(back.service()).isEqualTo(SERVICE);
        assertThat(back.paneCount()).isEqualTo(3);
        assertThatThrownBy(() -> back.evaluate(T0 + 3 * HOUR))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("without its policy");
        configure.accept(back);
        Optional<Advisory> investigate = monitor.evaluate(T0 + 3 * HOUR);
        assertThat(investigate).map(Advisory::getDecision).contains(Decision.INVESTIGATE);
        assertThat(back.evaluate(T0 + 3 * HOUR)).isEqualTo(investigate);
        assertThat(bytes(serializer, back)).isEqualTo(bytes(serializer, monitor));

        assertCopiesDeeply(serializer, monitor, configure, m -> m.add(request(Track.STABLE, "v1", "en-US",
                T0 + 3 * HOUR + MIN, 0, 0.9)));
        assertSnapshotRestores(serializer);
    }

    // ---- shared

    /** Writes and reads back, checking that the bytes read back write the same bytes again. */
    static <T> T roundTrip(TypeSerializer<T> serializer, T engine) throws IOException {
        byte[] bytes = bytes(serializer, engine);
        T back = serializer.deserialize(new DataInputDeserializer(bytes));
        assertThat(back).isNotSameAs(engine);
        assertThat(bytes(serializer, back)).isEqualTo(bytes);
        DataOutputSerializer copied = new DataOutputSerializer(bytes.length);
        serializer.copy(new DataInputDeserializer(bytes), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(bytes);
        return back;
    }

    /**
     * A copy holds what the original holds; changing either afterwards leaves the other as it was. The
     * copy comes back without configuration, like any engine read from state.
     */
    static <T> void assertCopiesDeeply(TypeSerializer<T> serializer, T original, Consumer<T> configure, Action<T> change)
            throws Exception {
        byte[] before = bytes(serializer, original);
        T copy = serializer.copy(original);
        assertThat(copy).isNotSameAs(original);
        assertThat(bytes(serializer, copy)).isEqualTo(before);

        configure.accept(copy);
        change.on(copy);
        byte[] changedCopy = bytes(serializer, copy);
        assertThat(changedCopy).isNotEqualTo(before);
        assertThat(bytes(serializer, original)).isEqualTo(before);

        change.on(original);
        change.on(original);
        assertThat(bytes(serializer, original)).isNotEqualTo(before).isNotEqualTo(changedCopy);
        assertThat(bytes(serializer, copy)).isEqualTo(changedCopy);
    }

    /** The snapshot restores an equal serializer that reads its own state as is, and nobody else's. */
    static <T> void assertSnapshotRestores(TypeSerializer<T> serializer) throws IOException {
        assertThat(serializer.duplicate()).isEqualTo(serializer);
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<T> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), EngineSerializersTest.class.getClassLoader());
        assertThat(restored.restoreSerializer()).isEqualTo(serializer).hasSameClassAs(serializer);
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAsIs())
                .isTrue();

        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<T> bytes = (TypeSerializerSnapshot) BytePrimitiveArraySerializer.INSTANCE.snapshotConfiguration();
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(bytes).isIncompatible()).isTrue();
        for (TypeSerializer<?> other : List.of(
                new RolloutTrackerSerializer(), new BurnRateMonitorSerializer(), new DriftMonitorSerializer())) {
            if (other.getClass() != serializer.getClass()) {
                assertThat(other).isNotEqualTo(serializer);
                @SuppressWarnings({"unchecked", "rawtypes"})
                TypeSerializerSnapshot<T> theirs = (TypeSerializerSnapshot) other.snapshotConfiguration();
                assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(theirs).isIncompatible())
                        .isTrue();
            }
        }
    }

    static <T> byte[] bytes(TypeSerializer<T> serializer, T engine) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(4096);
        serializer.serialize(engine, out);
        return out.getCopyOfBuffer();
    }
}
