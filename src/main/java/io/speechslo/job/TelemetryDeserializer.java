package io.speechslo.job;

import io.speechslo.kafka.Decoded;
import io.speechslo.kafka.DeadLetters;
import io.speechslo.kafka.Rejection;
import io.speechslo.kafka.TelemetryDecoder;
import io.speechslo.kafka.TelemetryValidator;
import io.speechslo.registry.SchemaRegistry;
import io.speechslo.registry.SchemaRegistryException;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Kafka record to {@link Ingested}: Confluent wire format decoded through the registry into whichever
 * record its schema names (a request, a serving sample or a privacy event, see
 * {@link TelemetryDecoder#TARGETS}), then validated against the record's Kafka timestamp. Every failure becomes a dead letter carrying the
 * raw bytes, topic, partition and offset; nothing is thrown for a bad record.
 *
 * <p>A registry that cannot be reached (or answers with a server error) says nothing about the record:
 * a producer may have registered a new schema version just before the outage, so its records carry an
 * id this task has never seen and cannot look up. Such a record is neither dead-lettered nor dropped:
 * the reader waits and asks again (backing off from {@value #FIRST_BACKOFF_MS} ms to
 * {@value #MAX_BACKOFF_MS} ms) until the registry answers, which back-pressures this source subtask
 * instead of restarting the job in a loop. The wait is counted in {@code registry_wait_ms}, and the
 * gauge {@code registry_waiting} is 1 while a subtask waits. Records whose schemas were already looked
 * up never wait: ids are cached for the life of the task. While a subtask waits, checkpoints cannot
 * complete (it cannot take their barrier); one that times out ({@code execution.checkpointing.timeout},
 * 10 minutes by default) fails the job, which restarts from its last checkpoint and waits again.
 */
public final class TelemetryDeserializer implements KafkaRecordDeserializationSchema<Ingested> {

    private static final Logger LOG = LoggerFactory.getLogger(TelemetryDeserializer.class);
    static final long FIRST_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;
    /** While the registry stays away, a reminder in the log this often. */
    private static final long LOG_EVERY_MS = 30_000;

    private final Map<String, String> registrySettings;
    private final Duration maxFuture;
    private final Duration maxPast;

    private transient SchemaRegistry registry;
    private transient TelemetryDecoder decoder;
    private transient TelemetryValidator validator;
    private transient Counter registryWaitMs;
    private transient volatile int waiting;

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
        MetricGroup metrics = context.getMetricGroup();
        registryWaitMs = metrics.counter("registry_wait_ms");
        metrics.<Integer, Gauge<Integer>>gauge("registry_waiting", () -> waiting);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> rec, Collector<Ingested> out) throws IOException {
        Decoded d = decodeWaitingForRegistry(rec);
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

    /** Decodes the record, waiting for the registry for as long as it cannot be asked. */
    private Decoded decodeWaitingForRegistry(ConsumerRecord<byte[], byte[]> rec) throws IOException {
        long backoff = FIRST_BACKOFF_MS;
        long since = 0;
        long lastLog = 0;
        while (true) {
            try {
                Decoded d = decoder.decode(rec.value());
                if (since != 0) {
                    waiting = 0;
                    LOG.warn("Schema registry answers again after {} ms; reading {}-{} from offset {} on",
                            (System.nanoTime() - since) / 1_000_000, rec.topic(), rec.partition(), rec.offset());
                }
                return d;
            } catch (SchemaRegistryException e) {
                long now = System.nanoTime();
                if (since == 0) {
                    since = now;
                    waiting = 1;
                }
                if (lastLog == 0 || now - lastLog >= LOG_EVERY_MS * 1_000_000) {
                    lastLog = now;
                    LOG.warn("Schema registry cannot be asked for the writer schema of {}-{} offset {} (waiting {} ms so"
                            + " far, reading held back until it answers): {}", rec.topic(), rec.partition(), rec.offset(),
                            (now - since) / 1_000_000, e.getMessage());
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    waiting = 0;
                    throw new InterruptedIOException("interrupted while waiting for the schema registry for "
                            + rec.topic() + "-" + rec.partition() + " offset " + rec.offset());
                }
                registryWaitMs.inc(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return TypeInformation.of(Ingested.class);
    }
}
