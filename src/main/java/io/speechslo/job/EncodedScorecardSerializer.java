package io.speechslo.job;

import io.speechslo.kafka.ConfluentWire;
import io.speechslo.registry.SchemaRegistry;
import io.speechslo.scorecard.EncodedScorecard;
import io.speechslo.scorecard.Scorecard;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes scorecards the engines encoded ({@link EncodedScorecard}) in the Confluent wire format: the
 * {@link Scorecard} schema is registered under {@code <topic>-value} when the sink opens, and each body
 * only gets the header with that id in front. The bytes are those {@link WireSerializer} would write for
 * the scorecard itself.
 */
final class EncodedScorecardSerializer implements KafkaRecordSerializationSchema<EncodedScorecard> {

    private final String topic;
    private final Map<String, String> registrySettings;
    private final String replayMark;

    private transient int schemaId;

    EncodedScorecardSerializer(String topic, Map<String, String> registrySettings, String replayMark) {
        this.topic = topic;
        this.registrySettings = new LinkedHashMap<>(registrySettings);
        this.replayMark = replayMark;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) throws Exception {
        try (SchemaRegistry registry = new SchemaRegistry(registrySettings)) {
            schemaId = registry.register(topic + "-value", Scorecard.getClassSchema());
        }
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(EncodedScorecard element, KafkaSinkContext context, Long timestamp) {
        return KafkaIO.marked(new ProducerRecord<>(topic, null, timestamp, element.key.getBytes(StandardCharsets.UTF_8),
                ConfluentWire.frame(schemaId, element.body)), replayMark);
    }
}
