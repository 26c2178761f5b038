package io.speechslo.config;

import io.speechslo.gate.RolloutSettings;
import io.speechslo.policy.Durations;
import io.speechslo.policy.load.PolicyException;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The job's runtime configuration: where Kafka and the Schema Registry are, the topic names, event-time
 * and gate timing, cardinality limits, checkpointing and the policies folder. Immutable and validated
 * as a whole; build it only with {@link #load}, which reads the packaged defaults
 * ({@value #CLASSPATH_FILE}, a copy of job/job.yaml, which documents every key), then the given file,
 * then {@code dotted.key=value} overrides. Every problem is a {@link PolicyException} naming the file,
 * line and key ({@code <file>:<line>: <key>: <problem>}) or the override
 * ({@code --set <key>=<value>: <problem>}).
 *
 * @param policiesDir a folder laid out like job/ to load the policies from; empty for the packaged defaults
 */
public record JobConfig(KafkaSettings kafka, TopicSettings topics, RegistrySettings registry,
        EventTimeSettings eventTime, RolloutSettings gate, CardinalitySettings cardinality,
        CheckpointSettings checkpoint, SinkSettings sink, Optional<Path> policiesDir) {

    /** The packaged defaults on the classpath. */
    public static final String CLASSPATH_FILE = "speechslo/job/job.yaml";

    static final String MASK = "******";

    /**
     * Reads the packaged defaults, lays {@code file} over them (it may set any subset of the keys) and
     * then each override in order.
     *
     * @param overrides {@code dotted.key=value}, e.g. {@code kafka.bootstrap-servers=10.0.0.5:9092} or
     *     {@code kafka.properties.security.protocol=SASL_SSL}; the value is read as a YAML scalar
     * @throws PolicyException naming the file, line and key, or the override, at fault
     */
    public static JobConfig load(Optional<Path> file, List<String> overrides) {
        return load(file, overrides, System::getenv);
    }

    /**
     * As {@link #load(Optional, List)}, with {@code ${env:NAME}} in a {@code kafka.properties.*} or
     * {@code registry.properties.*} value read from {@code env} (the process environment, in production):
     * secrets come from the environment a secret store fills, never from the file.
     */
    public static JobConfig load(Optional<Path> file, List<String> overrides,
            java.util.function.Function<String, String> env) {
        return ConfigReader.load(file, overrides, env);
    }

    /** The packaged defaults alone. */
    public static JobConfig defaults() {
        return load(Optional.empty(), List.of());
    }

    /**
     * A new Properties for any Kafka client (source, sink, admin): {@code bootstrap.servers} and every
     * entry of kafka.properties. Group id, starting offsets and transaction settings are not in it.
     */
    public Properties kafkaClientProperties() {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.putAll(kafka.properties());
        return p;
    }

    /**
     * The settings for {@link io.speechslo.registry.SchemaRegistry}: {@code url} set to registry.url,
     * then every entry of registry.properties as written (e.g. basic.auth.credentials.source,
     * basic.auth.user.info, schema.registry.ssl.*). The URL alone is {@code registry().url()}.
     */
    public Map<String, String> registryClientSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(io.speechslo.registry.SchemaRegistry.URL, registry.url());
        m.putAll(registry.properties());
        return Collections.unmodifiableMap(m);
    }

    /**
     * Every setting as {@code dotted.key -> value} in key order, values in the form job.yaml takes (so
     * {@code key=value} reads back as an override unless the value needs YAML quotes), with secrets (keys containing password, secret, token,
     * sasl.jaas.config, user.info or ssl.keystore.key) shown as {@value #MASK}. For the start-up log and
     * the {@code config} command.
     */
    public SortedMap<String, String> toFlatMap() {
        return flatMap(true);
    }

    SortedMap<String, String> flatMap(boolean mask) {
        SortedMap<String, String> m = new TreeMap<>();
        m.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        m.put("kafka.group-id", kafka.groupId());
        m.put("kafka.starting-offsets", kafka.startingOffsets().id());
        m.putAll(prefixed("kafka.properties", kafka.properties(), mask));
        m.put("topics.asr", topics.asr());
        m.put("topics.tts", topics.tts());
        m.put("topics.serving", topics.serving());
        m.put("topics.privacy", topics.privacy());
        m.put("topics.advisories", topics.advisories());
        m.put("topics.scorecards", topics.scorecards());
        m.put("topics.replay-advisories", topics.replayAdvisories());
        m.put("topics.replay-scorecards", topics.replayScorecards());
        m.put("topics.dead-letter", topics.deadLetter());
        m.put("topics.partitions", Integer.toString(topics.partitions()));
        m.put("registry.url", registry.url());
        m.putAll(prefixed("registry.properties", registry.properties(), mask));
        m.put("event-time.max-out-of-orderness", Durations.format(eventTime.maxOutOfOrderness()));
        m.put("event-time.allowed-lateness", Durations.format(eventTime.allowedLateness()));
        m.put("event-time.idle-source-timeout", Durations.format(eventTime.idleSourceTimeout()));
        m.put("event-time.max-future", Durations.format(eventTime.maxFuture()));
        m.put("event-time.max-past", Durations.format(eventTime.maxPast()));
        m.put("gate.interval", Durations.format(gate.interval()));
        m.put("gate.reminder", Durations.format(gate.reminder()));
        m.put("gate.idle-timeout", Durations.format(gate.idleTimeout()));
        m.put("cardinality.max-values-per-dimension", Integer.toString(cardinality.maxValuesPerDimension()));
        m.put("cardinality.expiry", Durations.format(cardinality.expiry()));
        m.put("checkpoint.interval", Durations.format(checkpoint.interval()));
        m.put("checkpoint.state-backend", checkpoint.stateBackend().id());
        m.put("checkpoint.directory", checkpoint.directory().orElse("null"));
        m.put("sink.transactional-id-prefix", sink.transactionalIdPrefix());
        m.put("sink.transaction-timeout", Durations.format(sink.transactionTimeout()));
        m.put("policies.dir", policiesDir.map(Path::toString).orElse("null"));
        return Collections.unmodifiableSortedMap(m);
    }

    private static Map<String, String> prefixed(String prefix, Map<String, String> properties, boolean mask) {
        Map<String, String> m = new LinkedHashMap<>();
        (mask ? masked(properties) : properties).forEach((k, v) -> m.put(prefix + "." + k, v));
        return m;
    }

    /** The properties with the value of every secret one replaced by {@value #MASK}. */
    static Map<String, String> masked(Map<String, String> properties) {
        Map<String, String> m = new LinkedHashMap<>();
        properties.forEach((k, v) -> m.put(k, isSecret(k) ? MASK : v));
        return m;
    }

    /** Whether the value of this key must never be printed. */
    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("token")
                || k.contains("sasl.jaas.config") || k.contains("user.info") || k.contains("ssl.keystore.key");
    }

    private static Map<String, String> frozen(Map<String, String> properties) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** Where the job starts reading a partition its consumer group has no offset for yet, or at all. */
    public enum StartingOffsets {
        /** The group's committed offsets; earliest where the group has none. */
        COMMITTED,
        EARLIEST,
        LATEST;

        /** The name as written in job.yaml. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Flink's state backend, as Flink's state.backend.type names it. */
    public enum StateBackend {
        /** State as objects on the TaskManager heap. */
        HASHMAP,
        /** State serialized in RocksDB on local disk; for state larger than memory. */
        ROCKSDB;

        /** The name as written in job.yaml and in Flink's state.backend.type. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param bootstrapServers comma-separated host:port list
     * @param groupId consumer group of the telemetry sources
     * @param properties passed to every Kafka client as is, in the order written; unmodifiable
     */
    public record KafkaSettings(String bootstrapServers, String groupId, StartingOffsets startingOffsets,
            Map<String, String> properties) implements Serializable {

        public KafkaSettings {
            properties = frozen(properties);
        }

        @Override
        public String toString() {
            return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", groupId=" + groupId
                    + ", startingOffsets=" + startingOffsets.id() + ", properties=" + masked(properties) + "]";
        }
    }

    /**
     * The topic names (all different) and the partition count used when topics are created: telemetry
     * (asr, tts), the optional serving samples and privacy events, and the job's outputs.
     */
    public record TopicSettings(String asr, String tts, String serving, String privacy, String advisories,
            String scorecards, String deadLetter, String replayAdvisories, String replayScorecards, int partitions)
            implements Serializable {

        /** asr, tts, serving, privacy, advisories, scorecards, dead-letter, replay-advisories, replay-scorecards. */
        public List<String> names() {
            return List.of(asr, tts, serving, privacy, advisories, scorecards, deadLetter, replayAdvisories,
                    replayScorecards);
        }

        /** The same settings with a replay's outputs written to the live topics' names. */
        public TopicSettings replayOutputs() {
            return new TopicSettings(asr, tts, serving, privacy, replayAdvisories, replayScorecards, deadLetter,
                    replayAdvisories, replayScorecards, partitions);
        }
    }

    /**
     * @param url the Schema Registry's http(s) URL as written
     * @param properties passed to the Confluent registry client as is, in the order written; unmodifiable
     */
    public record RegistrySettings(String url, Map<String, String> properties) implements Serializable {

        public RegistrySettings {
            properties = frozen(properties);
        }

        @Override
        public String toString() {
            return "RegistrySettings[url=" + url + ", properties=" + masked(properties) + "]";
        }
    }

    /**
     * @param maxOutOfOrderness watermark lag behind the latest event time seen (zero or more)
     * @param allowedLateness how long after the watermark a late record still counts (zero or more)
     * @param idleSourceTimeout a partition without records this long stops holding the watermark back
     * @param maxFuture telemetry stamped further ahead of its Kafka timestamp is dead-lettered
     * @param maxPast telemetry stamped further behind its Kafka timestamp is dead-lettered
     */
    public record EventTimeSettings(Duration maxOutOfOrderness, Duration allowedLateness,
            Duration idleSourceTimeout, Duration maxFuture, Duration maxPast) implements Serializable {}

    /**
     * @param maxValuesPerDimension at most this many distinct values of one slice dimension are tracked (at least 1)
     * @param expiry a value unseen this long (event time, at least a minute) frees its place for a new one
     */
    public record CardinalitySettings(int maxValuesPerDimension, Duration expiry) implements Serializable {}

    /**
     * Checkpointing is always on.
     *
     * @param directory checkpoint storage URI; empty to leave Flink's execution.checkpointing.dir in charge
     */
    public record CheckpointSettings(Duration interval, StateBackend stateBackend, Optional<String> directory) {}

    /**
     * @param transactionalIdPrefix prefix of the Kafka transactional ids of the exactly-once sink
     * @param transactionTimeout Kafka transaction timeout, longer than the checkpoint interval
     */
    public record SinkSettings(String transactionalIdPrefix, Duration transactionTimeout) implements Serializable {}
}
