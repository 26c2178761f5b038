package io.speechslo.bench;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.cli.Args;
import io.speechslo.config.JobConfig;
import io.speechslo.job.StreamingJob;
import io.speechslo.kafka.ConfluentWire;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Advisory latency, live: the job (unbounded, {@link StreamingJob#define}, MiniCluster at parallelism 2)
 * reads a steady generated load (bench-fleet records re-stamped with event time = Kafka timestamp =
 * wall-clock time, {@code --rate} records/s) from a real broker. R probes are injected, each into a
 * service of its own: {@code --preamble} seconds of healthy ASR traffic (1/{@value #PROBE_STRIDE} of the
 * load each), then every request of that service ends in ERROR (a failed deployment), which makes the
 * ASR availability SLO page within about a second of its first error at the default rate. Measured per
 * probe: wall-clock time from handing the first ERROR record to the producer to the BURN_RATE PAGE for
 * that service being readable with read_committed. Probes start {@code --spacing} seconds apart plus a
 * phase of up to {@value #PHASE_SPAN_MILLIS} ms ({@link #phase}), so their first errors fall at different
 * points of the burn pane and of the checkpoint interval. Repeated for each checkpoint interval.
 *
 * <p>Also reported: the designed floor (the first burn pane end after the first error, plus the
 * watermark's out-of-orderness bound, minus the first error's time: no implementation of this design
 * could be faster) and the time beyond the watermark (advisory readable minus its window_end plus the
 * out-of-orderness bound: processing, the checkpoint that commits the transaction, and the consumer's
 * fetch).
 */
final class LatencyBench {

    static final String NAME = "latency";
    static final int PARALLELISM = 2;
    /** Each active probe gets one record in this many. */
    static final int PROBE_STRIDE = 50;
    /** Probe starts are spread over this much on top of their spacing (a multiple of every burn pane up to 5 s). */
    static final long PHASE_SPAN_MILLIS = 10_000;

    private LatencyBench() {}

    static void run(List<String> argv, String label) throws Exception {
        Args args = Args.parse(NAME, argv, Set.of("rate", "repeats", "intervals", "spacing", "warmup", "preamble",
                "timeout", "set", "label"), Set.of());
        int rate = (int) args.longValue(NAME, "rate", 5_000);
        int repeats = (int) args.longValue(NAME, "repeats", 20);
        List<Long> intervals = List.of(args.one(NAME, "intervals").orElse("1,5,10").split(",")).stream()
                .map(Long::parseLong).toList();
        Duration spacing = Duration.ofSeconds(args.longValue(NAME, "spacing", 13));
        Duration warmup = Duration.ofSeconds(args.longValue(NAME, "warmup", 60));
        Duration preamble = Duration.ofSeconds(args.longValue(NAME, "preamble", 60));
        Duration timeout = Duration.ofSeconds(args.longValue(NAME, "timeout", 300));
        // job configuration overrides, as the job's own --set (e.g. event-time.max-out-of-orderness=500ms,
        // policies.dir=DIR for another burn pane)
        List<String> sets = args.all("set");
        Results results = new Results(NAME, argv, label);
        results.parameter("rate_per_s", rate).parameter("repeats", repeats).parameter("checkpoint_intervals_s", intervals)
                .parameter("spacing_s", spacing.toSeconds()).parameter("warmup_s", warmup.toSeconds())
                .parameter("preamble_s", preamble.toSeconds()).parameter("probe_share", 1.0 / PROBE_STRIDE)
                .parameter("parallelism", PARALLELISM).parameter("set", sets);
        List<SpecificRecord> templates = templates();
        try (KafkaStack stack = new KafkaStack()) {
            for (long interval : intervals) {
                System.out.printf("latency: checkpoint interval %d s, %d probes, %,d records/s%n", interval, repeats, rate);
                results.figure("interval_" + interval + "s", measure(stack, templates, interval, sets, rate, repeats,
                        spacing, warmup, preamble, timeout));
            }
        }
        results.write();
    }

    /**
     * How far probe {@code r} starts after its whole-second slot: spread over {@value #PHASE_SPAN_MILLIS}
     * ms by the golden ratio's fractional multiples, so the first errors fall all over a burn pane and a
     * checkpoint interval. Whole-second spacing alone put every first error at the same point of a 1 s
     * burn pane, and the p99 then never saw a first error that had to wait for a whole pane.
     */
    static long phase(int r) {
        double golden = (Math.sqrt(5) - 1) / 2;
        double f = r * golden - Math.floor(r * golden);
        return Math.round(f * PHASE_SPAN_MILLIS);
    }

    /** 20,000 bench-fleet records to cycle through (re-stamped as they are sent). */
    private static List<SpecificRecord> templates() {
        List<SpecificRecord> out = new ArrayList<>();
        Workload.records(Workload.scenario(20_000), 20_000).forEachRemaining(out::add);
        return out;
    }

    private static Map<String, Object> measure(KafkaStack stack, List<SpecificRecord> templates, long interval,
            List<String> sets, int rate, int repeats, Duration spacing, Duration warmup, Duration preamble, Duration timeout) throws Exception {
        KafkaStack.Topics topics = stack.topics(NAME);
        List<String> overrides = new ArrayList<>(sets);
        overrides.add("checkpoint.interval=" + interval + "s");
        JobConfig cfg = stack.config(topics, overrides);
        long outOfOrderness = cfg.eventTime().maxOutOfOrderness().toMillis();
        long burnPane = StreamingJob.policies(cfg).policies().burn().pane().toMillis();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(StreamingJob.flinkConfiguration(cfg));
        env.setParallelism(PARALLELISM);
        StreamingJob.define(env, cfg, StreamingJob.policies(cfg), OffsetsInitializer.earliest(), Optional.empty());
        JobClient job = env.executeAsync("bench-latency-" + interval + "s");

        long startMillis = System.currentTimeMillis();
        List<Probe> probes = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            long burst = startMillis + warmup.toMillis() + preamble.toMillis() + r * spacing.toMillis() + phase(r);
            probes.add(new Probe("probe-" + topics.run() + "-" + r, burst - preamble.toMillis(), burst,
                    burst + timeout.toMillis()));
        }
        Watcher watcher = new Watcher(stack, topics.advisories(), probes);
        Load load = new Load(stack, topics, templates, rate, probes);
        Thread watching = new Thread(watcher, "latency-watcher");
        Thread loading = new Thread(load, "latency-load");
        watching.start();
        loading.start();
        try {
            long end = probes.get(probes.size() - 1).deadline + 5_000;
            while (System.currentTimeMillis() < end && probes.stream().anyMatch(p -> p.pagedNanos == 0)) {
                if (load.failure.get() != null) {
                    throw new IllegalStateException("the load generator failed", load.failure.get());
                }
                if (watcher.failure.get() != null) {
                    throw new IllegalStateException("the advisory watcher failed", watcher.failure.get());
                }
                if (job.getJobStatus().get().isGloballyTerminalState()) {
                    throw new IllegalStateException("the job ended: " + job.getJobStatus().get());
                }
                Thread.sleep(500);
            }
        } finally {
            load.stop = true;
            watcher.stop = true;
            loading.join(30_000);
            watching.join(30_000);
            job.cancel().get(60, TimeUnit.SECONDS);
        }

        List<Double> latencies = new ArrayList<>();
        List<Double> beyondWatermark = new ArrayList<>();
        List<Double> floors = new ArrayList<>();
        int missing = 0;
        for (Probe p : probes) {
            if (p.pagedNanos == 0 || p.firstErrorNanos == 0) {
                missing++;
                continue;
            }
            latencies.add((p.pagedNanos - p.firstErrorNanos) / 1e9);
            beyondWatermark.add((p.pagedMillis - (p.windowEnd + outOfOrderness)) / 1e3);
            long paneEnd = Math.floorDiv(p.firstErrorMillis, burnPane) * burnPane + burnPane;
            floors.add((paneEnd + outOfOrderness - p.firstErrorMillis) / 1e3);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("latency_median_s", quantile(latencies, 0.5));
        m.put("latency_p99_s", quantile(latencies, 0.99));
        m.put("designed_floor_median_s", quantile(floors, 0.5));
        m.put("beyond_watermark_median_s", quantile(beyondWatermark, 0.5));
        m.put("beyond_watermark_max_s", quantile(beyondWatermark, 1.0));
        m.put("latencies_s", latencies);
        m.put("designed_floors_s", floors);
        m.put("beyond_watermark_s", beyondWatermark);
        m.put("pages_missing", missing);
        m.put("records_sent", load.sent);
        m.put("load_rate_achieved_per_s", load.sent / Math.max(1e-3, (load.stoppedMillis - load.startedMillis) / 1e3));
        return m;
    }

    /** Nearest-rank quantile (p99 of 10 values is the largest); NaN when empty. */
    static double quantile(List<Double> values, double q) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
    }

    /** One injected regression in a service of its own. */
    static final class Probe {
        final String service;
        final long fromMillis;
        final long burstMillis;
        final long deadline;
        volatile long firstErrorNanos;
        volatile long firstErrorMillis;
        volatile long pagedNanos;
        volatile long pagedMillis;
        volatile long windowEnd;

        Probe(String service, long fromMillis, long burstMillis, long deadline) {
            this.service = service;
            this.fromMillis = fromMillis;
            this.burstMillis = burstMillis;
            this.deadline = deadline;
        }

        boolean active(long now) {
            return now >= fromMillis && now < deadline && pagedNanos == 0;
        }
    }

    /** Sends {@code rate} records a second, event time = timestamp = now, with the active probes' share. */
    static final class Load implements Runnable {
        private final KafkaStack stack;
        private final KafkaStack.Topics topics;
        private final List<SpecificRecord> templates;
        private final int rate;
        private final List<Probe> probes;
        final AtomicReference<Exception> failure = new AtomicReference<>();
        volatile boolean stop;
        volatile long sent;
        volatile long startedMillis;
        volatile long stoppedMillis;

        Load(KafkaStack stack, KafkaStack.Topics topics, List<SpecificRecord> templates, int rate, List<Probe> probes) {
            this.stack = stack;
            this.topics = topics;
            this.templates = templates;
            this.rate = rate;
            this.probes = probes;
        }

        @Override
        public void run() {
            try (KafkaStack.Wire wire = stack.wire(topics);
                    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(stack.producerProperties(),
                            new ByteArraySerializer(), new ByteArraySerializer())) {
                AsrRequest probeTemplate = (AsrRequest) templates.stream().filter(r -> r instanceof AsrRequest)
                        .findFirst().orElseThrow();
                long start = System.nanoTime();
                startedMillis = System.currentTimeMillis();
                long n = 0;
                while (!stop) {
                    long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
                    if (n >= due) {
                        Thread.sleep(2);
                        continue;
                    }
                    long now = System.currentTimeMillis();
                    List<Probe> active = probes.stream().filter(p -> p.active(now)).toList();
                    for (; n < due && !stop; n++) {
                        int slot = (int) (n % PROBE_STRIDE);
                        SpecificRecord r;
                        if (slot < active.size()) {
                            Probe p = active.get(slot);
                            boolean error = now >= p.burstMillis;
                            AsrRequest a = AsrRequest.newBuilder(probeTemplate).setService(p.service)
                                    .setEventTime(Instant.ofEpochMilli(now)).setOutcome(error ? Outcome.ERROR : Outcome.OK)
                                    .build();
                            if (error && p.firstErrorNanos == 0) {
                                p.firstErrorMillis = now;
                                p.firstErrorNanos = System.nanoTime();
                            }
                            r = a;
                        } else {
                            r = templates.get((int) (n % templates.size()));
                            if (r instanceof AsrRequest a) {
                                a.setEventTime(Instant.ofEpochMilli(now));
                            } else {
                                ((TtsRequest) r).setEventTime(Instant.ofEpochMilli(now));
                            }
                        }
                        producer.send(wire.record(r), (meta, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
                    }
                    sent = n;
                }
                stoppedMillis = System.currentTimeMillis();
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    /** Reads advisories read_committed and notes when each probe's first PAGE became readable. */
    static final class Watcher implements Runnable {
        private final KafkaStack stack;
        private final String topic;
        private final Map<String, Probe> probes = new ConcurrentHashMap<>();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        volatile boolean stop;

        Watcher(KafkaStack stack, String topic, List<Probe> probes) {
            this.stack = stack;
            this.topic = topic;
            probes.forEach(p -> this.probes.put(p.service, p));
        }

        @Override
        public void run() {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker.bootstrapServers());
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            SpecificDatumReader<Advisory> reader = new SpecificDatumReader<>(Advisory.class);
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                        .map(i -> new TopicPartition(topic, i.partition())).toList();
                c.assign(partitions);
                c.seekToBeginning(partitions);
                while (!stop) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                        long nanos = System.nanoTime();
                        long millis = System.currentTimeMillis();
                        byte[] v = r.value();
                        Advisory a = reader.read(null, DecoderFactory.get().binaryDecoder(v, ConfluentWire.HEADER_LENGTH,
                                v.length - ConfluentWire.HEADER_LENGTH, null));
                        Probe probe = probes.get(a.getService());
                        if (probe != null && a.getKind() == AdvisoryKind.BURN_RATE && a.getDecision() == Decision.PAGE
                                && probe.pagedNanos == 0) {
                            probe.windowEnd = a.getWindowEnd();
                            probe.pagedMillis = millis;
                            probe.pagedNanos = nanos;
                            System.out.printf("  %s paged %.1f s after its first error (window_end %s)%n", probe.service,
                                    (nanos - probe.firstErrorNanos) / 1e9, Instant.ofEpochMilli(a.getWindowEnd()));
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }
    }
}
