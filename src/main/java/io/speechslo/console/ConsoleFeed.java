package io.speechslo.console;

import io.speechslo.advisory.Advisory;
import io.speechslo.kafka.ConfluentWire;
import io.speechslo.registry.SchemaRegistry;
import io.speechslo.registry.SchemaRegistryException;
import io.speechslo.scorecard.Scorecard;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the advisories and scorecards topics (read committed, from the beginning, never committing
 * offsets and never writing) into the store, on its own thread. When Kafka or the registry cannot be
 * reached it says so in {@link #status()} and tries again every {@code retry}; a record it cannot
 * decode is skipped and counted, never retried forever.
 */
public final class ConsoleFeed implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleFeed.class);

    private final Properties kafka;
    private final String bootstrap;
    private final String registryUrl;
    private final Map<String, String> registrySettings;
    private final String advisoriesTopic;
    private final String scorecardsTopic;
    private final ScorecardStore store;
    private final Duration retry;
    private final Map<Integer, SpecificDatumReader<Scorecard>> scorecardReaders = new HashMap<>();
    private final Map<Integer, SpecificDatumReader<Advisory>> advisoryReaders = new HashMap<>();
    private volatile boolean running = true;
    private volatile Status status;
    private volatile long skipped;
    private volatile String lastSkip;
    private Thread thread;
    private BinaryDecoder decoder;

    /** What the page banner says: {@code ok} false while Kafka or the registry cannot be reached. */
    public record Status(boolean ok, String message, long since) {}

    public ConsoleFeed(Properties kafka, String bootstrap, String registryUrl, Map<String, String> registrySettings,
            String advisoriesTopic, String scorecardsTopic, ScorecardStore store, Duration retry) {
        this.kafka = kafka;
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.registrySettings = registrySettings;
        this.advisoriesTopic = advisoriesTopic;
        this.scorecardsTopic = scorecardsTopic;
        this.store = store;
        this.retry = retry;
        this.status = new Status(false, "connecting to Kafka at " + bootstrap, System.currentTimeMillis());
    }

    public Status status() {
        return status;
    }

    public long skipped() {
        return skipped;
    }

    public String lastSkip() {
        return lastSkip;
    }

    public void start() {
        thread = new Thread(this, "console-feed");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        while (running) {
            try (SchemaRegistry registry = new SchemaRegistry(registrySettings);
                    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka, new ByteArrayDeserializer(),
                            new ByteArrayDeserializer())) {
                follow(consumer, registry);
            } catch (KafkaException | SchemaRegistryException | IllegalStateException e) {
                if (!running) {
                    return;
                }
                problem(e);
                sleep(retry);
            }
        }
    }

    private void follow(KafkaConsumer<byte[], byte[]> consumer, SchemaRegistry registry) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(advisoriesTopic, scorecardsTopic)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist on " + bootstrap + " (yet)");
            }
            for (PartitionInfo p : infos) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        long lastCheck = System.currentTimeMillis();
        while (running) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
            List<Scorecard> scorecards = new ArrayList<>();
            List<Advisory> advisories = new ArrayList<>();
            for (TopicPartition tp : records.partitions()) {
                for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                    try {
                        decode(r, registry, scorecards, advisories);
                    } catch (SchemaRegistryException e) {
                        // The registry is down: keep what this poll decoded, go back to this record.
                        store.addAll(scorecards, advisories);
                        consumer.seek(tp, r.offset());
                        throw e;
                    }
                }
            }
            store.addAll(scorecards, advisories);
            if (!records.isEmpty()) {
                ok();
                lastCheck = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - lastCheck > 10_000) {
                consumer.listTopics(Duration.ofSeconds(5)); // throws when the broker went away
                ok();
                lastCheck = System.currentTimeMillis();
            }
        }
    }

    private void decode(ConsumerRecord<byte[], byte[]> r, SchemaRegistry registry, List<Scorecard> scorecards,
            List<Advisory> advisories) {
        byte[] v = r.value();
        if (v == null || v.length < ConfluentWire.HEADER_LENGTH || v[0] != ConfluentWire.MAGIC_BYTE) {
            skip(r, "not in the Confluent wire format");
            return;
        }
        int id = ByteBuffer.wrap(v, 1, 4).getInt();
        boolean scorecard = r.topic().equals(scorecardsTopic);
        try {
            decoder = DecoderFactory.get().binaryDecoder(v, ConfluentWire.HEADER_LENGTH,
                    v.length - ConfluentWire.HEADER_LENGTH, decoder);
            if (scorecard) {
                scorecards.add(scorecardReaders.computeIfAbsent(id,
                        k -> new SpecificDatumReader<>(writer(registry, k), Scorecard.getClassSchema()))
                        .read(null, decoder));
            } else {
                advisories.add(advisoryReaders.computeIfAbsent(id,
                        k -> new SpecificDatumReader<>(writer(registry, k), Advisory.getClassSchema()))
                        .read(null, decoder));
            }
        } catch (SchemaRegistryException e) {
            throw e; // the registry is unreachable: retried, never skipped
        } catch (java.io.IOException | RuntimeException e) {
            skip(r, e.toString());
        }
    }

    private static Schema writer(SchemaRegistry registry, int id) {
        return registry.schemaById(id);
    }

    private void skip(ConsumerRecord<byte[], byte[]> r, String why) {
        skipped++;
        lastSkip = r.topic() + "/" + r.partition() + "/" + r.offset() + ": " + why;
        LOG.warn("Skipping {}", lastSkip);
    }

    private void ok() {
        if (!status.ok()) {
            status = new Status(true, "reading " + advisoriesTopic + " and " + scorecardsTopic + " from " + bootstrap,
                    System.currentTimeMillis());
        }
    }

    private void problem(Exception e) {
        String what = e instanceof SchemaRegistryException
                ? "the schema registry at " + registryUrl + " cannot be reached (" + e.getMessage() + ")"
                : "Kafka at " + bootstrap + " cannot be reached (" + e.getMessage() + ")";
        long since = status.ok() ? System.currentTimeMillis() : status.since();
        status = new Status(false, what + "; retrying every " + retry.toSeconds() + " s since "
                + Instant.ofEpochMilli(since), since);
        LOG.warn("Console feed: {}", status.message());
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
