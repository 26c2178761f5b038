package io.speechslo.generate;

import io.speechslo.kafka.Decoded;
import io.speechslo.kafka.TelemetryDecoder;
import io.speechslo.registry.SchemaRegistry;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;
import io.speechslo.testing.KafkaBroker;
import io.speechslo.testing.RegistryServer;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code generate --to-kafka} against a real broker and the registry stand-in. */
class GenerateToKafkaITCase {

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    static final RegistryServer REGISTRY = new RegistryServer();

    @TempDir
    Path tmp;

    @Test
    void producesEveryRecordFramedRegisteredAndKeyedByService() throws Exception {
        String asrTopic = "asr-" + UUID.randomUUID();
        String ttsTopic = "tts-" + UUID.randomUUID();
        KAFKA.createTopic(asrTopic, 2);
        KAFKA.createTopic(ttsTopic, 2);
        Path scenario = GenerateCommandTest.smallScenario(tmp);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = GenerateCommand.run(List.of("--scenario", scenario.toString(), "--to-kafka",
                "--bootstrap-servers", KAFKA.bootstrapServers(), "--registry-url", REGISTRY.url(),
                "--asr-topic", asrTopic, "--tts-topic", ttsTopic, "--compression", "lz4", "--seed", "3"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();

        List<SpecificRecord> expected = TelemetryGeneratorTest.all(new TelemetryGenerator(ScenarioLoader.load(scenario), 3));
        List<AsrRequest> expectedAsr = expected.stream().filter(r -> r instanceof AsrRequest).map(r -> (AsrRequest) r).toList();
        List<TtsRequest> expectedTts = expected.stream().filter(r -> r instanceof TtsRequest).map(r -> (TtsRequest) r).toList();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("records: " + expected.size());

        try (SchemaRegistry registry = REGISTRY.client()) {
            int asrId = registry.register(asrTopic + "-value", AsrRequest.getClassSchema());
            int ttsId = registry.register(ttsTopic + "-value", TtsRequest.getClassSchema());
            TelemetryDecoder decoder = new TelemetryDecoder(registry);
            List<AsrRequest> asr = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : consume(asrTopic, expectedAsr.size())) {
                AsrRequest a = (AsrRequest) decoded(decoder, r, asrId);
                assertThat(r.key()).isEqualTo(a.getService());
                assertThat(r.timestamp()).isEqualTo(a.getEventTime().toEpochMilli());
                asr.add(a);
            }
            List<TtsRequest> tts = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : consume(ttsTopic, expectedTts.size())) {
                tts.add((TtsRequest) decoded(decoder, r, ttsId));
            }
            Comparator<AsrRequest> byAsrId = Comparator.comparing(AsrRequest::getRequestId);
            Comparator<TtsRequest> byTtsId = Comparator.comparing(TtsRequest::getRequestId);
            assertThat(asr.stream().sorted(byAsrId).toList()).isEqualTo(expectedAsr.stream().sorted(byAsrId).toList());
            assertThat(tts.stream().sorted(byTtsId).toList()).isEqualTo(expectedTts.stream().sorted(byTtsId).toList());
        }
    }

    private static SpecificRecord decoded(TelemetryDecoder decoder, ConsumerRecord<String, byte[]> r, int schemaId) {
        assertThat(ByteBuffer.wrap(r.value(), 1, 4).getInt()).as("schema id of the %s-value subject", r.topic())
                .isEqualTo(schemaId);
        Decoded d = decoder.decode(r.value());
        assertThat(d.isOk()).as(d.detail()).isTrue();
        return d.record();
    }

    /** Every record of both partitions, without a consumer group. */
    private static List<ConsumerRecord<String, byte[]>> consume(String topic, int count) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertThat(records).as("records read from " + topic).hasSize(count);
        return records;
    }
}
