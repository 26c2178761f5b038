package io.speechslo.job;

import io.speechslo.kafka.ConfluentWire;
import io.speechslo.registry.SchemaRegistry;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.testing.RegistryServer;
import io.speechslo.testing.TelemetrySamples;

import org.apache.avro.Schema;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A registry outage while a record with a schema id this task has never seen arrives: the record waits
 * for the registry (counted), and decodes once it is back; it is neither dead-lettered nor dropped.
 */
class TelemetryDeserializerTest {

    @Test
    void aNewSchemaIdWaitsForTheRegistryInsteadOfBeingDeadLettered(@TempDir Path dir) throws Exception {
        RegistryServer registry = new RegistryServer(dir.resolve("schemas.jsonl")).start();
        try {
            int oldId;
            int newId;
            try (SchemaRegistry client = registry.client()) {
                oldId = client.register("asr-value", AsrRequest.getClassSchema());
                newId = client.register("asr-value", withExtraField(AsrRequest.getClassSchema()));
            }
            TelemetryDeserializer deserializer = new TelemetryDeserializer(registry.settings(), Duration.ofDays(3650),
                    Duration.ofDays(3650));
            Map<String, Metric> metrics = new HashMap<>();
            deserializer.open(context(metrics));
            AsrRequest request = TelemetrySamples.asr(1, Instant.parse("2026-01-05T08:00:00Z")).build();
            byte[] old = new ConfluentWire().encode(oldId, request);
            List<Ingested> out = new ArrayList<>();
            deserializer.deserialize(record(0, old, request), new ListCollector(out));

            registry.close(); // down: the new id cannot be looked up
            byte[] newer = withExtraFieldNull(new ConfluentWire().encode(newId, request));
            CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
                try {
                    deserializer.deserialize(record(1, newer, request), new ListCollector(out));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(1_500);
            assertThat(reading).isNotDone();
            assertThat(((Gauge<?>) metrics.get("registry_waiting")).getValue()).isEqualTo(1);
            registry.start(); // back, with its schemas
            reading.get(30, TimeUnit.SECONDS);

            assertThat(out).hasSize(2).noneMatch(Ingested::isDead);
            assertThat(out.get(1).record()).isEqualTo(request);
            assertThat(((Counter) metrics.get("registry_wait_ms")).getCount()).isGreaterThanOrEqualTo(1_000);
            assertThat(((Gauge<?>) metrics.get("registry_waiting")).getValue()).isEqualTo(0);
        } finally {
            registry.close();
        }
    }

    /** The schema with one more optional field at the end, defaulting to null: a compatible new version. */
    static Schema withExtraField(Schema schema) {
        String json = schema.toString();
        String field = ",{\"name\":\"fault_test_note\",\"type\":[\"null\",\"string\"],\"default\":null}]";
        int end = json.lastIndexOf(']');
        return new Schema.Parser().parse(json.substring(0, end) + field + json.substring(end + 1));
    }

    /** Bytes of the same record written with {@link #withExtraField}: the new field's null is union branch 0. */
    static byte[] withExtraFieldNull(byte[] framed) {
        byte[] longer = java.util.Arrays.copyOf(framed, framed.length + 1);
        longer[framed.length] = 0;
        return longer;
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, byte[] value, AsrRequest request) {
        return new ConsumerRecord<>("asr", 0, offset, request.getEventTime().toEpochMilli(),
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, value.length, null, value,
                new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty());
    }

    static DeserializationSchema.InitializationContext context(Map<String, Metric> metrics) {
        MetricGroup group = new UnregisteredMetricsGroup() {
            @Override
            public Counter counter(String name) {
                Counter c = super.counter(name);
                metrics.put(name, c);
                return c;
            }

            @Override
            public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
                metrics.put(name, gauge);
                return gauge;
            }
        };
        return new DeserializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return group;
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return SimpleUserCodeClassLoader.create(TelemetryDeserializerTest.class.getClassLoader());
            }
        };
    }

    private record ListCollector(List<Ingested> out) implements org.apache.flink.util.Collector<Ingested> {
        @Override
        public void collect(Ingested record) {
            out.add(record);
        }

        @Override
        public void close() {}
    }
}
