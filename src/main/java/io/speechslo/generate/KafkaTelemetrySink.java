package io.speechslo.generate;

import io.speechslo.kafka.ConfluentWire;
import io.speechslo.registry.SchemaRegistry;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Produces telemetry to the ASR and TTS topics in the Confluent wire format: each value schema is
 * registered under {@code <topic>-value} the first time its signal is sent; the key is the service
 * name and the record timestamp the event time. acks=all, linger.ms=10, batch.size=256 KB.
 */
public final class KafkaTelemetrySink implements TelemetrySink {

    private final KafkaProducer<String, byte[]> producer;
    private final SchemaRegistry registry;
    private final ConfluentWire wire = new ConfluentWire();
    private final String asrTopic;
    private final String ttsTopic;
    private int asrSchemaId = -1;
    private int ttsSchemaId = -1;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    /**
     * @param compression a Kafka compression.type: none, lz4, zstd, gzip or snappy
     */
    public KafkaTelemetrySink(String bootstrapServers, String registryUrl, String asrTopic, String ttsTopic,
            String compression) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "speech-slo-advisor-generate");
        this.registry = new SchemaRegistry(Map.of(SchemaRegistry.URL, registryUrl));
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.asrTopic = asrTopic;
        this.ttsTopic = ttsTopic;
    }

    @Override
    public void write(SpecificRecord record) throws IOException {
        Exception failed = failure.get();
        if (failed != null) {
            throw new IOException("producing to Kafka failed: " + failed.getMessage(), failed);
        }
        String topic;
        String service;
        int id;
        if (record instanceof AsrRequest a) {
            if (asrSchemaId < 0) {
                asrSchemaId = registry.register(asrTopic + "-value", AsrRequest.getClassSchema());
            }
            topic = asrTopic;
            service = a.getService();
            id = asrSchemaId;
        } else {
            TtsRequest t = (TtsRequest) record;
            if (ttsSchemaId < 0) {
                ttsSchemaId = registry.register(ttsTopic + "-value", TtsRequest.getClassSchema());
            }
            topic = ttsTopic;
            service = t.getService();
            id = ttsSchemaId;
        }
        producer.send(new ProducerRecord<>(topic, null, TelemetryGenerator.eventTime(record), service,
                wire.encode(id, record)), (meta, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
    }

    @Override
    public void close() throws IOException {
        try {
            producer.flush();
        } finally {
            producer.close();
            registry.close();
        }
        Exception failed = failure.get();
        if (failed != null) {
            throw new IOException("producing to Kafka failed: " + failed.getMessage(), failed);
        }
    }
}
