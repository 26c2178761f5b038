package io.speechslo.job;

import io.speechslo.kafka.ConfluentWire;
import io.speechslo.registry.SchemaRegistry;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes an Avro record to a topic in the Confluent wire format, its schema registered under the
 * subject {@code <topic>-value} when the sink opens.
 */
public final class WireSerializer<T extends SpecificRecordBase> implements KafkaRecordSerializationSchema<T> {

    /** The Kafka key of a record, as text (null for none). */
    public interface KeyFunction<T> extends Function<T, String>, Serializable {}

    private final String topic;
    private final Map<String, String> registrySettings;
    private final KeyFunction<T> key;
    private final org.apache.avro.Schema schema;
    private final String replayMark;

    private transient ConfluentWire wire;
    private transient int schemaId;

    public WireSerializer(String topic, org.apache.avro.Schema schema, Map<String, String> registrySettings,
            KeyFunction<T> key) {
        this(topic, schema, registrySettings, key, null);
    }

    /** @param replayMark when not null, every record carries it in a {@link KafkaIO#REPLAY_HEADER} header */
    public WireSerializer(String topic, org.apache.avro.Schema schema, Map<String, String> registrySettings,
            KeyFunction<T> key, String replayMark) {
        this.topic = topic;
        this.schema = schema;
        this.registrySettings = new LinkedHashMap<>(registrySettings);
        this.key = key;
        this.replayMark = replayMark;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) throws Exception {
        try (SchemaRegistry registry = new SchemaRegistry(registrySettings)) {
            schemaId = registry.register(topic + "-value", schema);
        }
        wire = new ConfluentWire();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        String k = key.apply(element);
        return KafkaIO.marked(new ProducerRecord<>(topic, null, timestamp, k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                wire.encode(schemaId, element)), replayMark);
    }
}
