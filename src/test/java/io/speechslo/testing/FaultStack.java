package io.speechslo.testing;

import io.speechslo.advisory.AdvisoryJson;
import io.speechslo.cli.Main;
import io.speechslo.generate.ScenarioLoader;
import io.speechslo.generate.TelemetryGenerator;
import io.speechslo.kafka.ConfluentWire;
import io.speechslo.kafka.TelemetryRecords;
import io.speechslo.registry.SchemaRegistry;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every fault test shares: a Kafka broker and a {@link FlinkCluster} as separate processes, the
 * registry stand-in keeping its schemas in a file, the job submitted as the thin job jar over REST
 * (checkpoints every second, exactly-once sinks), and the demo scenario's telemetry, generated once and
 * produced in parts so that a test can put its fault between or inside them. At the end a test drains
 * the job (stop-with-savepoint with drain: windows still open are evaluated, as at the end of a replay)
 * and {@link #assertAdvisoriesEqualReplay} compares what is on the advisories topic, read_committed and
 * decoded by Debian's python3-confluent-kafka, with {@code replay --from-kafka} of the same telemetry:
 * no advisory lost, duplicated or added.
 */
public final class FaultStack implements AutoCloseable {

    private static final Path ROOT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    /**
     * The local stack's demo cut to 40 minutes: a canary that regresses one cohort (ROLLBACK at minute
     * 30, after the tests' faults), serving and privacy inputs.
     */
    public static final Path SCENARIO = ROOT.resolve("src/test/resources/faults/hidden-cohort-regression-40m.yaml");
    /** The thin job jar a cluster runs ({@code mvn package}). */
    public static final Path JOB_JAR = ROOT.resolve("target/speech-slo-advisor-job.jar");

    private final Path dir;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final KafkaBroker kafka;
    private final RegistryServer registry;
    private final FlinkCluster flink;
    private final List<SpecificRecord> telemetry;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<Class<?>, Integer> schemaIds = new HashMap<>();
    private final ConfluentWire wire = new ConfluentWire();
    private final AtomicReference<Exception> produceFailure = new AtomicReference<>();
    /** ASR records go out with this writer schema id instead of ours, one null byte longer (see {@link #extendedAsrSchema}). */
    private int extendedAsrId = -1;

    private final long started = System.nanoTime();

    private FaultStack(Path dir) throws IOException {
        this.dir = dir;
        assertThat(JOB_JAR).as("the job jar (mvn package builds it before the fault tests run)").exists();
        KafkaBroker k = null;
        RegistryServer r = null;
        FlinkCluster f = null;
        // the cluster starts while the broker does (each takes seconds of mostly waiting)
        java.util.concurrent.CompletableFuture<FlinkCluster> cluster =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> FlinkCluster.start(dir.resolve("flink")));
        try {
            k = new KafkaBroker().start();
            r = new RegistryServer(dir.resolve("registry/schemas.jsonl")).start();
            f = cluster.join();
        } catch (RuntimeException e) {
            if (f == null) {
                f = cluster.exceptionally(failed -> null).join();
            }
            for (AutoCloseable c : new AutoCloseable[] {f, r, k}) {
                closeQuietly(c);
            }
            throw e;
        }
        this.kafka = k;
        this.registry = r;
        this.flink = f;
        for (String topic : List.of(asrTopic(), ttsTopic())) {
            kafka.createTopic(topic, 4);
        }
        for (String topic : List.of(servingTopic(), privacyTopic(), deadLetterTopic())) {
            kafka.createTopic(topic, 1);
        }
        kafka.createTopic(advisoryTopic(), 2);
        kafka.createTopic(scorecardTopic(), 2);
        List<SpecificRecord> records = new ArrayList<>();
        for (Iterator<SpecificRecord> it = new TelemetryGenerator(ScenarioLoader.load(SCENARIO), 1).everything(); it.hasNext();) {
            records.add(it.next());
        }
        this.telemetry = List.copyOf(records);
        try (SchemaRegistry client = registry.client()) {
            schemaIds.put(AsrRequest.class, client.register(asrTopic() + "-value", AsrRequest.getClassSchema()));
            schemaIds.put(TtsRequest.class, client.register(ttsTopic() + "-value", TtsRequest.getClassSchema()));
            schemaIds.put(ServingSample.class, client.register(servingTopic() + "-value", ServingSample.getClassSchema()));
            schemaIds.put(PrivacyEvent.class, client.register(privacyTopic() + "-value", PrivacyEvent.getClassSchema()));
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("acks", "all");
        p.put("linger.ms", "10");
        p.put("batch.size", Integer.toString(256 * 1024));
        p.put("delivery.timeout.ms", "300000"); // a producer rides out a broker restart, as services' producers do
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        step("broker, registry and Flink cluster up, " + telemetry.size() + " records generated");
    }

    /** Starts the broker, the registry stand-in and the Flink cluster, creates this run's topics and generates the telemetry. */
    public static FaultStack start(Path dir) throws IOException {
        return new FaultStack(dir);
    }

    /** Notes a step and the seconds since the start on stdout (the test's report), to see where the time goes. */
    public void step(String what) {
        System.out.printf("fault test %s: %s at +%.1f s%n", run, what, (System.nanoTime() - started) / 1e9);
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public RegistryServer registry() {
        return registry;
    }

    public FlinkCluster flink() {
        return flink;
    }

    public String asrTopic() {
        return "asr-" + run;
    }

    public String ttsTopic() {
        return "tts-" + run;
    }

    public String servingTopic() {
        return "serving-" + run;
    }

    public String privacyTopic() {
        return "privacy-" + run;
    }

    public String advisoryTopic() {
        return "advisories-" + run;
    }

    public String scorecardTopic() {
        return "scorecards-" + run;
    }

    public String deadLetterTopic() {
        return "dead-" + run;
    }

    private String groupId() {
        return "fault-" + run;
    }

    /** Settings of the job (and the replay) on this stack, as {@code --set} flags. */
    public List<String> sets() {
        List<String> sets = new ArrayList<>();
        for (String s : List.of("kafka.bootstrap-servers=" + kafka.bootstrapServers(), "registry.url=" + registry.url(),
                "kafka.group-id=" + groupId(), "topics.asr=" + asrTopic(), "topics.tts=" + ttsTopic(),
                "topics.serving=" + servingTopic(), "topics.privacy=" + privacyTopic(),
                "topics.advisories=" + advisoryTopic(), "topics.scorecards=" + scorecardTopic(),
                "topics.dead-letter=" + deadLetterTopic())) {
            sets.add("--set");
            sets.add(s);
        }
        return sets;
    }

    /** Submits the job ({@code jar}, restoring from {@code savepoint} if given) with checkpoints every second; returns its id once it runs. */
    public String submit(Path jar, Optional<String> savepoint) {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(sets());
        args.addAll(List.of("--set", "kafka.starting-offsets=earliest", "--set", "checkpoint.interval=1s",
                "--set", "sink.transactional-id-prefix=fault-" + run));
        String job = flink.submit(jar, args, savepoint);
        step("job " + job + " running");
        return job;
    }

    /** The number of telemetry records (requests, serving samples and privacy events) the scenario gave. */
    public int size() {
        return telemetry.size();
    }

    /** Produces the telemetry from fraction {@code from} to {@code to} of it (event-time order), waiting until the broker has it all. */
    public void produce(double from, double to) {
        produce(from, to, -1, null);
    }

    /**
     * Produces the telemetry from {@code from} to {@code to}; at {@code faultAt} (a fraction between them)
     * it makes sure what came before is on the broker, gives the job a moment to be in the middle of it,
     * and runs {@code fault}, then goes on producing (the producer rides out a broker outage).
     */
    public void produce(double from, double to, double faultAt, Runnable fault) {
        int first = index(from);
        int end = index(to);
        int faultIndex = faultAt < 0 ? -1 : index(faultAt);
        for (int i = first; i < end; i++) {
            if (i == faultIndex) {
                producer.flush();
                sleep(Duration.ofMillis(1500));
                step("fault");
                fault.run();
                step("fault done");
            }
            send(telemetry.get(i));
        }
        producer.flush();
        step("produced " + from + ".." + to);
        Exception failed = produceFailure.get();
        if (failed != null) {
            throw new IllegalStateException("producing telemetry failed: " + failed, failed);
        }
    }

    private int index(double fraction) {
        return (int) Math.round(fraction * telemetry.size());
    }

    private void send(SpecificRecord r) {
        String topic;
        String service;
        byte[] value;
        if (r instanceof AsrRequest a) {
            topic = asrTopic();
            service = a.getService();
            value = extendedAsrId < 0 ? wire.encode(schemaIds.get(AsrRequest.class), a) : withNullAppended(wire.encode(extendedAsrId, a));
        } else if (r instanceof TtsRequest t) {
            topic = ttsTopic();
            service = t.getService();
            value = wire.encode(schemaIds.get(TtsRequest.class), t);
        } else if (r instanceof ServingSample s) {
            topic = servingTopic();
            service = s.getService();
            value = wire.encode(schemaIds.get(ServingSample.class), s);
        } else {
            PrivacyEvent e = (PrivacyEvent) r;
            topic = privacyTopic();
            service = e.getService();
            value = wire.encode(schemaIds.get(PrivacyEvent.class), e);
        }
        producer.send(new ProducerRecord<>(topic, null, TelemetryRecords.eventTime(r), service, value), (meta, e) -> {
            if (e != null) {
                produceFailure.compareAndSet(null, e);
            }
        });
    }

    /**
     * Registers a new, compatible version of the ASR schema (ours with one more optional field at the
     * end, default null) under the ASR topic's subject, and from now on writes ASR telemetry with it,
     * as a service upgraded to a newer schema would; returns its id.
     */
    public int switchAsrToNewSchemaVersion() {
        try (SchemaRegistry client = registry.client()) {
            extendedAsrId = client.register(asrTopic() + "-value", extendedAsrSchema());
        }
        assertThat(extendedAsrId).isNotEqualTo(schemaIds.get(AsrRequest.class));
        return extendedAsrId;
    }

    /** Our ASR schema with {@code fault_test_note: ["null", "string"] = null} appended. */
    public static Schema extendedAsrSchema() {
        String json = AsrRequest.getClassSchema().toString();
        int end = json.lastIndexOf(']');
        return new Schema.Parser().parse(json.substring(0, end)
                + ",{\"name\":\"fault_test_note\",\"type\":[\"null\",\"string\"],\"default\":null}" + json.substring(end));
    }

    /** A record's bytes as the extended schema writes them: the appended null is union branch 0, one zero byte. */
    private static byte[] withNullAppended(byte[] framed) {
        return java.util.Arrays.copyOf(framed, framed.length + 1);
    }

    /**
     * Waits until the job has read every telemetry record produced so far and committed its position in a
     * checkpoint (the source commits the consumer groups' offsets when a checkpoint completes).
     */
    public void awaitConsumed(String jobId, Duration limit) {
        Map<String, String> topicsByGroup = Map.of(groupId(), asrTopic() + "," + ttsTopic(),
                groupId() + "-inputs", servingTopic() + "," + privacyTopic());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            long deadline = System.nanoTime() + limit.toNanos();
            String lag = "";
            while (System.nanoTime() < deadline) {
                try {
                    lag = lag(admin, topicsByGroup);
                    if (lag.isEmpty()) {
                        step("all read");
                        return;
                    }
                } catch (Exception notNow) {
                    lag = "(" + notNow.getMessage() + ")";
                }
                sleep(Duration.ofMillis(500));
            }
            throw new AssertionError("the job did not read all telemetry within " + limit.toSeconds() + " s; behind: "
                    + lag + "; job " + flink.state(jobId) + flink.logTails());
        }
    }

    /** Partitions whose committed offset is behind the end, as text; empty when none is. */
    private static String lag(Admin admin, Map<String, String> topicsByGroup) throws Exception {
        StringBuilder behind = new StringBuilder();
        for (Map.Entry<String, String> g : topicsByGroup.entrySet()) {
            Set<String> topics = Set.of(g.getValue().split(","));
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(g.getKey())
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
            for (var d : admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
                d.partitions().forEach(p -> ask.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
            }
            for (var e : admin.listOffsets(ask).all().get(10, TimeUnit.SECONDS).entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                long at = c == null ? 0 : c.offset();
                if (at < e.getValue().offset()) {
                    behind.append(e.getKey()).append(' ').append(at).append('/').append(e.getValue().offset()).append(' ');
                }
            }
        }
        return behind.toString();
    }

    /**
     * Stops the job with a drained savepoint, so it ends as a replay does, then compares the advisories
     * topic with {@code replay --from-kafka} of the same telemetry topics: the same advisories (ids, kinds,
     * decisions, services, window ends), each once, and nothing else. Returns the advisories as the
     * independent Python client decoded them.
     */
    public List<Map<String, Object>> drainAndAssertAdvisoriesEqualReplay(String jobId) throws IOException {
        flink.stopWithSavepoint(jobId, true);
        step("drained");
        return assertAdvisoriesEqualReplay();
    }

    /** See {@link #drainAndAssertAdvisoriesEqualReplay}; for a job already drained. */
    public List<Map<String, Object>> assertAdvisoriesEqualReplay() throws IOException {
        int committed = countCommitted(advisoryTopic());
        List<Map<String, Object>> live = PythonAvroConsumer.consume(kafka.bootstrapServers(), registry.url(),
                advisoryTopic(), committed, Duration.ofSeconds(60));
        assertThat(live).as("advisories decoded by python3-confluent-kafka").hasSize(committed);

        step("advisories read: " + live.size());
        List<String> replayed = replay();
        step("replayed");
        List<String> liveKeys = live.stream().map(FaultStack::key).sorted().toList();
        assertThat(liveKeys).as("no advisory twice on the topic").doesNotHaveDuplicates();
        assertThat(liveKeys).as("the advisories on the topic, against a replay of the same telemetry")
                .isEqualTo(replayed);
        assertThat(live).as("the scenario's rollback").anySatisfy(a -> assertThat(a)
                .containsEntry("kind", "ROLLOUT").containsEntry("decision", "ROLLBACK"));
        assertThat(countCommitted(deadLetterTopic())).as("dead letters: the scenario's telemetry is all valid").isZero();
        return live;
    }

    /** Identity of an advisory for the comparison: id, kind, decision, service, version and window end. */
    private static String key(Map<String, Object> a) {
        return a.get("advisory_id") + " " + a.get("kind") + " " + a.get("decision") + " " + a.get("service") + " "
                + a.get("model_version") + " " + a.get("window_end");
    }

    /** {@code replay --from-kafka} over the telemetry's time range; the advisories' keys, sorted. */
    private List<String> replay() throws IOException {
        long first = telemetry.stream().mapToLong(TelemetryRecords::eventTime).min().orElseThrow();
        long last = telemetry.stream().mapToLong(TelemetryRecords::eventTime).max().orElseThrow();
        Path out = dir.resolve("replay-advisories.jsonl");
        List<String> args = new ArrayList<>(List.of("replay", "--from-kafka",
                "--start", Instant.ofEpochMilli(first - 60_000).toString(),
                "--end", Instant.ofEpochMilli(last + 60_000).toString(), "--out", out.toString()));
        args.addAll(sets());
        args.addAll(List.of("--set", "kafka.group-id=replay-" + run));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<String> keys = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            if (!line.isBlank()) {
                var a = AdvisoryJson.fromJson(line);
                Map<String, Object> m = new HashMap<>();
                m.put("advisory_id", a.getAdvisoryId());
                m.put("kind", a.getKind().name());
                m.put("decision", a.getDecision().name());
                m.put("service", a.getService());
                m.put("model_version", a.getModelVersion());
                m.put("window_end", a.getWindowEnd());
                keys.add(key(m));
            }
        }
        assertThat(keys).as("the replay's advisories").isNotEmpty();
        return keys.stream().sorted().collect(Collectors.toList());
    }

    /** Records a read_committed consumer sees on {@code topic}, from the start. */
    public int countCommitted(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("group.id", "count-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        p.put("isolation.level", "read_committed");
        int n = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            int idle = 0;
            while (idle < 6) {
                var records = c.poll(Duration.ofMillis(500));
                idle = records.isEmpty() ? idle + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> ignored : records) {
                    n++;
                }
            }
        }
        return n;
    }

    public static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        closeQuietly(producer::close);
        closeQuietly(flink);
        closeQuietly(registry);
        closeQuietly(kafka);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // the next one still gets closed
            }
        }
    }
}
