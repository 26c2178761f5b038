package io.speechslo.cli;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryJson;
import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Finding;
import io.speechslo.config.JobConfig;
import io.speechslo.kafka.ConfluentWire;
import io.speechslo.registry.SchemaRegistry;

import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

/**
 * {@code tail [--json] [--from-now] [--max N] [--config FILE] [--set KEY=VALUE ...]}: follows the
 * advisories topic (read committed) and prints one line per advisory: event time, service, version,
 * decision, summary and the worst finding; {@code --json} prints the JSON form instead. It reads from
 * the beginning of the topic unless {@code --from-now}, and never commits offsets.
 */
final class TailCommand {

    private TailCommand() {}

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = Args.parse("tail", argv, Set.of("config", "set", "max"), Set.of("json", "from-now"));
        JobConfig cfg = JobConfig.load(args.one("tail", "config").map(java.nio.file.Path::of), args.all("set"));
        long max = args.longValue("tail", "max", Long.MAX_VALUE);
        boolean json = args.has("json");
        Properties p = cfg.kafkaClientProperties();
        p.setProperty("group.id", "speech-slo-advisor-tail-" + UUID.randomUUID());
        p.setProperty("enable.auto.commit", "false");
        p.setProperty("isolation.level", "read_committed");
        p.setProperty("auto.offset.reset", args.has("from-now") ? "latest" : "earliest");
        Map<Integer, SpecificDatumReader<Advisory>> readers = new HashMap<>();
        long shown = 0;
        try (SchemaRegistry registry = new SchemaRegistry(cfg.registryClientSettings());
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(cfg.topics().advisories()));
            BinaryDecoder decoder = null;
            while (shown < max) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    byte[] v = r.value();
                    if (v == null || v.length < ConfluentWire.HEADER_LENGTH || v[0] != ConfluentWire.MAGIC_BYTE) {
                        err.println("skipping a record that is not in the wire format at " + r.topic() + "/"
                                + r.partition() + "/" + r.offset());
                        continue;
                    }
                    int id = ByteBuffer.wrap(v, 1, 4).getInt();
                    SpecificDatumReader<Advisory> reader = readers.computeIfAbsent(id,
                            k -> new SpecificDatumReader<>(registry.schemaById(k), Advisory.getClassSchema()));
                    decoder = DecoderFactory.get().binaryDecoder(v, ConfluentWire.HEADER_LENGTH,
                            v.length - ConfluentWire.HEADER_LENGTH, decoder);
                    Advisory a;
                    try {
                        a = reader.read(null, decoder);
                    } catch (IOException | RuntimeException e) {
                        err.println("cannot decode " + r.topic() + "/" + r.partition() + "/" + r.offset() + ": " + e);
                        continue;
                    }
                    out.println(json ? AdvisoryJson.toJson(a) : line(a));
                    out.flush();
                    if (++shown >= max) {
                        break;
                    }
                }
            }
        }
        return 0;
    }

    /** One readable line: time, service, version, decision, summary, worst finding. */
    static String line(Advisory a) {
        StringBuilder sb = new StringBuilder();
        sb.append(Instant.ofEpochMilli(a.getWindowEnd())).append("  ")
                .append(a.getKind()).append(' ')
                .append(a.getService()).append(' ')
                .append(a.getModelVersion() == null ? "-" : a.getModelVersion()).append("  ")
                .append(a.getDecision()).append("  ")
                .append(a.getSummary());
        Finding worst = worst(a);
        if (worst != null) {
            sb.append("  | ").append(worst.getMetric()).append(' ').append(worst.getSlice().isEmpty()
                    ? "{whole service}" : worst.getSlice().toString())
                    .append(' ').append(worst.getReason())
                    .append(": ").append(fmt(worst.getValue())).append(" vs ").append(fmt(worst.getBaseline()))
                    .append(" (limit ").append(fmt(worst.getLimit())).append(", n=").append(worst.getSamples()).append(')');
        }
        return sb.toString();
    }

    /** The first finding whose action is the advisory's decision, else the first finding. */
    private static Finding worst(Advisory a) {
        for (Finding f : a.getFindings()) {
            if (f.getAction().name().equals(a.getDecision().name())) {
                return f;
            }
        }
        return a.getFindings().isEmpty() ? null : a.getFindings().get(0);
    }

    private static String fmt(Double d) {
        return d == null ? "n/a" : Advisories.fmt(d);
    }
}
