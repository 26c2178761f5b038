package io.speechslo.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.speechslo.registry.SchemaRegistry;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;
import io.speechslo.testing.KafkaBroker;
import io.speechslo.testing.PythonAvroConsumer;
import io.speechslo.testing.RegistryServer;
import io.speechslo.testing.TelemetrySamples;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Our Confluent-framed Avro through a real Kafka broker: the real (relocated) Confluent client
 * registers the schemas with the registry stand-in, a plain producer writes, and both our decoder and
 * the independent Python Confluent client read the same bytes back.
 */
class KafkaWireITCase {

    @RegisterExtension
    static final RegistryServer REGISTRY = new RegistryServer();

    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
    private static KafkaBroker kafka;
    private static SchemaRegistry registry;

    private final ConfluentWire wire = new ConfluentWire();

    @BeforeAll
    static void startBroker() {
        long started = System.nanoTime();
        kafka = new KafkaBroker().start();
        System.out.printf("Kafka broker ready in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        registry = REGISTRY.client();
    }

    @AfterAll
    static void stopBroker() {
        registry.close();
        long pid = kafka.pid();
        kafka.close();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("broker pid %d after close", pid)
                .isNotEqualTo(Optional.of(true));
    }

    @Test
    void committedTelemetryDecodesInJavaAndInPython() throws Exception {
        String topic = "telemetry-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        int asrId = registry.register(topic + "-value", AsrRequest.getClassSchema());
        int ttsId = registry.register(topic + "-value", TtsRequest.getClassSchema());
        Schema evolved = withExtraField(AsrRequest.getClassSchema());
        int evolvedId = registry.register(topic + "-value", evolved);

        List<SpecificRecord> sent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sent.add(TelemetrySamples.asr(i, T0.plusSeconds(i)).build());
            sent.add(TelemetrySamples.tts(i, T0.plusSeconds(i)).setPreference(i % 2 == 0 ? null : 3.5f).build());
        }
        AsrRequest fromNewerWriter = TelemetrySamples.asr(99, T0).build();
        GenericRecord newer = new GenericData.Record(evolved);
        for (Schema.Field f : AsrRequest.getClassSchema().getFields()) {
            newer.put(f.name(), fromNewerWriter.get(f.pos()));
        }
        newer.put("noise_profile", "babble");

        try (KafkaProducer<String, byte[]> producer = transactionalProducer()) {
            producer.initTransactions();
            producer.beginTransaction(); // aborted: read_committed readers must never see it
            producer.send(new ProducerRecord<>(topic, "aborted", wire.encode(asrId, TelemetrySamples.asr(-1, T0)
                    .setRequestId("aborted").build())));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            for (SpecificRecord r : sent) {
                producer.send(new ProducerRecord<>(topic, requestId(r), wire.encode(r instanceof AsrRequest ? asrId : ttsId, r)));
            }
            producer.send(new ProducerRecord<>(topic, "asr-99", wire.encode(evolvedId, newer)));
            producer.commitTransaction();
        }
        List<SpecificRecord> expected = new ArrayList<>(sent);
        expected.add(fromNewerWriter);

        TelemetryDecoder decoder = new TelemetryDecoder(registry);
        List<SpecificRecord> decoded = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consume(topic, expected.size())) {
            Decoded d = decoder.decode(r.value());
            assertThat(d.isOk()).as(d.detail()).isTrue();
            decoded.add(d.record());
        }
        assertThat(decoded).containsExactlyElementsOf(expected);

        List<Map<String, Object>> python = PythonAvroConsumer.consume(
                kafka.bootstrapServers(), REGISTRY.url(), topic, expected.size(), Duration.ofSeconds(30));
        Map<Object, Map<String, Object>> byId = python.stream()
                .collect(Collectors.toMap(m -> m.get("request_id"), Function.identity()));
        assertThat(byId).hasSize(expected.size()).doesNotContainKey("aborted");
        for (SpecificRecord r : expected) {
            assertThat(byId.get(requestId(r))).as(requestId(r)).containsAllEntriesOf(asJson(r));
        }
        assertThat(byId.get("asr-99")).containsEntry("noise_profile", "babble");
    }

    @Test
    void brokenValuesAreClassifiedNotThrown() throws Exception {
        String topic = "garbage-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        int asrId = registry.register(topic + "-value", AsrRequest.getClassSchema());
        byte[] good = wire.encode(asrId, TelemetrySamples.asr(1, T0).build());
        byte[] badMagic = good.clone();
        badMagic[0] = 1;
        byte[] unknownId = wire.encode(asrId + 1000, TelemetrySamples.asr(1, T0).build());
        byte[] truncated = Arrays.copyOf(good, good.length / 2);

        try (KafkaProducer<String, byte[]> producer = plainProducer()) {
            for (byte[] value : List.of(badMagic, unknownId, truncated, good)) {
                producer.send(new ProducerRecord<>(topic, "k", value)).get();
            }
        }

        TelemetryDecoder decoder = new TelemetryDecoder(registry);
        List<Decoded> results = consume(topic, 4).stream().map(r -> decoder.decode(r.value())).toList();
        assertThat(results).extracting(Decoded::reason).containsExactly(
                DeadLetterReason.BAD_MAGIC_BYTE, DeadLetterReason.UNKNOWN_SCHEMA_ID, DeadLetterReason.UNDECODABLE, null);
        assertThat(results.get(1).schemaId()).isEqualTo(asrId + 1000);
        assertThat(results.get(2).detail()).contains("truncated");
        assertThat(results.get(3).record()).isEqualTo(TelemetrySamples.asr(1, T0).build());
    }

    private static Schema withExtraField(Schema base) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : base.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field("noise_profile", Schema.create(Schema.Type.STRING), "added later", "unknown"));
        return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
    }

    private static String requestId(SpecificRecord r) {
        return r instanceof AsrRequest a ? a.getRequestId() : ((TtsRequest) r).getRequestId();
    }

    /** A record as the Python client prints it: enums by name, timestamps as millis, numbers widened. */
    private static Map<String, Object> asJson(IndexedRecord r) {
        Map<String, Object> json = new LinkedHashMap<>();
        for (Schema.Field f : r.getSchema().getFields()) {
            Object v = r.get(f.pos());
            if (v instanceof Instant t) {
                v = t.toEpochMilli();
            } else if (v instanceof Enum<?> e) {
                v = e.name();
            } else if (v instanceof Float x) {
                v = x.doubleValue();
            } else if (v instanceof Integer || v instanceof Long) {
                v = ((Number) v).longValue();
            }
            json.put(f.name(), v);
        }
        return json;
    }

    private static KafkaProducer<String, byte[]> plainProducer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaProducer<String, byte[]> transactionalProducer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "wire-it-" + UUID.randomUUID()),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Reads the first {@code count} committed records of a one-partition topic, without a group. */
    private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int count) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertThat(records).as("records read from " + topic).hasSize(count);
        return records;
    }
}
