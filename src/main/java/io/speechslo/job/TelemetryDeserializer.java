package io.speechslo.job;

import io.speechslo.kafka.Decoded;
import io.speechslo.kafka.DeadLetters;
import io.speechslo.kafka.Rejection;
import io.speechslo.kafka.TelemetryDecoder;
import io.speechslo.kafka.TelemetryValidator;
import io.speechslo.registry.SchemaRegistry;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Kafka record to {@link Ingested}: Confluent wire format decoded through the registry into whichever
 * record its schema names (a request, a serving sample or a privacy event, see
 * {@link TelemetryDecoder#TARGETS}), then validated against the record's Kafka timestamp. Every failure becomes a dead letter carrying the
 * raw bytes, topic, partition and offset; nothing is thrown for a bad record. Only a registry that
 * cannot be reached (or refuses us) fails the task, so an outage restarts the job from its last
 * checkpoint instead of dead-lettering good telemetry.
 */
public final class TelemetryDeserializer implements KafkaRecordDeserializationSchema<Ingested> {

    private final Map<String, String> registrySettings;
    private final Duration maxFuture;
    private final Duration maxPast;

    private transient SchemaRegistry registry;
    private transient TelemetryDecoder decoder;
    private transient TelemetryValidator validator;

    public TelemetryDeserializer(Map<String, String> registrySettings, Duration maxFuture, Duration maxPast) {
        this.registrySettings = new LinkedHashMap<>(registrySettings);
        this.maxFuture = maxFuture;
        this.maxPast = maxPast;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        registry = new SchemaRegistry(registrySettings);
        decoder = new TelemetryDecoder(registry);
        validator = new TelemetryValidator(maxFuture, maxPast);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> rec, Collector<Ingested> out) {
        Decoded d = decoder.decode(rec.value());
        if (!d.isOk()) {
            out.collect(Ingested.dead(DeadLetters.of(rec.topic(), rec.partition(), rec.offset(), rec.key(), rec.value(),
                    d.reason(), d.detail(), d.schemaId(), rec.timestamp())));
            return;
        }
        Optional<Rejection> rejected = validator.validate(d.record(), rec.timestamp());
        if (rejected.isPresent()) {
            out.collect(Ingested.dead(DeadLetters.of(rec.topic(), rec.partition(), rec.offset(), rec.key(), rec.value(),
                    rejected.get().reason(), rejected.get().detail(), d.schemaId(), rec.timestamp())));
            return;
        }
        out.collect(Ingested.of(d.record(), rec.topic(), rec.partition(), rec.offset()));
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return TypeInformation.of(Ingested.class);
    }
}
