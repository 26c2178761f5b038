package io.speechslo.job;

import io.speechslo.aggregate.SlicePane;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.Signal;
import io.speechslo.slice.RequestSlices;
import io.speechslo.telemetry.Track;

import org.apache.avro.specific.SpecificRecord;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** The cardinality guard on the operator harness: on partial panes, first values win, the rest become "other", state stays small. */
class CardinalityGuardHarnessTest {

    static final char SEP = Keys.SEP;
    static final Duration WEEK = Duration.ofDays(7);
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final long MIN = 60_000;
    static final String ASR_PROD = Keys.service("asr-prod", Signal.ASR);

    /** A partial pane of one request, as the sources' pre-aggregator emits it; paneEnd tells them apart. */
    static PaneRecord partial(SpecificRecord request, long paneEnd) {
        Ingested i = Ingested.of(request, "t", 0, 0);
        SlicePane p = new SlicePane(i.signal());
        p.add(request, paneEnd - 1);
        return new PaneRecord(i.service(), i.signal(), i.track(), i.modelVersion(),
                i.asr != null ? RequestSlices.of(i.asr).key() : RequestSlices.of(i.tts).key(), paneEnd, p.toBytes());
    }

    static PaneRecord asr(String service, String region, long paneEnd) {
        return partial(Requests.asr(service, "v1", Track.STABLE, "en-US", region, "mobile", "quiet").build(), paneEnd);
    }

    static PaneRecord tts(String voice, long paneEnd) {
        return partial(Requests.tts("tts-prod", "t1", Track.STABLE, "en-US", "us-east-1", "web", voice).build(), paneEnd);
    }

    /**
     * One key's map state, entry by entry, read through the harness's keyed state backend
     * (numKeyedStateEntries counts one per key and namespace, whatever the map holds).
     */
    static <K, V> Map<K, V> mapState(AbstractStreamOperatorTestHarness<?> h, String key,
            MapStateDescriptor<K, V> descriptor) throws Exception {
        KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(key);
        MapState<K, V> state = backend.getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
        Map<K, V> m = new TreeMap<>();
        for (Map.Entry<K, V> e : state.entries()) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    /** A key's admitted values in state, once the values held go back there (as at a checkpoint). */
    static Map<String, Integer> values(AbstractStreamOperatorTestHarness<?> h, String key) throws Exception {
        h.prepareSnapshotPreBarrier(0);
        return mapState(h, key, States.DIMENSION_VALUES);
    }

    @Test
    void thirdRegionBecomesOtherKnownValuesStayAndStateHoldsOnlyAdmittedValues() throws Exception {
        try (var h = guard(new CardinalityGuard(2, WEEK))) {
            h.processElement(asr("asr-prod", "us-east-1", 0), 1_000);
            h.processElement(asr("asr-prod", "eu-west-1", 1), 2_000);
            h.processElement(asr("asr-prod", "ap-south-1", 2), 3_000);
            h.processElement(asr("asr-prod", "us-east-1", 3), 4_000);
            h.processElement(asr("asr-prod", "sa-east-1", 4), 5_000);
            h.processElement(asr("asr-prod", "other", 5), 6_000); // a producer's own "other" is not a new value
            h.processElement(asr("asr-dictation", "ap-south-1", 6), 7_000); // another service has its own budget
            h.processElement(tts("aria", 7), 8_000);
            h.processElement(tts("kai", 8), 9_000);
            h.processElement(tts("nova", 9), 10_000);

            assertThat(h.extractOutputValues())
                    .extracting(r -> r.fullSlice().get(r.signal == Signal.ASR ? "region" : "voice"))
                    .containsExactly("us-east-1", "eu-west-1", "other", "us-east-1", "other", "other",
                            "ap-south-1", "aria", "kai", "other");
            // only the capped dimension changes: the rest of the slice, the pane and its content pass untouched
            assertThat(h.extractOutputValues().get(2).slice)
                    .isEqualTo("acoustic_condition=quiet,device=mobile,language=en-US,region=other");
            assertThat(h.extractOutputValues().get(2).pane).isEqualTo(asr("asr-prod", "ap-south-1", 2).pane);
            assertThat(h.extractOutputStreamRecords()).extracting(r -> r.getTimestamp())
                    .containsExactly(1_000L, 2_000L, 3_000L, 4_000L, 5_000L, 6_000L, 7_000L, 8_000L, 9_000L, 10_000L);
            assertThat(h.extractOutputValues()).extracting(r -> r.paneEnd)
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);

            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held values go back to state
            assertThat(h.numKeyedStateEntries()).isEqualTo(3); // one map per service and signal
            // one expiry timer per key and minute of first sight: asr-prod's panes 0 and 1 lie in two minutes
            assertThat(h.numEventTimeTimers()).isEqualTo(4);
            int seen = CardinalityGuard.encode(0); // every pane here lies in the first minute of 1970
            assertThat(values(h, Keys.service("asr-prod", Signal.ASR))).containsOnly(
                    entry("language", 1), entry("language" + SEP + "en-US", seen),
                    entry("region", 2), entry("region" + SEP + "us-east-1", seen), entry("region" + SEP + "eu-west-1", seen),
                    entry("device", 1), entry("device" + SEP + "mobile", seen),
                    entry("acoustic_condition", 1), entry("acoustic_condition" + SEP + "quiet", seen));
            assertThat(values(h, Keys.service("asr-dictation", Signal.ASR)))
                    .containsEntry("region", 1).containsEntry("region" + SEP + "ap-south-1", seen).hasSize(8);
            assertThat(values(h, Keys.service("tts-prod", Signal.TTS))).containsOnly(
                    entry("language", 1), entry("language" + SEP + "en-US", seen),
                    entry("region", 1), entry("region" + SEP + "us-east-1", seen),
                    entry("device", 1), entry("device" + SEP + "web", seen),
                    entry("voice", 2), entry("voice" + SEP + "aria", seen), entry("voice" + SEP + "kai", seen));
        }
    }

    @Test
    void admittedValuesAreHeldAsObjectsAndReachStateAtACheckpointBarrier() throws Exception {
        try (var h = guard(WEEK)) {
            h.processElement(asr("asr-prod", "us-east-1", 0), 1_000);
            h.processElement(asr("asr-prod", "eu-west-1", 1), 2_000);
            String key = Keys.service("asr-prod", Signal.ASR);
            assertThat(mapState(h, key, States.DIMENSION_VALUES)).isEmpty(); // no barrier yet
            h.prepareSnapshotPreBarrier(1);
            assertThat(mapState(h, key, States.DIMENSION_VALUES)).containsEntry("region", 2).hasSize(9);
            // read back after the flush: the third region still finds the dimension full
            h.processElement(asr("asr-prod", "ap-south-1", 2), 3_000);
            assertThat(region(h.extractOutputValues().get(2))).isEqualTo(CardinalityGuard.OTHER);
        }
    }

    static String region(PaneRecord r) {
        return r.fullSlice().get("region");
    }

    static KeyedOneInputStreamOperatorTestHarness<String, PaneRecord, PaneRecord> guard(Duration expiry) throws Exception {
        return guard(new CardinalityGuard(2, expiry));
    }

    /** An open harness running the guard as the topology does ({@link HeldStateOperator}). */
    static KeyedOneInputStreamOperatorTestHarness<String, PaneRecord, PaneRecord> guard(CardinalityGuard guard)
            throws Exception {
        return EngineRestarts.open(guard, PaneRecord::serviceKey);
    }

    @Test
    void aValueUnseenForTheExpiryFreesItsPlaceOnceTheWatermarkPassesIt() throws Exception {
        try (var h = guard(Duration.ofHours(1))) {
            h.processElement(asr("asr-prod", "us-east-1", T0 + MIN), T0);
            h.processElement(asr("asr-prod", "eu-west-1", T0 + MIN), T0);
            h.processElement(asr("asr-prod", "ap-south-1", T0 + 2 * MIN), T0 + MIN);
            h.processElement(asr("asr-prod", "us-east-1", T0 + 30 * MIN), T0 + 29 * MIN); // seen again
            // eu-west-1 was last seen in the minute ending T0 + 1 min: it expires an hour after that
            h.processWatermark(T0 + 61 * MIN - 1);
            assertThat(values(h, ASR_PROD)).containsKey("region" + SEP + "eu-west-1").containsEntry("region", 2);
            h.processWatermark(T0 + 61 * MIN);
            assertThat(values(h, ASR_PROD)).doesNotContainKey("region" + SEP + "eu-west-1")
                    .containsEntry("region" + SEP + "us-east-1", CardinalityGuard.encode((T0 + 30 * MIN - 1) / MIN))
                    .containsEntry("region", 1);
            h.processElement(asr("asr-prod", "ap-south-1", T0 + 62 * MIN), T0 + 61 * MIN);
            h.processElement(asr("asr-prod", "eu-west-1", T0 + 62 * MIN), T0 + 61 * MIN);
            assertThat(h.extractOutputValues()).extracting(CardinalityGuardHarnessTest::region).containsExactly(
                    "us-east-1", "eu-west-1", "other", "us-east-1", "ap-south-1", "other");

            // when nothing is seen any more, every value goes, and the key's map with them
            h.processWatermark(T0 + 200 * MIN);
            h.prepareSnapshotPreBarrier(2); // as at a checkpoint: the held values go back to state
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aNewValueFreesTheValuesExpiredByItsOwnEventTimeWhateverTheWatermark() throws Exception {
        try (var h = guard(Duration.ofHours(1))) {
            h.processElement(asr("asr-prod", "us-east-1", T0 + MIN), T0);
            h.processElement(asr("asr-prod", "eu-west-1", T0 + MIN), T0);
            h.processElement(asr("asr-prod", "us-east-1", T0 + 50 * MIN), T0);
            h.processElement(asr("asr-prod", "ap-south-1", T0 + 61 * MIN), T0); // eu-west-1 not expired yet
            h.processElement(asr("asr-prod", "ap-south-1", T0 + 62 * MIN), T0); // now it is
            h.processElement(asr("asr-prod", "eu-west-1", T0 + 62 * MIN), T0);
            assertThat(h.extractOutputValues()).extracting(CardinalityGuardHarnessTest::region).containsExactly(
                    "us-east-1", "eu-west-1", "us-east-1", "other", "ap-south-1", "other");
            assertThat(values(h, ASR_PROD)).containsKeys("region" + SEP + "us-east-1", "region" + SEP + "ap-south-1")
                    .doesNotContainKey("region" + SEP + "eu-west-1").containsEntry("region", 2);
        }
    }

    @Test
    void valuesOfASavepointWithoutLastSeenTimesAreLastSeenAtTheFirstPaneAfterTheRestore() throws Exception {
        try (var h = guard(Duration.ofHours(1))) {
            h.open();
            // what the guard of an earlier release kept: 1 for every value
            KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
            backend.setCurrentKey(ASR_PROD);
            MapState<String, Integer> old = backend.getPartitionedState(VoidNamespace.INSTANCE,
                    VoidNamespaceSerializer.INSTANCE, States.DIMENSION_VALUES);
            for (String dim : List.of("region", "language", "device", "acoustic_condition")) {
                old.put(dim, 1);
            }
            old.put("region" + SEP + "sa-east-1", CardinalityGuard.UNKNOWN_LAST_SEEN);
            old.put("language" + SEP + "en-US", CardinalityGuard.UNKNOWN_LAST_SEEN);
            old.put("device" + SEP + "mobile", CardinalityGuard.UNKNOWN_LAST_SEEN);
            old.put("acoustic_condition" + SEP + "quiet", CardinalityGuard.UNKNOWN_LAST_SEEN);

            h.processElement(asr("asr-prod", "us-east-1", T0 + 10 * MIN), T0);
            assertThat(values(h, ASR_PROD)).containsEntry("region" + SEP + "sa-east-1",
                    CardinalityGuard.encode((T0 + 10 * MIN - 1) / MIN)).containsEntry("region", 2);
            h.processWatermark(T0 + 70 * MIN - 1);
            assertThat(values(h, ASR_PROD)).containsKey("region" + SEP + "sa-east-1");
            h.processWatermark(T0 + 70 * MIN);
            assertThat(values(h, ASR_PROD)).isEmpty();
            h.processElement(asr("asr-prod", "eu-west-1", T0 + 71 * MIN), T0);
            h.processElement(asr("asr-prod", "ap-south-1", T0 + 71 * MIN), T0);
            assertThat(h.extractOutputValues()).extracting(CardinalityGuardHarnessTest::region)
                    .containsExactly("us-east-1", "eu-west-1", "ap-south-1");
        }
    }
}
