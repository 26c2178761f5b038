package io.speechslo.replay;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryJson;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.fixtures.Traffic;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code replay} end to end: telemetry written as container files (several per signal, as a sink
 * writing per partition would), replayed through the live topology on an embedded MiniCluster.
 */
class ReplayITCase {

    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final int BAD_EVERY = 25_000;

    @TempDir
    static Path dir;

    static long total;
    static long bad;

    @BeforeAll
    static void telemetryFiles() throws Exception {
        List<SpecificRecord> records = Traffic.healthyRegressingBurning(17, T0, 200, 300);
        List<List<AsrRequest>> asr = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<List<TtsRequest>> tts = List.of(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < records.size(); i++) {
            SpecificRecord r = records.get(i);
            if (r instanceof AsrRequest a) {
                if (i % BAD_EVERY == 0) {
                    a.setAudioMs(-1L); // a dead letter
                    bad++;
                }
                asr.get(i % 3).add(a);
            } else {
                tts.get(i % 2).add((TtsRequest) r);
            }
        }
        total = records.size();

        // current schema; a partition per file, like a sink writing per topic partition
        for (int p = 0; p < asr.size(); p++) {
            ContainerFiles.write(dir.resolve("current/asr/part-" + p + ".avro"), asr.get(p), CodecFactory.nullCodec());
        }
        for (int p = 0; p < tts.size(); p++) {
            ContainerFiles.write(dir.resolve("current/tts/part-" + p + ".avro"), tts.get(p), CodecFactory.deflateCodec(1));
        }

        // the same records by an older ASR writer (no "confidence", which the fixture leaves null) and a
        // newer TTS writer (an extra field with a default)
        Schema olderAsr = ContainerFiles.without(AsrRequest.getClassSchema(), "confidence");
        Schema newerTts = ContainerFiles.with(TtsRequest.getClassSchema(),
                new Schema.Field("gpu_pool", Schema.create(Schema.Type.STRING), "added later", "shared"));
        for (int p = 0; p < asr.size(); p++) {
            ContainerFiles.write(dir.resolve("evolved/asr/part-" + p + ".avro"), olderAsr, asr.get(p),
                    CodecFactory.nullCodec(), g -> {});
        }
        for (int p = 0; p < tts.size(); p++) {
            ContainerFiles.write(dir.resolve("evolved/tts/part-" + p + ".avro"), newerTts, tts.get(p),
                    CodecFactory.nullCodec(), g -> g.put("gpu_pool", "a100"));
        }
    }

    record Result(int exit, String out, String err) {}

    static Result replay(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ReplayCommand.run(List.of(argv), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void replaysFilesIntoTheSameAdvisoriesWhateverTheParallelismRunOrWriterSchema() throws Exception {
        Path first = dir.resolve("first.jsonl");
        Result run = replay("--input", dir.resolve("current/asr").toString(), "--input",
                dir.resolve("current/tts").toString(), "--out", first.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains(String.format(Locale.ROOT, "%,d events from 5 files", total))
                .contains(String.format(Locale.ROOT, "%,d dead letters", bad));

        List<String> lines = Files.readAllLines(first);
        List<Advisory> advisories = lines.stream().map(AdvisoryJson::fromJson).toList();
        assertThat(advisories).isNotEmpty();
        assertThat(advisories).isSortedAccordingTo(Replay.OUTPUT_ORDER);
        assertThat(advisories.stream().map(AdvisoryJson::toJson).toList()).isEqualTo(lines);
        assertThat(advisories).anySatisfy(a -> {
            assertThat(a.getKind()).isEqualTo(AdvisoryKind.ROLLOUT);
            assertThat(a.getDecision()).isEqualTo(Decision.ROLLBACK);
            assertThat(a.getService()).isEqualTo("asr-regress");
            assertThat(a.getRollbackTo()).isEqualTo("v1");
        });
        assertThat(advisories).anySatisfy(a -> {
            assertThat(a.getKind()).isEqualTo(AdvisoryKind.BURN_RATE);
            assertThat(a.getDecision()).isEqualTo(Decision.PAGE);
            assertThat(a.getService()).isEqualTo("tts-burn");
        });
        assertThat(advisories).filteredOn(a -> a.getService().equals("asr-healthy"))
                .extracting(Advisory::getDecision).doesNotContain(Decision.ROLLBACK, Decision.PAGE);
        assertThat(run.err()).contains("ROLLOUT").contains("ROLLBACK=").contains("PAGE=");

        // the same files again, one reader for all files, and the files listed one by one in another order
        Path again = dir.resolve("again.jsonl");
        assertThat(replay("--input", dir.resolve("current").toString(), "--out", again.toString()).exit()).isZero();
        Path serial = dir.resolve("serial.jsonl");
        assertThat(replay("--parallelism", "1", "--out", serial.toString(),
                "--input", dir.resolve("current/tts/part-1.avro").toString(),
                "--input", dir.resolve("current/asr/part-2.avro").toString(),
                "--input", dir.resolve("current").toString()).exit()).isZero();
        // older and newer writer schemas, read with schema resolution
        Path evolved = dir.resolve("evolved.jsonl");
        Result evolvedRun = replay("--input", dir.resolve("evolved").toString(), "--out", evolved.toString());
        assertThat(evolvedRun.exit()).as(evolvedRun.err()).isZero();

        for (Path other : List.of(again, serial, evolved)) {
            List<String> otherLines = Files.readAllLines(other);
            // first the decisions and their evidence, so a failure says what differs
            assertThat(otherLines.stream().map(ReplayITCase::decisions).toList()).as(other.toString())
                    .isEqualTo(lines.stream().map(ReplayITCase::decisions).toList());
            // then every byte, advisory ids included. This needs sums that do not depend on the order records
            // arrive in across parallel channels: RatioStat and FeatureHistogram must sum exactly (order-free)
            assertThat(otherLines).as(other + ": byte-identical (if only the last digits of values differ, a sum"
                    + " depends on arrival order: see RatioStat / FeatureHistogram)").isEqualTo(lines);
        }
    }

    @Test
    void badArgumentsExitTwoNamingTheFlagOrFile() throws Exception {
        String input = dir.resolve("current/asr").toString();
        String out = dir.resolve("unused.jsonl").toString();

        Result unknown = replay("--input", input, "--out", out, "--speed", "fast");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("--speed");

        Result noOut = replay("--input", input);
        assertThat(noOut.exit()).isEqualTo(2);
        assertThat(noOut.err()).contains("--out");

        Result noInput = replay("--out", out);
        assertThat(noInput.exit()).isEqualTo(2);
        assertThat(noInput.err()).contains("--input");

        String missing = dir.resolve("nowhere/part-9.avro").toString();
        Result absent = replay("--input", missing, "--out", out);
        assertThat(absent.exit()).isEqualTo(2);
        assertThat(absent.err()).contains(missing);

        Path other = dir.resolve("other/clicks.avro");
        Files.createDirectories(other.getParent());
        Schema clicks = SchemaBuilder.record("Click").namespace("com.example").fields().requiredLong("at").endRecord();
        writeGeneric(other, clicks, new GenericData.Record(clicks) {
            {
                put("at", 1L);
            }
        });
        Result notTelemetry = replay("--input", input, "--input", other.getParent().toString(), "--out", out);
        assertThat(notTelemetry.exit()).isEqualTo(2);
        assertThat(notTelemetry.err()).contains(other.toString()).contains("com.example.Click");

        Path text = dir.resolve("text/notes.avro");
        Files.createDirectories(text.getParent());
        Files.writeString(text, "these are not Avro records\n");
        Result notAvro = replay("--input", text.toString(), "--out", out);
        assertThat(notAvro.exit()).isEqualTo(2);
        assertThat(notAvro.err()).contains(text.toString()).contains("not an Avro object container file");

        Path truncated = dir.resolve("truncated/part-0.avro");
        Files.createDirectories(truncated.getParent());
        byte[] whole = Files.readAllBytes(dir.resolve("current/tts/part-0.avro"));
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 100));
        Result cut = replay("--input", truncated.toString(), "--out", out);
        assertThat(cut.exit()).isEqualTo(2);
        assertThat(cut.err()).contains(truncated.toString());

        // an ASR schema whose "language" is a number cannot be read as ours
        Path incompatible = dir.resolve("incompatible/part-0.avro");
        Files.createDirectories(incompatible.getParent());
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : AsrRequest.getClassSchema().getFields()) {
            fields.add(f.name().equals("language") ? new Schema.Field("language", Schema.create(Schema.Type.INT))
                    : new Schema.Field(f, f.schema()));
        }
        Schema numericLanguage = Schema.createRecord("AsrRequest", null, "io.speechslo.telemetry", false, fields);
        writeGeneric(incompatible, numericLanguage);
        Result wrongType = replay("--input", incompatible.toString(), "--out", out);
        assertThat(wrongType.exit()).isEqualTo(2);
        assertThat(wrongType.err()).contains(incompatible.toString()).contains("'language'");

        Result badConfig = replay("--input", input, "--out", out, "--config", dir.resolve("no-such-job").toString());
        assertThat(badConfig.exit()).isEqualTo(2);
        assertThat(badConfig.err()).contains("no-such-job");

        Result badParallelism = replay("--input", input, "--out", out, "--parallelism", "0");
        assertThat(badParallelism.exit()).isEqualTo(2);
        assertThat(badParallelism.err()).contains("--parallelism");

        Result outFolder = replay("--input", input, "--out", dir.resolve("missing-folder/a.jsonl").toString());
        assertThat(outFolder.exit()).isEqualTo(2);
        assertThat(outFolder.err()).contains("--out");

        assertThat(Path.of(out)).doesNotExist();
    }

    /** An advisory without its id and with every number at 9 significant digits. */
    private static String decisions(String line) {
        Advisory a = AdvisoryJson.fromJson(line);
        StringBuilder b = new StringBuilder().append(a.getKind()).append(' ').append(a.getDecision()).append(' ')
                .append(a.getService()).append(' ').append(a.getModelVersion()).append(' ').append(a.getSlo())
                .append(' ').append(a.getWindowEnd()).append(' ').append(round(a.getLongBurnRate()));
        a.getFindings().forEach(f -> b.append(" | ").append(f.getMetric()).append(f.getSlice()).append(' ')
                .append(f.getAction()).append(' ').append(f.getReason()).append(' ').append(round(f.getValue()))
                .append(' ').append(round(f.getBaseline())).append(' ').append(f.getSamples()));
        return b.toString();
    }

    private static String round(Double v) {
        return v == null ? "null" : String.format(Locale.ROOT, "%.9g", v);
    }

    private static void writeGeneric(Path file, Schema schema, GenericRecord... records) throws Exception {
        try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
            w.create(schema, file.toFile());
            for (GenericRecord r : records) {
                w.append(r);
            }
        }
    }
}
