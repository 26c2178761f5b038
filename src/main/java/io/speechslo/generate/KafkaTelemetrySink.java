package io.speechslo.generate;

import io.speechslo.kafka.ConfluentWire;
import io.speechslo.registry.SchemaRegistry;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.Schema;
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
 * Produces telemetry to the ASR and TTS topics, and serving samples and privacy events to theirs, in
 * the Confluent wire format: each value schema is registered under {@code <topic>-value} the first time
 * a record of it is sent (a topic nothing is sent to is never touched); the key is the service name
 * and the record timestamp the event (or sample) time. acks=all, linger.ms=10, batch.size=256 KB.
 */
public final class KafkaTelemetrySink implements TelemetrySink {

    /** Where serving samples go unless told otherwise (the job's topics.serving). */
    public static final String DEFAULT_SERVING_TOPIC = "speech.serving.samples";
    /** Where privacy events go unless told otherwise (the job's topics.privacy). */
    public static final String DEFAULT_PRIVACY_TOPIC = "speech.privacy.events";

    private final KafkaProducer<String, byte[]> producer;
    private final SchemaRegistry registry;
    private final ConfluentWire wire = new ConfluentWire();
    private final Output asr;
    private final Output tts;
    private final Output serving;
    private final Output privacy;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    /** One record type's topic and its registered schema id (-1 until the first record). */
    private static final class Output {
        final String topic;
        final Schema schema;
        int schemaId = -1;

        Output(String topic, Schema schema) {
            this.topic = topic;
            this.schema = schema;
        }
    }

    /** Serving samples and privacy events to the default topics. */
    public KafkaTelemetrySink(String bootstrapServers, String registryUrl, String asrTopic, String ttsTopic,
            String compression) {
        this(bootstrapServers, registryUrl, asrTopic, ttsTopic, DEFAULT_SERVING_TOPIC, DEFAULT_PRIVACY_TOPIC, compression);
    }

    /**
     * @param compression a Kafka compression.type: none, lz4, zstd, gzip or snappy
     */
    public KafkaTelemetrySink(String bootstrapServers, String registryUrl, String asrTopic, String ttsTopic,
            String servingTopic, String privacyTopic, String compression) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "speech-slo-advisor-generate");
        this.registry = new SchemaRegistry(Map.of(SchemaRegistry.URL, registryUrl));
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.asr = new Output(asrTopic, AsrRequest.getClassSchema());
        this.tts = new Output(ttsTopic, TtsRequest.getClassSchema());
        this.serving = new Output(servingTopic, ServingSample.getClassSchema());
        this.privacy = new Output(privacyTopic, PrivacyEvent.getClassSchema());
    }

    @Override
    public void write(SpecificRecord record) throws IOException {
        Exception failed = failure.get();
        if (failed != null) {
            throw new IOException("producing to Kafka failed: " + failed.getMessage(), failed);
        }
        Output to;
        String service;
        if (record instanceof AsrRequest a) {
            to = asr;
            service = a.getService();
        } else if (record instanceof TtsRequest t) {
            to = tts;
            service = t.getService();
        } else if (record instanceof ServingSample s) {
            to = serving;
            service = s.getService();
        } else if (record instanceof PrivacyEvent p) {
            to = privacy;
            service = p.getService();
        } else {
            throw new IllegalArgumentException("not a telemetry record: " + record.getSchema().getFullName());
        }
        if (to.schemaId < 0) {
            to.schemaId = registry.register(to.topic + "-value", to.schema);
        }
        producer.send(new ProducerRecord<>(to.topic, null, io.speechslo.kafka.TelemetryRecords.eventTime(record), service,
                wire.encode(to.schemaId, record)), (meta, e) -> {
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
