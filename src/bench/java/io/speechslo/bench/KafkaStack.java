package io.speechslo.bench;

import io.speechslo.config.JobConfig;
import io.speechslo.kafka.ConfluentWire;
import io.speechslo.registry.SchemaRegistry;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;
import io.speechslo.testing.KafkaBroker;
import io.speechslo.testing.RegistryServer;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real Kafka broker (separate JVM, see {@link KafkaBroker}) and the registry stand-in, with one set of
 * the job's topics: ASR and TTS telemetry with {@value #PARTITIONS} partitions each, advisories and
 * dead letters. Telemetry is produced the way a fleet would: Confluent wire format with the schema
 * registered under {@code <topic>-value}, the service as key, the event time as timestamp; partitions
 * are taken in turn (a fleet has many services, so keys spread; with five services, hashing them would
 * leave partitions empty and the two source subtasks unevenly loaded).
 */
final class KafkaStack implements AutoCloseable {

    static final int PARTITIONS = 4;

    final KafkaBroker broker;
    final RegistryServer registry;

    KafkaStack() {
        broker = new KafkaBroker().start();
        registry = new RegistryServer().start();
    }

    /** A fresh set of topics with a random suffix. */
    Topics topics(String prefix) {
        String run = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Topics t = new Topics(run, "asr-" + run, "tts-" + run, "advisories-" + run, "dead-" + run, "scorecards-" + run);
        broker.createTopic(t.asr, PARTITIONS);
        broker.createTopic(t.tts, PARTITIONS);
        createOutputs(t);
        return t;
    }

    /**
     * The same telemetry topics with fresh advisory, scorecard and dead-letter topics (and so a fresh group,
     * transactional ids and checkpoints), for another run of the job over the same records.
     */
    Topics rerun(Topics t, int round) {
        String run = t.run + "-r" + round;
        Topics r = new Topics(run, t.asr, t.tts, "advisories-" + run, "dead-" + run, "scorecards-" + run);
        createOutputs(r);
        return r;
    }

    private void createOutputs(Topics t) {
        broker.createTopic(t.advisories, 2);
        broker.createTopic(t.deadLetters, 1);
        broker.createTopic(t.scorecards, 2);
    }

    /** The bytes the broker holds for {@code topic}, all partitions (its log segments, as written: compressed batches stay compressed). */
    long topicBytes(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(p)) {
            java.util.Collection<Integer> ids = admin.describeCluster().nodes().get().stream()
                    .map(org.apache.kafka.common.Node::id).toList();
            long bytes = 0;
            for (var dirs : admin.describeLogDirs(ids).allDescriptions().get().values()) {
                for (var dir : dirs.values()) {
                    for (var e : dir.replicaInfos().entrySet()) {
                        if (e.getKey().topic().equals(topic)) {
                            bytes += e.getValue().size();
                        }
                    }
                }
            }
            return bytes;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the size of topic " + topic + ": " + e, e);
        }
    }

    /**
     * The job configuration for these topics: unique group and transactional ids, checkpoints under
     * {@code target/bench/checkpoints} (the job's default JobManager storage caps a checkpoint at 5 MB),
     * plus any {@code extra} overrides.
     */
    JobConfig config(Topics t, List<String> extra) throws java.io.IOException {
        Path checkpoints = Files.createDirectories(Results.DIR.resolve("checkpoints").resolve(t.run)).toAbsolutePath();
        List<String> overrides = new ArrayList<>(List.of(
                "kafka.bootstrap-servers=" + broker.bootstrapServers(),
                "kafka.group-id=bench-" + t.run,
                "topics.asr=" + t.asr, "topics.tts=" + t.tts,
                "topics.advisories=" + t.advisories, "topics.dead-letter=" + t.deadLetters,
                "topics.scorecards=" + t.scorecards,
                "registry.url=" + registry.url(),
                "checkpoint.directory=" + checkpoints.toUri(),
                "sink.transactional-id-prefix=bench-" + t.run));
        overrides.addAll(extra);
        return JobConfig.load(java.util.Optional.empty(), overrides);
    }

    /** Producer settings of the generate command: acks=all, linger.ms=10, batch.size=256 KB. */
    Properties producerProperties() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return p;
    }

    /** Produces every record and waits for all acknowledgements; returns how many were sent. */
    long produce(Topics t, Iterator<SpecificRecord> records) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        long n = 0;
        try (Wire wire = wire(t);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
            while (records.hasNext()) {
                producer.send(wire.record(records.next()), (meta, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
                n++;
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing telemetry failed: " + failure.get(), failure.get());
        }
        return n;
    }

    /** Turns telemetry into producer records for these topics (one per producing thread). */
    Wire wire(Topics t) {
        return new Wire(t, registry.client());
    }

    @Override
    public void close() {
        registry.close();
        broker.close();
    }

    /** One set of topic names; {@code run} is their common suffix. */
    record Topics(String run, String asr, String tts, String advisories, String deadLetters, String scorecards) {}

    /** Encodes telemetry as the fleet would; partitions are taken in turn per topic. */
    static final class Wire implements AutoCloseable {
        private final Topics topics;
        private final SchemaRegistry registry;
        private final ConfluentWire wire = new ConfluentWire();
        private final int asrId;
        private final int ttsId;
        private long asrCount;
        private long ttsCount;

        Wire(Topics topics, SchemaRegistry registry) {
            this.topics = topics;
            this.registry = registry;
            this.asrId = registry.register(topics.asr + "-value", AsrRequest.getClassSchema());
            this.ttsId = registry.register(topics.tts + "-value", TtsRequest.getClassSchema());
        }

        ProducerRecord<byte[], byte[]> record(SpecificRecord r) {
            if (r instanceof AsrRequest a) {
                return new ProducerRecord<>(topics.asr, (int) (asrCount++ % PARTITIONS), a.getEventTime().toEpochMilli(),
                        a.getService().getBytes(StandardCharsets.UTF_8), wire.encode(asrId, a));
            }
            TtsRequest s = (TtsRequest) r;
            return new ProducerRecord<>(topics.tts, (int) (ttsCount++ % PARTITIONS), s.getEventTime().toEpochMilli(),
                    s.getService().getBytes(StandardCharsets.UTF_8), wire.encode(ttsId, s));
        }

        @Override
        public void close() {
            registry.close();
        }
    }
}
