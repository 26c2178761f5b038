package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.config.JobConfig;
import io.speechslo.deadletter.DeadLetter;
import io.speechslo.fixtures.Pipelines;
import io.speechslo.fixtures.Traffic;
import io.speechslo.kafka.ConfluentWire;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.registry.SchemaRegistry;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;
import io.speechslo.testing.KafkaBroker;
import io.speechslo.testing.PythonAvroConsumer;
import io.speechslo.testing.RegistryServer;

import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live job end to end: a real Kafka broker (separate JVM), the registry stand-in, the job on a
 * MiniCluster at parallelism 2 reading every telemetry record once and writing advisories and
 * scorecards exactly once; both read back read_committed and decoded by Debian's python3-confluent-kafka.
 */
class StreamingJobITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final RegistryServer REGISTRY = new RegistryServer();

    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static KafkaBroker kafka;

    @BeforeAll
    static void startBroker() {
        kafka = new KafkaBroker().start();
    }

    @AfterAll
    static void stopBroker() {
        long pid = kafka.pid();
        kafka.close();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
    }

    @Test
    void telemetryInAdvisoriesAndDeadLettersOutExactlyOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String asrTopic = "asr-" + run;
        String ttsTopic = "tts-" + run;
        String advisoryTopic = "advisories-" + run;
        String deadTopic = "dead-" + run;
        String scorecardTopic = "scorecards-" + run;
        String servingTopic = "serving-" + run;
        String privacyTopic = "privacy-" + run;
        kafka.createTopic(scorecardTopic, 2);
        kafka.createTopic(servingTopic, 1);
        kafka.createTopic(privacyTopic, 1);
        kafka.createTopic(asrTopic, 4);
        kafka.createTopic(ttsTopic, 4);
        kafka.createTopic(advisoryTopic, 2);
        kafka.createTopic(deadTopic, 1);
        JobConfig cfg = JobConfig.load(Optional.empty(), List.of(
                "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "kafka.group-id=it-" + run,
                "topics.asr=" + asrTopic, "topics.tts=" + ttsTopic,
                "topics.advisories=" + advisoryTopic, "topics.dead-letter=" + deadTopic,
                "topics.scorecards=" + scorecardTopic, "topics.serving=" + servingTopic, "topics.privacy=" + privacyTopic,
                "registry.url=" + REGISTRY.url(),
                "checkpoint.interval=1s",
                "gate.reminder=5m", // not the default: the replay below must read it too
                "sink.transactional-id-prefix=it-" + run));

        List<SpecificRecord> telemetry = new ArrayList<>(Traffic.healthyRegressingBurning(23, T0, 150, 200));
        // a shadow model mirrors a little traffic: it costs, and is kept out of every user-facing SLI
        for (int i = 0; i < 40; i++) {
            telemetry.add(AsrRequest.newBuilder(io.speechslo.testing.TelemetrySamples.asr(i, Instant.ofEpochMilli(T0 + i * 1_000L))
                    .build()).setService("asr-healthy").setModelVersion("v-shadow")
                    .setTrack(io.speechslo.telemetry.Track.SHADOW).setRequestId("shadow-" + i).build());
        }
        telemetry.sort(java.util.Comparator.comparingLong(Traffic::eventTime));
        Map<String, String> badOffsets = produce(cfg, asrTopic, ttsTopic, telemetry);
        produceInputs(cfg, servingTopic, privacyTopic);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                StreamingJob.flinkConfiguration(cfg));
        env.setParallelism(2);
        PolicyBundle policies = StreamingJob.policies(cfg);
        StreamingJob.define(env, cfg, policies, OffsetsInitializer.earliest(), Optional.of(OffsetsInitializer.latest()));
        env.execute("streaming-job-it");

        // advisories, read committed, decoded by a client nobody here wrote
        List<Advisory> advisories = readAll(advisoryTopic, Advisory.class);
        assertThat(advisories).isNotEmpty();
        List<Map<String, Object>> decoded = PythonAvroConsumer.consume(kafka.bootstrapServers(), REGISTRY.url(),
                advisoryTopic, advisories.size(), Duration.ofSeconds(30));
        assertThat(decoded).hasSize(advisories.size());
        assertThat(advisories).extracting(Advisory::getAdvisoryId).doesNotHaveDuplicates();
        assertThat(decoded.stream().map(m -> (String) m.get("advisory_id")).sorted().toList())
                .isEqualTo(advisories.stream().map(Advisory::getAdvisoryId).sorted().toList());

        assertThat(decoded).anySatisfy(a -> {
            assertThat(a).containsEntry("service", "asr-regress").containsEntry("kind", "ROLLOUT")
                    .containsEntry("decision", "ROLLBACK").containsEntry("rollback_to", "v1");
        });
        assertThat(decoded).anySatisfy(a -> assertThat(a).containsEntry("service", "tts-burn")
                .containsEntry("kind", "BURN_RATE").containsEntry("decision", "PAGE")
                .containsEntry("slo", "tts-availability"));
        List<Map<String, Object>> healthy = decoded.stream()
                .filter(a -> a.get("service").equals("asr-healthy") && a.get("kind").equals("ROLLOUT"))
                .sorted((a, b) -> Long.compare((Long) a.get("window_end"), (Long) b.get("window_end"))).toList();
        assertThat(healthy).isNotEmpty().noneMatch(a -> a.get("decision").equals("ROLLBACK"));
        assertThat(healthy.get(healthy.size() - 1)).containsEntry("decision", "CONTINUE");

        // the tail command shows the same committed advisories
        java.io.ByteArrayOutputStream tailOut = new java.io.ByteArrayOutputStream();
        int code = io.speechslo.cli.Main.run(List.of("tail", "--json", "--max", Integer.toString(advisories.size()),
                "--set", "kafka.bootstrap-servers=" + kafka.bootstrapServers(), "--set", "registry.url=" + REGISTRY.url(),
                "--set", "topics.advisories=" + advisoryTopic), new java.io.PrintStream(tailOut, true), System.err);
        assertThat(code).isZero();
        assertThat(tailOut.toString(StandardCharsets.UTF_8).lines()
                .map(l -> io.speechslo.advisory.AdvisoryJson.fromJson(l).getAdvisoryId()).sorted().toList())
                .isEqualTo(advisories.stream().map(Advisory::getAdvisoryId).sorted().toList());

        // scorecards: every metric name of the five views, decoded by the same independent client
        List<io.speechslo.scorecard.Scorecard> scorecards = readAll(scorecardTopic, io.speechslo.scorecard.Scorecard.class);
        assertThat(scorecards).isNotEmpty();
        List<Map<String, Object>> decodedScorecards = PythonAvroConsumer.consume(kafka.bootstrapServers(),
                REGISTRY.url(), scorecardTopic, scorecards.size(), Duration.ofSeconds(60));
        assertThat(decodedScorecards).hasSize(scorecards.size());
        java.util.Set<String> names = new java.util.TreeSet<>();
        java.util.Set<String> kinds = new java.util.TreeSet<>();
        for (Map<String, Object> sc : decodedScorecards) {
            kinds.add((String) sc.get("kind"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> values = (List<Map<String, Object>>) sc.get("values");
            values.forEach(v -> names.add((String) v.get("name")));
        }
        assertThat(kinds).contains("SLICE", "SLO", "ROLLOUT", "SERVING", "PRIVACY");
        assertThat(names).containsAll(List.of(
                // model
                "wer", "cer", "entity_error_rate", "confidence_mean", "correction_rate", "partial_churn", "preference",
                "psi_silence_ratio", "psi_clipping_ratio", "psi_snr_db", "psi_speech_level_dbfs",
                // serving
                "queue_p50_ms", "queue_p95_ms", "queue_p99_ms", "preprocess_p95_ms", "model_p95_ms", "model_p99_ms",
                "first_partial_p95_ms", "finalization_p99_ms", "first_audio_p95_ms", "chunk_gap_p95_ms",
                "batch_size_mean", "retry_rate", "fallback_rate", "timeout_rate", "error_rate", "underrun_rate",
                // privacy
                "sensitive_logging_rate", "raw_audio_retained_rate", "redaction_failed_rate",
                // cost
                "cost_per_audio_minute", "cost_per_generated_second", "cache_hit_rate", "retry_waste_usd",
                "shadow_cost_usd",
                // executive
                "sli", "budget_remaining", "burn_rate_1h", "burn_rate_5m", "bad_requests_1h", "affected_share_1h",
                "incident_open", "canary_share",
                // serving samples and privacy events, through their own source
                "gpu_util_mean", "gpu_mem_used_ratio_max", "autoscaler_lag_s", "queue_depth_max", "ready_replicas_min",
                "raw_audio_accesses", "reviews_opted_in", "reviews_without_opt_in", "retention_overdue",
                "fixture_coverage"));
        // a review without the speaker's opt-in is a privacy finding the scorecard shows
        assertThat(scorecards).filteredOn(sc -> sc.getKind() == io.speechslo.scorecard.ScorecardKind.PRIVACY)
                .anySatisfy(sc -> assertThat(sc.getValues()).anySatisfy(v -> {
                    assertThat(v.getName()).isEqualTo("reviews_without_opt_in");
                    assertThat(v.getValue()).isEqualTo(1.0);
                }));
        // the page's incident is open, with its start, in the burning service's SLO scorecards
        assertThat(decodedScorecards).anySatisfy(sc -> {
            assertThat(sc).containsEntry("kind", "SLO").containsEntry("service", "tts-burn")
                    .containsEntry("slo", "tts-availability");
            assertThat((List<?>) sc.get("incidents")).isNotEmpty();
        });
        // shadow traffic: its cost only, under a name of its own
        assertThat(scorecards).filteredOn(sc -> "SHADOW".equals(sc.getTrack())).isNotEmpty()
                .allSatisfy(sc -> assertThat(sc.getValues()).extracting(v -> v.getName())
                        .containsExactly("requests", "shadow_cost_usd"));

        // every bad record is dead-lettered once, with its reason and origin; nothing else is
        List<DeadLetter> dead = readAll(deadTopic, DeadLetter.class);
        Map<String, String> got = new TreeMap<>();
        for (DeadLetter d : dead) {
            got.put(d.getSourceTopic() + "/" + d.getPartition() + "/" + d.getOffset(), d.getReason());
        }
        assertThat(got).isEqualTo(badOffsets);

        // replaying the telemetry topics' time range into another advisories topic gives the same ids
        String replayTopic = "replayed-" + run;
        kafka.createTopic(replayTopic, 2);
        kafka.createTopic("replayed-scorecards-" + run, 2);
        java.io.ByteArrayOutputStream replayErr = new java.io.ByteArrayOutputStream();
        int replayed = io.speechslo.cli.Main.run(List.of("replay", "--from-kafka",
                "--start", Instant.ofEpochMilli(T0 - 60_000).toString(), "--end", Instant.ofEpochMilli(T0 + 3 * 3_600_000L).toString(),
                "--to-kafka", "--set", "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--set", "registry.url=" + REGISTRY.url(), "--set", "topics.asr=" + asrTopic, "--set", "topics.tts=" + ttsTopic,
                "--set", "topics.advisories=" + advisoryTopic, "--set", "topics.scorecards=" + scorecardTopic,
                "--set", "topics.replay-advisories=" + replayTopic, "--set", "topics.replay-scorecards=replayed-scorecards-" + run,
                "--set", "topics.serving=" + servingTopic, "--set", "topics.privacy=" + privacyTopic,
                "--set", "kafka.group-id=replay-" + run, "--set", "gate.reminder=5m"),
                System.out, new java.io.PrintStream(replayErr, true));
        assertThat(replayed).as(replayErr.toString(StandardCharsets.UTF_8)).isZero();
        String replayLog = replayErr.toString(StandardCharsets.UTF_8);
        java.util.regex.Matcher counted = java.util.regex.Pattern.compile("replay: ([0-9,]+) records in ([1-8]) partitions of ")
                .matcher(replayLog);
        assertThat(counted.find()).as(replayLog).isTrue();
        // the summary counts what was read while it ran: every record of the range, from every partition holding one
        assertThat(replayLog).contains("replay: " + counted.group(1) + " records from " + counted.group(2) + " partitions in ");
        // into the replay topics, never the live ones, each record marked as replayed
        List<String> marks = new ArrayList<>();
        assertThat(readAll(replayTopic, Advisory.class, marks).stream().map(Advisory::getAdvisoryId).sorted().toList())
                .isEqualTo(advisories.stream().map(Advisory::getAdvisoryId).sorted().toList());
        assertThat(marks).hasSize(advisories.size()).allSatisfy(m -> assertThat(m).startsWith("replay at "));
        List<String> liveMarks = new ArrayList<>();
        assertThat(readAll(advisoryTopic, Advisory.class, liveMarks)).hasSize(advisories.size());
        assertThat(liveMarks).containsOnlyNulls();
        // and the same scorecards, to the last value
        assertThat(readAll("replayed-scorecards-" + run, io.speechslo.scorecard.Scorecard.class).stream()
                .map(io.speechslo.advisory.AdvisoryJson::toJson).sorted().toList())
                .isEqualTo(scorecards.stream().map(io.speechslo.advisory.AdvisoryJson::toJson).sorted().toList());

        // and the same telemetry through the same topology without Kafka gives the same advisories
        assertThat(advisories.stream().map(Advisory::getAdvisoryId).sorted().toList())
                .isEqualTo(offline(telemetry, policies, cfg));
    }

    /** Produces the telemetry (Kafka timestamp = event time, as a service would) plus bad records; returns where each bad one went. */
    private Map<String, String> produce(JobConfig cfg, String asrTopic, String ttsTopic, List<SpecificRecord> telemetry)
            throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("acks", "all");
        p.put("linger.ms", "10");
        p.put("batch.size", Integer.toString(256 * 1024));
        Map<String, String> bad = new TreeMap<>();
        try (SchemaRegistry registry = new SchemaRegistry(cfg.registryClientSettings());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            int asrId = registry.register(asrTopic + "-value", AsrRequest.getClassSchema());
            int ttsId = registry.register(ttsTopic + "-value", TtsRequest.getClassSchema());
            ConfluentWire wire = new ConfluentWire();
            for (SpecificRecord r : telemetry) {
                boolean asr = r instanceof AsrRequest;
                String service = asr ? ((AsrRequest) r).getService() : ((TtsRequest) r).getService();
                producer.send(new ProducerRecord<>(asr ? asrTopic : ttsTopic, null, Traffic.eventTime(r),
                        service.getBytes(StandardCharsets.UTF_8), wire.encode(asr ? asrId : ttsId, r)));
            }
            long ts = T0 + 30 * 60_000L;
            AsrRequest valid = (AsrRequest) telemetry.stream().filter(r -> r instanceof AsrRequest).findFirst().orElseThrow();
            byte[] good = wire.encode(asrId, valid);
            byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
            byte[] unknownId = good.clone();
            ByteBuffer.wrap(unknownId).putInt(1, 99_999);
            AsrRequest negative = AsrRequest.newBuilder(valid).setAudioMs(-5).build();
            AsrRequest blank = AsrRequest.newBuilder(valid).setRegion(" ").build();
            AsrRequest future = AsrRequest.newBuilder(valid).setEventTime(Instant.ofEpochMilli(ts + 3 * 3_600_000L)).build();
            AsrRequest nul = AsrRequest.newBuilder(valid).setService("asr\u0000prod").build(); // would split the job's keys
            Object[][] cases = {
                {new byte[] {7, 1, 2, 3}, "bad_magic_byte"},
                {unknownId, "unknown_schema_id"},
                {truncated, "undecodable"},
                {wire.encode(asrId, negative), "invalid_value"},
                {wire.encode(asrId, blank), "empty_dimension"},
                {wire.encode(asrId, nul), "bad_dimension"},
                {wire.encode(asrId, future), "future_timestamp"},
            };
            for (Object[] c : cases) {
                var meta = producer.send(new ProducerRecord<>(asrTopic, 0, ts, null, (byte[]) c[0])).get();
                bad.put(asrTopic + "/" + meta.partition() + "/" + meta.offset(), (String) c[1]);
            }
            producer.flush();
        }
        return bad;
    }

    /** A pool's samples every 15 s for 10 minutes, and privacy events: labelling accesses and one review without opt-in. */
    private void produceInputs(JobConfig cfg, String servingTopic, String privacyTopic) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("acks", "all");
        try (SchemaRegistry registry = new SchemaRegistry(cfg.registryClientSettings());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            int servingId = registry.register(servingTopic + "-value", io.speechslo.telemetry.ServingSample.getClassSchema());
            int privacyId = registry.register(privacyTopic + "-value", io.speechslo.telemetry.PrivacyEvent.getClassSchema());
            ConfluentWire wire = new ConfluentWire();
            for (int i = 0; i < 40; i++) {
                long t = T0 + i * 15_000L;
                producer.send(new ProducerRecord<>(servingTopic, null, t, null, wire.encode(servingId,
                        io.speechslo.testing.TelemetrySamples.serving(i, Instant.ofEpochMilli(t)).setService("asr-healthy").build())));
                if (i % 4 == 0) {
                    producer.send(new ProducerRecord<>(privacyTopic, null, t, null, wire.encode(privacyId,
                            io.speechslo.testing.TelemetrySamples.privacy(i, Instant.ofEpochMilli(t)).setService("asr-healthy").build())));
                }
            }
            long t = T0 + 5 * 60_000L + 30_000;
            producer.send(new ProducerRecord<>(privacyTopic, null, t, null, wire.encode(privacyId,
                    io.speechslo.testing.TelemetrySamples.privacy(99, Instant.ofEpochMilli(t)).setService("asr-healthy")
                            .setPurpose(io.speechslo.telemetry.AccessPurpose.REVIEW).setOptedIn(false).build())));
            producer.send(new ProducerRecord<>(privacyTopic, null, t, null, wire.encode(privacyId,
                    io.speechslo.telemetry.PrivacyEvent.newBuilder().setEventTime(Instant.ofEpochMilli(t))
                            .setService("asr-healthy").setKind(io.speechslo.telemetry.PrivacyEventKind.RETENTION)
                            .setRetentionDue(10).setRetentionDone(7).build())));
            producer.send(new ProducerRecord<>(privacyTopic, null, t, null, wire.encode(privacyId,
                    io.speechslo.telemetry.PrivacyEvent.newBuilder().setEventTime(Instant.ofEpochMilli(t))
                            .setService("asr-healthy").setKind(io.speechslo.telemetry.PrivacyEventKind.FIXTURE_RUN)
                            .setFixtureSet("synthetic").setFixtureSlicesCovered(20).setFixtureSlicesTotal(24).build())));
            producer.flush();
        }
    }

    private <T extends SpecificRecord> List<T> readAll(String topic, Class<T> type) {
        return readAll(topic, type, new ArrayList<>());
    }

    /** Also collects each record's replay header (null where it has none). */
    private <T extends SpecificRecord> List<T> readAll(String topic, Class<T> type, List<String> replayMarks) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("group.id", "reader-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            int idle = 0;
            while (idle < 6) {
                var records = c.poll(Duration.ofMillis(500));
                idle = records.isEmpty() ? idle + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    assertThat(r.value()[0]).isEqualTo(ConfluentWire.MAGIC_BYTE);
                    var mark = r.headers().lastHeader(KafkaIO.REPLAY_HEADER);
                    replayMarks.add(mark == null ? null : new String(mark.value(), StandardCharsets.UTF_8));
                    try {
                        out.add(reader.read(null, DecoderFactory.get().binaryDecoder(r.value(), 5, r.value().length - 5, null)));
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                }
            }
        }
        return out;
    }

    private static List<String> offline(List<SpecificRecord> telemetry, PolicyBundle policies, JobConfig cfg)
            throws Exception {
        List<Ingested> input = new ArrayList<>();
        for (int i = 0; i < telemetry.size(); i++) {
            input.add(Ingested.of(telemetry.get(i), "memory", 0, i));
        }
        return Pipelines.run(input, policies, new org.apache.flink.configuration.Configuration(),
                TopologySettings.from(cfg)).advisories().stream().map(Advisory::getAdvisoryId).sorted()
                .collect(Collectors.toList());
    }
}
