package io.speechslo.job;

import io.speechslo.aggregate.SlicePane;
import io.speechslo.fixtures.BadTelemetry;
import io.speechslo.kafka.DeadLetterReason;
import io.speechslo.policy.SloDefinition;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.policy.Policies;
import io.speechslo.registry.SchemaRegistry;
import io.speechslo.scorecard.EncodedScorecard;
import io.speechslo.scorecard.SliceScorecards;
import io.speechslo.slice.RequestSlices;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.testing.RegistryServer;

import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input at volume through the job's own decode and validate path ({@link TelemetryDeserializer}),
 * without a cluster: 200k records of {@link BadTelemetry} (random bytes, truncated and corrupted
 * values, schema-valid extremes, unicode and 100 kB dimension values), seeded. Every record gives
 * exactly one result, either a dead letter with a known reason and a detail or a record whose every
 * later step (slice key, slice pane with its sketches and exact sums, its bytes and their merge, burn
 * counts) takes it without an exception: what crashes here would restart the job on every replay of
 * the same offsets. {@link BadInputITCase} runs the same records through the whole topology.
 */
class BadInputPropertyTest {

    @RegisterExtension
    static final RegistryServer REGISTRY = new RegistryServer();

    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final int RECORDS = 200_000;

    /** Registers the four input schemas and one that is not telemetry, under their topics' subjects. */
    static BadTelemetry.Ids register(SchemaRegistry registry) {
        return new BadTelemetry.Ids(
                registry.register("speech.asr.requests-value", AsrRequest.getClassSchema()),
                registry.register("speech.tts.requests-value", io.speechslo.telemetry.TtsRequest.getClassSchema()),
                registry.register("speech.serving.samples-value", io.speechslo.telemetry.ServingSample.getClassSchema()),
                registry.register("speech.privacy.events-value", io.speechslo.telemetry.PrivacyEvent.getClassSchema()),
                registry.register("speech.slo.advisories-value", io.speechslo.advisory.Advisory.getClassSchema()));
    }

    static ConsumerRecord<byte[], byte[]> consumerRecord(BadTelemetry.Raw raw) {
        return new ConsumerRecord<>(raw.topic(), raw.partition(), raw.offset(), raw.timestamp(), TimestampType.CREATE_TIME,
                -1, raw.value() == null ? -1 : raw.value().length, null, raw.value(), new RecordHeaders(), Optional.empty());
    }

    @Test
    void everyRecordIsDeadLetteredWithAReasonOrFoldsWithoutAnException() throws Exception {
        BadTelemetry.Ids ids;
        try (SchemaRegistry registry = REGISTRY.client()) {
            ids = register(registry);
        }
        TelemetryDeserializer deserializer = new TelemetryDeserializer(REGISTRY.settings(), Duration.ofHours(1),
                Duration.ofDays(7));
        deserializer.open(TelemetryDeserializerTest.context(new java.util.HashMap<>()));
        BadTelemetry telemetry = new BadTelemetry(42, ids, T0, 4);
        Policies policies = PolicyLoader.bundleDefaults().policies();
        Set<String> reasons = Arrays.stream(DeadLetterReason.values()).map(DeadLetterReason::code).collect(Collectors.toSet());
        Map<DeadLetterReason, Integer> dead = new EnumMap<>(DeadLetterReason.class);
        int accepted = 0;
        int extremesAccepted = 0;
        List<Ingested> out = new ArrayList<>(1);
        Collector<Ingested> collector = new Collector<>() {
            @Override
            public void collect(Ingested record) {
                out.add(record);
            }

            @Override
            public void close() {}
        };
        for (long i = 0; i < RECORDS; i++) {
            BadTelemetry.Raw raw = telemetry.record(i);
            out.clear();
            deserializer.deserialize(consumerRecord(raw), collector);
            assertThat(out).as("record %d", i).hasSize(1);
            Ingested in = out.get(0);
            if (in.isDead()) {
                assertThat(in.dead.getReason()).as("record %d", i).isIn(reasons);
                assertThat(in.dead.getDetail()).as("record %d", i).isNotBlank();
                assertThat(in.dead.getOffset()).isEqualTo(i);
                dead.merge(DeadLetterReason.valueOf(in.dead.getReason().toUpperCase(java.util.Locale.ROOT)), 1, Integer::sum);
                continue;
            }
            accepted++;
            if (!BadTelemetry.isNewRegion(i)) {
                extremesAccepted++;
            }
            if (in.isRequest()) {
                fold(in, policies);
            }
        }
        assertThat(accepted + dead.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(RECORDS);
        // the mix reaches every reason the decoder and validator give, and extremes get through too
        assertThat(dead.keySet()).contains(DeadLetterReason.BAD_MAGIC_BYTE, DeadLetterReason.UNKNOWN_SCHEMA_ID,
                DeadLetterReason.UNDECODABLE, DeadLetterReason.INVALID_VALUE, DeadLetterReason.EMPTY_DIMENSION,
                DeadLetterReason.FUTURE_TIMESTAMP, DeadLetterReason.PAST_TIMESTAMP, DeadLetterReason.BAD_DIMENSION);
        assertThat(extremesAccepted).isGreaterThan(10_000);
    }

    /** What the pre-aggregator and the slice engines do with an accepted request, all of it. */
    private static void fold(Ingested in, Policies policies) {
        long t = in.eventTime();
        Slice slice = Slice.parse((in.asr != null ? RequestSlices.of(in.asr) : RequestSlices.of(in.tts)).key());
        assertThat(slice.size()).isEqualTo(4);
        SlicePane pane = new SlicePane(in.signal());
        pane.add(in.record(), t);
        SlicePane copy = SlicePane.fromBytes(pane.toBytes());
        copy.merge(pane);
        assertThat(copy.requests()).isEqualTo(2);
        EncodedScorecard.Encoder encoder = new EncodedScorecard.Encoder();
        for (io.speechslo.scorecard.Scorecard s : SliceScorecards.of(in.service(), in.signal(), t - 60_000, t,
                List.of(new SliceScorecards.Pane(in.track(), in.modelVersion(), slice, copy)), Map.of())) {
            encoder.encode(s);
        }
        List<SloDefinition> slos = policies.slosFor(in.service(), in.signal());
        BurnTick tick = new BurnTick(in.service(), in.signal(), in.modelVersion(), t,
                slos.stream().map(SloDefinition::name).toArray(String[]::new));
        tick.add(in.record(), slos);
        assertThat(Keys.split(Keys.service(in.service(), in.signal()))).hasSize(2);
    }
}
