package io.speechslo.config;

import io.speechslo.policy.load.PolicyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every mistake in a config file or override stops the load with the file, line and key at fault. */
class JobConfigValidationTest {

    @TempDir
    Path tmp;

    /** Loads {@code yaml} as the config file and returns the failure, checking file, line and key. */
    private PolicyException fileError(String yaml, int line, String key) throws IOException {
        Path file = Files.writeString(tmp.resolve("my-job.yaml"), yaml, StandardCharsets.UTF_8);
        PolicyException e = catchThrowableOfType(PolicyException.class,
                () -> JobConfig.load(Optional.of(file), List.of()));
        assertThat(e).as("load of\n" + yaml).isNotNull();
        assertThat(e.file()).isEqualTo(file.toString());
        assertThat(e.line()).isEqualTo(line);
        assertThat(e.field()).isEqualTo(key);
        assertThat(e.getMessage()).startsWith(file + ":" + line + ": " + key + ": ");
        return e;
    }

    private static String problem(PolicyException e) {
        String m = e.getMessage();
        return e.field().isEmpty() ? m.substring(m.indexOf(": ") + 2) : m.substring(m.indexOf(e.field() + ": ") + e.field().length() + 2);
    }

    private static PolicyException overrideError(String... overrides) {
        PolicyException e = catchThrowableOfType(PolicyException.class,
                () -> JobConfig.load(Optional.empty(), List.of(overrides)));
        assertThat(e).as("load with " + List.of(overrides)).isNotNull();
        return e;
    }

    private static int shippedLine(String startsWith) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("job", "job.yaml"));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(startsWith)) {
                return i + 1;
            }
        }
        throw new AssertionError("job/job.yaml has no line starting with '" + startsWith + "'");
    }

    // ---- keys and structure

    @Test
    void aMistypedKeyIsNamedWithTheValidOnes() throws IOException {
        PolicyException e = fileError("""
                kafka:
                  group-id: g
                  bootstrap-server: 10.0.0.5:9092
                """, 3, "kafka.bootstrap-server");
        assertThat(problem(e)).isEqualTo(
                "unknown key 'bootstrap-server' (valid in kafka: bootstrap-servers, group-id, starting-offsets, properties)");
    }

    @Test
    void anUnknownSectionIsNamedWithTheValidOnes() throws IOException {
        PolicyException e = fileError("\n\ncheckpoints:\n  interval: 5s\n", 3, "checkpoints");
        assertThat(problem(e)).isEqualTo("unknown key 'checkpoints' (valid: kafka, topics, registry, event-time,"
                + " gate, cardinality, checkpoint, sink, policies)");
    }

    @Test
    void aDuplicateKeyPointsAtTheSecond() throws IOException {
        PolicyException e = fileError("topics:\n  asr: a\n  asr: b\n", 3, "topics.asr");
        assertThat(problem(e)).isEqualTo("duplicate key (first at line 2)");
    }

    @Test
    void aSectionMustBeAMapping() throws IOException {
        PolicyException e = fileError("gate: 5m\n", 1, "gate");
        assertThat(problem(e)).isEqualTo("must be a mapping (key: value), not '5m'");
    }

    @Test
    void aKeyTakesOneValue() throws IOException {
        PolicyException e = fileError("topics:\n  asr:\n    - a\n    - b\n", 3, "topics.asr");
        assertThat(problem(e)).isEqualTo("must be a single value, not a list");
    }

    @Test
    void propertyNamesAreWrittenWhole() throws IOException {
        PolicyException e = fileError("kafka:\n  properties:\n    security:\n      protocol: SSL\n", 4,
                "kafka.properties.security");
        assertThat(problem(e)).startsWith("must be a single value, not a mapping; write property names whole");
    }

    @Test
    void aPropertyThatHasItsOwnKeyIsRefused() throws IOException {
        PolicyException e = fileError("kafka:\n  properties:\n    acks: all\n    bootstrap.servers: x:1\n", 4,
                "kafka.properties.bootstrap.servers");
        assertThat(problem(e)).isEqualTo("'bootstrap.servers' is set by kafka.bootstrap-servers, not here");
        e = fileError("registry:\n  properties:\n    schema.registry.url: http://x\n", 3,
                "registry.properties.schema.registry.url");
        assertThat(problem(e)).isEqualTo("'schema.registry.url' is set by registry.url, not here");
    }

    @Test
    void aPropertyNeedsAValue() throws IOException {
        PolicyException e = fileError("kafka:\n  properties:\n    acks:\n", 3, "kafka.properties.acks");
        assertThat(problem(e)).isEqualTo("must be a value (write \"\" for an empty one), not nothing");
    }

    @Test
    void brokenYamlNamesTheLine() throws IOException {
        Path file = Files.writeString(tmp.resolve("bad.yaml"), "kafka:\n  group-id: [unclosed\n");
        PolicyException e = catchThrowableOfType(PolicyException.class,
                () -> JobConfig.load(Optional.of(file), List.of()));
        assertThat(e.getMessage()).startsWith(file + ":3: not valid YAML");
    }

    @Test
    void aFileHoldsOneDocument() throws IOException {
        Path file = Files.writeString(tmp.resolve("two.yaml"), "kafka:\n  group-id: a\n---\nkafka:\n  group-id: b\n");
        PolicyException e = catchThrowableOfType(PolicyException.class,
                () -> JobConfig.load(Optional.of(file), List.of()));
        assertThat(e).hasMessage(file + ":4: must hold one YAML document, found more");
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = tmp.resolve("nope.yaml");
        PolicyException e = catchThrowableOfType(PolicyException.class,
                () -> JobConfig.load(Optional.of(missing), List.of()));
        assertThat(e).hasMessage(missing + ": no such file");
    }

    // ---- values

    @Test
    void wrongTypes() throws IOException {
        assertThat(problem(fileError("topics:\n  partitions: four\n", 2, "topics.partitions")))
                .isEqualTo("must be a whole number, not 'four'");
        assertThat(problem(fileError("kafka:\n  group-id:\n", 2, "kafka.group-id")))
                .isEqualTo("must be a value, not nothing");
    }

    @Test
    void badDurations() throws IOException {
        assertThat(problem(fileError("gate:\n  interval: 5 minutes\n", 2, "gate.interval"))).isEqualTo(
                "'5 minutes' is not a duration (write a whole number and one unit of ms, s, m, h, d, w: e.g. 30s, 5m, 1h)");
        assertThat(problem(fileError("event-time:\n  max-past: 7\n", 2, "event-time.max-past")))
                .startsWith("'7' is not a duration");
    }

    @Test
    void intervalsMustBePositive() throws IOException {
        assertThat(problem(fileError("gate: {interval: 0s}\n", 1, "gate.interval"))).isEqualTo("must be greater than zero");
        assertThat(problem(fileError("\ncheckpoint:\n  interval: 0ms\n", 3, "checkpoint.interval")))
                .isEqualTo("must be greater than zero");
        assertThat(problem(fileError("event-time:\n  idle-source-timeout: 0s\n", 2, "event-time.idle-source-timeout")))
                .isEqualTo("must be greater than zero");
    }

    @Test
    void latenessAndOutOfOrdernessMayBeZeroButNotNegative() throws IOException {
        assertThat(problem(fileError("event-time:\n  allowed-lateness: -1s\n", 2, "event-time.allowed-lateness")))
                .isEqualTo("must not be negative, not '-1s'");
        assertThat(problem(fileError("event-time:\n  max-out-of-orderness: -5s\n", 2, "event-time.max-out-of-orderness")))
                .isEqualTo("must not be negative, not '-5s'");
        assertThat(JobConfig.load(Optional.empty(), List.of("event-time.max-out-of-orderness=0s")).eventTime()
                .maxOutOfOrderness()).isZero();
    }

    @Test
    void gateReminderAndIdleTimeoutAreAtLeastTheInterval() throws IOException {
        PolicyException e = fileError("gate:\n  interval: 5m\n  reminder: 2m\n", 3, "gate.reminder");
        assertThat(problem(e)).isEqualTo("gate.reminder (2m) must be at least gate.interval (5m)"
                + " (gate.interval is set at " + e.file() + ":2)");
        // The defaults' idle timeout (30m) is now too short: the file's interval is what changed, so it is blamed.
        e = fileError("gate:\n  interval: 1h\n  reminder: 2h\n", 2, "gate.interval");
        assertThat(problem(e)).isEqualTo("gate.idle-timeout (30m) must be at least gate.interval (1h)"
                + " (gate.idle-timeout is set at classpath:speechslo/job/job.yaml:" + shippedLine("  idle-timeout:") + ")");
    }

    @Test
    void cardinalityExpiryIsAtLeastAMinute() throws IOException {
        assertThat(problem(fileError("cardinality:\n  max-values-per-dimension: 5\n  expiry: 30s\n", 3,
                "cardinality.expiry"))).isEqualTo("must be at least 1m (values are timed to the minute), not 30s");
        assertThat(problem(fileError("cardinality:\n  expiry: soon\n", 2, "cardinality.expiry")))
                .startsWith("'soon' is not a duration");
    }

    @Test
    void maxValuesPerDimensionIsAtLeastOne() throws IOException {
        assertThat(problem(fileError("cardinality:\n  max-values-per-dimension: 0\n", 2,
                "cardinality.max-values-per-dimension"))).isEqualTo("must be from 1 to 2147483647, not 0");
        assertThat(problem(fileError("topics:\n  partitions: -1\n", 2, "topics.partitions")))
                .isEqualTo("must be from 1 to 2147483647, not -1");
    }

    @Test
    void unknownChoices() throws IOException {
        assertThat(problem(fileError("checkpoint:\n  state-backend: memory\n", 2, "checkpoint.state-backend")))
                .isEqualTo("unknown value 'memory' (valid: hashmap, rocksdb)");
        assertThat(problem(fileError("kafka:\n  starting-offsets: newest\n", 2, "kafka.starting-offsets")))
                .isEqualTo("unknown value 'newest' (valid: committed, earliest, latest)");
    }

    @Test
    void theRegistryUrlIsHttpOrHttps() throws IOException {
        assertThat(problem(fileError("registry:\n  url: ftp://reg:8081\n", 2, "registry.url")))
                .isEqualTo("'ftp://reg:8081' is not an http(s) URL (write e.g. http://127.0.0.1:8081)");
        assertThat(problem(fileError("registry:\n  url: 127.0.0.1:8081\n", 2, "registry.url")))
                .startsWith("'127.0.0.1:8081' is not an http(s) URL");
    }

    @Test
    void bootstrapServersAreHostPortPairs() throws IOException {
        assertThat(problem(fileError("kafka:\n  bootstrap-servers: a:9092,localhost\n", 2, "kafka.bootstrap-servers")))
                .isEqualTo("'localhost' is not host:port (write e.g. 127.0.0.1:9092 or broker-1:9092,broker-2:9092)");
        assertThat(problem(fileError("kafka:\n  bootstrap-servers: a:70000\n", 2, "kafka.bootstrap-servers")))
                .startsWith("'a:70000' is not host:port");
    }

    @Test
    void topicNamesAreNonEmptyAndLegal() throws IOException {
        assertThat(problem(fileError("topics:\n  advisories: \"\"\n", 2, "topics.advisories"))).isEqualTo("must not be empty");
        assertThat(problem(fileError("topics:\n  dead-letter: dead letters\n", 2, "topics.dead-letter")))
                .isEqualTo("'dead letters' is not a Kafka topic name (up to 249 of a-z, A-Z, 0-9, '.', '_', '-')");
    }

    @Test
    void topicsMustDiffer() throws IOException {
        // Both in the file: the later key is blamed.
        PolicyException e = fileError("topics:\n  asr: same\n  advisories: other\n  dead-letter: same\n", 4,
                "topics.dead-letter");
        assertThat(problem(e)).isEqualTo("'same' is the topic of both topics.asr and topics.dead-letter;"
                + " every topic must be different (topics.asr is set at " + e.file() + ":2)");
        // The file clashes with a packaged default: the file is blamed, the default is pointed at.
        e = fileError("\ntopics:\n  asr: speech.tts.requests\n", 3, "topics.asr");
        assertThat(problem(e)).isEqualTo("'speech.tts.requests' is the topic of both topics.asr and topics.tts;"
                + " every topic must be different (topics.tts is set at classpath:speechslo/job/job.yaml:"
                + shippedLine("  tts:") + ")");
    }

    @Test
    void theTransactionOutlastsTheCheckpointInterval() throws IOException {
        PolicyException e = fileError("checkpoint:\n  interval: 15m\n", 2, "checkpoint.interval");
        assertThat(problem(e)).startsWith("sink.transaction-timeout (15m) must be longer than checkpoint.interval (15m)");
    }

    @Test
    void directories() throws IOException {
        assertThat(problem(fileError("checkpoint:\n  directory: ckpt/here\n", 2, "checkpoint.directory")))
                .startsWith("'ckpt/here' is not a checkpoint location");
        Path missing = tmp.resolve("no-such-dir");
        assertThat(problem(fileError("policies:\n  dir: " + missing + "\n", 2, "policies.dir")))
                .startsWith("'" + missing + "' is not a directory");
    }

    @Test
    void anOverrideThatMakesADefaultInvalidIsBlamedAndPointsAtTheDefault() throws IOException {
        PolicyException e = overrideError("checkpoint.interval=20m");
        assertThat(e).hasMessage("--set checkpoint.interval=20m: sink.transaction-timeout (15m) must be longer than"
                + " checkpoint.interval (20m): a transaction stays open from one checkpoint to the next"
                + " (sink.transaction-timeout is set at classpath:speechslo/job/job.yaml:"
                + shippedLine("  transaction-timeout:") + ")");
    }

    // ---- overrides

    @Test
    void anUnknownOverrideKeyListsTheValidOnes() {
        assertThat(overrideError("kafka.bootstrap-server=10.0.0.5:9092")).hasMessage(
                "--set kafka.bootstrap-server=10.0.0.5:9092: unknown key 'kafka.bootstrap-server' (valid in kafka:"
                        + " kafka.bootstrap-servers, kafka.group-id, kafka.starting-offsets, kafka.properties.<name>)");
        assertThat(overrideError("brokers=x")).hasMessage("--set brokers=x: unknown key 'brokers' (keys start with one of:"
                + " kafka, topics, registry, event-time, gate, cardinality, checkpoint, sink, policies)");
        assertThat(overrideError("kafka.properties=x")).hasMessage(
                "--set kafka.properties=x: set one property at a time: kafka.properties.<name>=<value>");
    }

    @Test
    void anOverrideNeedsKeyEqualsValue() {
        assertThat(overrideError("kafka.bootstrap-servers")).hasMessage(
                "--set kafka.bootstrap-servers: write <dotted.key>=<value>, e.g. kafka.bootstrap-servers=10.0.0.5:9092");
        assertThat(overrideError("=x")).hasMessageStartingWith("--set =x: write <dotted.key>=<value>");
    }

    @Test
    void badOverrideValuesNameTheOverride() {
        assertThat(overrideError("topics.partitions=0")).hasMessage("--set topics.partitions=0: must be from 1 to 2147483647, not 0");
        assertThat(overrideError("gate.interval=soon")).hasMessageStartingWith("--set gate.interval=soon: 'soon' is not a duration");
        assertThat(overrideError("topics.asr=[a, b]")).hasMessage("--set topics.asr=[a, b]: must be a single value, not a list (quote it)");
        assertThat(overrideError("topics.asr=")).hasMessage("--set topics.asr=: must be a value, not nothing");
        assertThat(overrideError("kafka.properties.group.id=g"))
                .hasMessage("--set kafka.properties.group.id=g: 'group.id' is set by kafka.group-id, not here");
    }

    @Test
    void anOverrideThatClashesIsBlamedRatherThanTheFileItClashesWith() throws IOException {
        Path file = Files.writeString(tmp.resolve("job.yaml"), "topics:\n  asr: mine\n");
        PolicyException e = catchThrowableOfType(PolicyException.class,
                () -> JobConfig.load(Optional.of(file), List.of("topics.tts=mine")));
        assertThat(e).hasMessage("--set topics.tts=mine: 'mine' is the topic of both topics.asr and topics.tts;"
                + " every topic must be different (topics.asr is set at " + file + ":2)");
        assertThat(e.line()).isZero();
    }
}
