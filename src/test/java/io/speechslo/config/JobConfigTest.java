package io.speechslo.config;

import io.speechslo.config.JobConfig.StartingOffsets;
import io.speechslo.config.JobConfig.StateBackend;
import io.speechslo.gate.RolloutSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class JobConfigTest {

    @TempDir
    Path tmp;

    private Path write(String yaml) throws IOException {
        return Files.writeString(tmp.resolve("job.yaml"), yaml, StandardCharsets.UTF_8);
    }

    @Test
    void defaultsComeFromThePackagedJobYaml() {
        JobConfig c = JobConfig.defaults();

        assertThat(c.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(c.kafka().groupId()).isEqualTo("speech-slo-advisor");
        assertThat(c.kafka().startingOffsets()).isEqualTo(StartingOffsets.COMMITTED);
        assertThat(c.kafka().properties()).isEmpty();
        assertThat(c.topics().names()).containsExactly(
                "speech.asr.requests", "speech.tts.requests", "speech.serving.samples", "speech.privacy.events",
                "speech.slo.advisories", "speech.slo.scorecards", "speech.slo.deadletter",
                "speech.slo.advisories.replay", "speech.slo.scorecards.replay");
        assertThat(c.topics().partitions()).isEqualTo(4);
        assertThat(c.registry().url()).isEqualTo("http://127.0.0.1:8081");
        assertThat(c.registry().properties()).isEmpty();
        assertThat(c.eventTime()).isEqualTo(new JobConfig.EventTimeSettings(Duration.ofMillis(500), Duration.ofSeconds(30),
                Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(7)));
        assertThat(c.gate()).isEqualTo(RolloutSettings.DEFAULT);
        assertThat(c.cardinality()).isEqualTo(new JobConfig.CardinalitySettings(200, java.time.Duration.ofDays(7)));
        assertThat(c.checkpoint()).isEqualTo(
                new JobConfig.CheckpointSettings(Duration.ofSeconds(5), StateBackend.HASHMAP, Optional.empty()));
        assertThat(c.sink()).isEqualTo(new JobConfig.SinkSettings("speech-slo-advisor", Duration.ofMinutes(15)));
        assertThat(c.policiesDir()).isEmpty();
    }

    @Test
    void thePackagedJobYamlIsJobFolderCopyByteForByte() throws IOException {
        byte[] packaged;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(JobConfig.CLASSPATH_FILE)) {
            assertThat(in).as("classpath " + JobConfig.CLASSPATH_FILE).isNotNull();
            packaged = in.readAllBytes();
        }
        assertThat(packaged).isEqualTo(Files.readAllBytes(Path.of("job", "job.yaml")));
    }

    @Test
    void theFlatMapHasExactlyTheKeysTheReaderKnows() {
        SortedMap<String, String> flat = JobConfig.defaults().toFlatMap();
        assertThat(flat.keySet()).containsExactlyInAnyOrderElementsOf(ConfigReader.KEYS);
    }

    @Test
    void aPartialFileChangesOnlyTheKeysItSets() throws IOException {
        Path file = write("""
                kafka:
                  bootstrap-servers: broker-1:9092,broker-2:9093
                gate:
                  reminder: 20m
                """);

        JobConfig c = JobConfig.load(Optional.of(file), List.of());

        assertThat(c.kafka().bootstrapServers()).isEqualTo("broker-1:9092,broker-2:9093");
        assertThat(c.gate()).isEqualTo(new RolloutSettings(Duration.ofMinutes(1), Duration.ofMinutes(20), Duration.ofMinutes(30)));
        SortedMap<String, String> expected = new TreeMap<>(JobConfig.defaults().toFlatMap());
        expected.put("kafka.bootstrap-servers", "broker-1:9092,broker-2:9093");
        expected.put("gate.reminder", "20m");
        assertThat(c.toFlatMap()).isEqualTo(expected);
    }

    @Test
    void anEmptyFileOrEmptySectionsSetNothing() throws IOException {
        assertThat(JobConfig.load(Optional.of(write("# nothing here\n")), List.of())).isEqualTo(JobConfig.defaults());
        assertThat(JobConfig.load(Optional.of(write("kafka:\n  properties:\ngate:\n")), List.of()))
                .isEqualTo(JobConfig.defaults());
    }

    @Test
    void overridesBeatTheFileAndLaterOverridesBeatEarlierOnes() throws IOException {
        Path file = write("""
                topics:
                  asr: from-file
                  tts: tts-from-file
                checkpoint: {state-backend: rocksdb, directory: file:///var/ckpt}
                """);

        JobConfig c = JobConfig.load(Optional.of(file), List.of(
                "topics.asr=first", "topics.asr=from-override", "checkpoint.directory=null",
                "kafka.starting-offsets=earliest", "event-time.allowed-lateness=5s", "topics.partitions=12"));

        assertThat(c.topics().asr()).isEqualTo("from-override");
        assertThat(c.topics().tts()).isEqualTo("tts-from-file");
        assertThat(c.checkpoint().stateBackend()).isEqualTo(StateBackend.ROCKSDB);
        assertThat(c.checkpoint().directory()).isEmpty();
        assertThat(c.kafka().startingOffsets()).isEqualTo(StartingOffsets.EARLIEST);
        assertThat(c.eventTime().allowedLateness()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.topics().partitions()).isEqualTo(12);
    }

    @Test
    void overrideValuesAreYamlScalars() {
        JobConfig c = JobConfig.load(Optional.empty(), List.of(
                "kafka.properties.ssl.endpoint.identification.algorithm=\"\"",
                "kafka.properties.linger.ms=10",
                "kafka.group-id='quoted group'",
                "kafka.bootstrap-servers='[::1]:9092'",
                "kafka.properties.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"u\" password=\"p=w\";"));

        assertThat(c.kafka().properties()).containsExactly(
                entry("ssl.endpoint.identification.algorithm", ""),
                entry("linger.ms", "10"),
                entry("sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p=w\";"));
        assertThat(c.kafka().groupId()).isEqualTo("quoted group");
        assertThat(c.kafka().bootstrapServers()).isEqualTo("[::1]:9092");
    }

    @Test
    void propertiesKeepTheOrderTheyWereFirstSetInAndCannotBeChanged() throws IOException {
        Path file = write("""
                kafka:
                  properties:
                    security.protocol: SASL_SSL
                    sasl.mechanism: PLAIN
                    acks: all
                    linger.ms: 5
                registry:
                  properties:
                    basic.auth.credentials.source: USER_INFO
                    basic.auth.user.info: "user:pass"
                """);

        JobConfig c = JobConfig.load(Optional.of(file), List.of("kafka.properties.client.id=advisor",
                "kafka.properties.sasl.mechanism=SCRAM-SHA-512"));

        assertThat(new ArrayList<>(c.kafka().properties().entrySet())).containsExactly(
                entry("security.protocol", "SASL_SSL"), entry("sasl.mechanism", "SCRAM-SHA-512"),
                entry("acks", "all"), entry("linger.ms", "5"), entry("client.id", "advisor"));
        assertThatThrownBy(() -> c.kafka().properties().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> c.registryClientSettings().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);

        assertThat(new ArrayList<>(c.registryClientSettings().entrySet())).containsExactly(
                entry("url", "http://127.0.0.1:8081"),
                entry("basic.auth.credentials.source", "USER_INFO"),
                entry("basic.auth.user.info", "user:pass"));
        assertThat(c.kafkaClientProperties()).containsOnly(
                entry("bootstrap.servers", "127.0.0.1:9092"), entry("security.protocol", "SASL_SSL"),
                entry("sasl.mechanism", "SCRAM-SHA-512"), entry("acks", "all"), entry("linger.ms", "5"),
                entry("client.id", "advisor"));
    }

    @Test
    void kafkaClientPropertiesAreAFreshCopyEachTime() {
        JobConfig c = JobConfig.defaults();
        c.kafkaClientProperties().setProperty("bootstrap.servers", "changed:1");
        assertThat(c.kafkaClientProperties()).containsOnly(entry("bootstrap.servers", "127.0.0.1:9092"));
    }

    @Test
    void secretsAreMaskedInTheFlatMapAndInToString() {
        JobConfig c = JobConfig.load(Optional.empty(), List.of(
                "kafka.properties.security.protocol=SASL_SSL",
                "kafka.properties.sasl.jaas.config=jaas-value",
                "kafka.properties.ssl.key.password=key-pass",
                "kafka.properties.ssl.truststore.password=trust-pass",
                "kafka.properties.sasl.oauthbearer.client.secret=oauth-secret",
                "registry.properties.basic.auth.user.info=user:reg-pass",
                "registry.properties.bearer.auth.token=reg-token",
                "registry.properties.basic.auth.credentials.source=USER_INFO"));

        SortedMap<String, String> flat = c.toFlatMap();
        assertThat(flat).contains(
                entry("kafka.properties.security.protocol", "SASL_SSL"),
                entry("kafka.properties.sasl.jaas.config", "******"),
                entry("kafka.properties.ssl.key.password", "******"),
                entry("kafka.properties.ssl.truststore.password", "******"),
                entry("kafka.properties.sasl.oauthbearer.client.secret", "******"),
                entry("registry.properties.basic.auth.user.info", "******"),
                entry("registry.properties.bearer.auth.token", "******"),
                entry("registry.properties.basic.auth.credentials.source", "USER_INFO"));
        for (String secret : List.of("jaas-value", "key-pass", "trust-pass", "oauth-secret", "reg-pass", "reg-token")) {
            assertThat(flat.values()).noneMatch(v -> v.contains(secret));
            assertThat(c.toString()).doesNotContain(secret);
        }
        // The clients still get the real values.
        assertThat(c.kafkaClientProperties()).contains(entry("sasl.jaas.config", "jaas-value"));
        assertThat(c.registryClientSettings()).contains(entry("basic.auth.user.info", "user:reg-pass"));
    }

    @Test
    void eachLineOfTheFlatMapReadsBackAsAnOverride(@TempDir Path policies) {
        List<String> changes = List.of(
                "kafka.bootstrap-servers=a:9092,b:9093", "kafka.group-id=g", "kafka.starting-offsets=latest",
                "kafka.properties.acks=all", "topics.asr=a", "topics.tts=t", "topics.advisories=adv",
                "topics.serving=srv", "topics.privacy=prv", "topics.scorecards=sc", "topics.dead-letter=dl",
                "topics.replay-advisories=ra", "topics.replay-scorecards=rs", "topics.partitions=3", "registry.url=https://reg.example:8443/base",
                "registry.properties.schema.registry.ssl.truststore.location=/etc/ts.jks",
                "event-time.max-out-of-orderness=90s", "event-time.allowed-lateness=1m",
                "event-time.idle-source-timeout=2m", "event-time.max-future=2h", "event-time.max-past=10d",
                "gate.interval=2m", "gate.reminder=30m", "gate.idle-timeout=1h",
                "cardinality.max-values-per-dimension=50", "cardinality.expiry=3d",
                "checkpoint.interval=30s", "checkpoint.state-backend=rocksdb",
                "checkpoint.directory=s3://bucket/ckpt", "sink.transactional-id-prefix=p",
                "sink.transaction-timeout=10m", "policies.dir=" + policies);
        JobConfig c = JobConfig.load(Optional.empty(), changes);

        SortedMap<String, String> flat = c.flatMap(false);
        assertThat(flat.entrySet()).extracting(e -> e.getKey() + "=" + e.getValue())
                .containsExactlyInAnyOrderElementsOf(changes);

        List<String> back = new ArrayList<>();
        for (Map.Entry<String, String> e : flat.entrySet()) {
            back.add(e.getKey() + "=" + e.getValue());
        }
        assertThat(JobConfig.load(Optional.empty(), back)).isEqualTo(c);
        assertThat(c.policiesDir()).contains(policies);
    }
}
