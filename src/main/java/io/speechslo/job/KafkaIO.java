package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.config.JobConfig;
import io.speechslo.deadletter.DeadLetter;
import io.speechslo.scorecard.EncodedScorecard;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.Optional;
import java.util.Properties;

/** The job's Kafka sources and sinks, built from the configuration only. */
public final class KafkaIO {

    private KafkaIO() {}

    /** Where the live job starts reading, per kafka.starting-offsets. */
    public static OffsetsInitializer startingOffsets(JobConfig cfg) {
        switch (cfg.kafka().startingOffsets()) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }

    /**
     * Both telemetry topics, read committed. {@code stop} bounds the source (replay of a time range,
     * tests); empty for the always-on job.
     */
    public static KafkaSource<Ingested> source(JobConfig cfg, OffsetsInitializer start, Optional<OffsetsInitializer> stop) {
        return source(cfg, start, stop, java.util.function.UnaryOperator.identity());
    }

    /** The same, its deserializer wrapped (replay counts what it reads). */
    public static KafkaSource<Ingested> source(JobConfig cfg, OffsetsInitializer start, Optional<OffsetsInitializer> stop,
            java.util.function.UnaryOperator<org.apache.flink.connector.kafka.source.reader.deserializer
                    .KafkaRecordDeserializationSchema<Ingested>> wrap) {
        KafkaSourceBuilder<Ingested> b = KafkaSource.<Ingested>builder()
                .setProperties(cfg.kafkaClientProperties())
                .setTopics(cfg.topics().asr(), cfg.topics().tts())
                .setGroupId(cfg.kafka().groupId())
                .setStartingOffsets(start)
                .setProperty("isolation.level", "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setDeserializer(wrap.apply(new TelemetryDeserializer(cfg.registryClientSettings(),
                        cfg.eventTime().maxFuture(), cfg.eventTime().maxPast())));
        stop.ifPresent(b::setBounded);
        return b.build();
    }

    /**
     * The optional inputs, serving samples and privacy events, read committed, in a source of their own
     * (so their sparse partitions never hold back the telemetry's watermark). Subscribed by pattern, so
     * a deployment without these topics runs (the source has no partitions and is idle) and picks them
     * up within a minute of their creation.
     */
    public static KafkaSource<Ingested> inputsSource(JobConfig cfg, OffsetsInitializer start) {
        return inputs(cfg, start).setTopicPattern(java.util.regex.Pattern.compile(
                        java.util.regex.Pattern.quote(cfg.topics().serving()) + "|"
                                + java.util.regex.Pattern.quote(cfg.topics().privacy())))
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    /**
     * The optional inputs between two offsets (replay of a time range): those of the two topics that
     * exist, or empty when neither does (a bounded source with nothing to read would never finish).
     */
    public static Optional<KafkaSource<Ingested>> boundedInputsSource(JobConfig cfg, OffsetsInitializer start,
            OffsetsInitializer stop) {
        java.util.Set<String> existing;
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(cfg.kafkaClientProperties())) {
            existing = admin.listTopics().names().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot list the topics of " + cfg.kafka().bootstrapServers() + ": " + e, e);
        }
        java.util.List<String> topics = java.util.stream.Stream.of(cfg.topics().serving(), cfg.topics().privacy())
                .filter(existing::contains).toList();
        if (topics.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(inputs(cfg, start).setTopics(topics).setBounded(stop).build());
    }

    private static KafkaSourceBuilder<Ingested> inputs(JobConfig cfg, OffsetsInitializer start) {
        return KafkaSource.<Ingested>builder()
                .setProperties(cfg.kafkaClientProperties())
                .setGroupId(cfg.kafka().groupId() + "-inputs")
                .setStartingOffsets(start)
                .setProperty("isolation.level", "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setDeserializer(new TelemetryDeserializer(cfg.registryClientSettings(),
                        cfg.eventTime().maxFuture(), cfg.eventTime().maxPast()));
    }

    /**
     * Advisories, exactly once (Kafka transactions committed on checkpoints), keyed by
     * {@code service/model_version} so each rollout's advisories stay in order in one partition.
     */
    public static KafkaSink<Advisory> advisorySink(JobConfig cfg) {
        return advisorySink(cfg, null);
    }

    /** The Kafka header that marks a replayed advisory or scorecard; its value says which replay wrote it. */
    public static final String REPLAY_HEADER = "speechslo-replay";

    /** Advisories as {@link #advisorySink(JobConfig)} writes them, each marked as replayed when {@code replayMark} is given. */
    public static KafkaSink<Advisory> advisorySink(JobConfig cfg, String replayMark) {
        return sink(cfg, new WireSerializer<>(cfg.topics().advisories(), Advisory.getClassSchema(),
                cfg.registryClientSettings(),
                a -> a.getService() + "/" + (a.getModelVersion() == null ? "" : a.getModelVersion()), replayMark),
                "-advisories");
    }

    static ProducerRecord<byte[], byte[]> marked(ProducerRecord<byte[], byte[]> r, String replayMark) {
        if (replayMark != null) {
            r.headers().add(REPLAY_HEADER, replayMark.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return r;
    }

    /**
     * Scorecards, exactly once like advisories, keyed by {@code service/model_version} (empty version:
     * service-wide) so each cohort's scorecards stay in order in one partition. They arrive encoded
     * ({@link EncodedScorecard}); the sink only frames them.
     */
    public static KafkaSink<EncodedScorecard> scorecardSink(JobConfig cfg) {
        return scorecardSink(cfg, null);
    }

    /** Scorecards as {@link #scorecardSink(JobConfig)} writes them, each marked as replayed when {@code replayMark} is given. */
    public static KafkaSink<EncodedScorecard> scorecardSink(JobConfig cfg, String replayMark) {
        return sink(cfg, new EncodedScorecardSerializer(cfg.topics().scorecards(), cfg.registryClientSettings(),
                replayMark), "-scorecards");
    }

    /** Dead letters, exactly once too, keyed by their source topic and partition. */
    public static KafkaSink<DeadLetter> deadLetterSink(JobConfig cfg) {
        return sink(cfg, cfg.topics().deadLetter(), DeadLetter.getClassSchema(),
                d -> d.getSourceTopic() + "/" + d.getPartition(), "-dead-letters");
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> KafkaSink<T> sink(JobConfig cfg,
            String topic, org.apache.avro.Schema schema, WireSerializer.KeyFunction<T> key, String idSuffix) {
        return sink(cfg, new WireSerializer<>(topic, schema, cfg.registryClientSettings(), key), idSuffix);
    }

    /**
     * The sinks' producer settings: {@code kafka.properties}, the transaction timeout, and unless
     * {@code kafka.properties} sets them, larger batches compressed with lz4. Read_committed readers see
     * nothing before the checkpoint commits and the sink flushes at every checkpoint, so lingering costs
     * no latency; scorecards shrink on the topic (54 MB instead of 176 MB per 5M records in the live
     * benchmark), and the broker and the producers' network threads handle fewer, larger requests.
     */
    static Properties sinkProperties(JobConfig cfg) {
        Properties props = cfg.kafkaClientProperties();
        props.setProperty("transaction.timeout.ms", Long.toString(cfg.sink().transactionTimeout().toMillis()));
        props.putIfAbsent("linger.ms", "100");
        props.putIfAbsent("batch.size", "262144");
        props.putIfAbsent("compression.type", "lz4");
        return props;
    }

    private static <T> KafkaSink<T> sink(JobConfig cfg, KafkaRecordSerializationSchema<T> serializer, String idSuffix) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(sinkProperties(cfg))
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(cfg.sink().transactionalIdPrefix() + idSuffix)
                .build();
    }
}
