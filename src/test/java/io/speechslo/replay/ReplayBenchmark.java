package io.speechslo.replay;

import io.speechslo.advisory.Advisory;
import io.speechslo.deadletter.DeadLetter;
import io.speechslo.fixtures.Traffic;
import io.speechslo.job.Ingested;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Track;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Replay speed against the physical limit: a plain single-threaded DataFileReader decoding the same
 * files. Not a test; run by hand:
 * {@code java -cp target/classes:target/test-classes:CP io.speechslo.replay.ReplayBenchmark DIR MINUTES [PARALLELISM]}
 * writes telemetry (about 1,500 records a minute) into DIR as 4 ASR and 2 TTS files and reports
 * records/s for the plain decode, the file source alone, and the full replay.
 */
public final class ReplayBenchmark {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int minutes = Integer.parseInt(args[1]);
        int parallelism = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        long t0 = 1_767_225_600_000L;
        List<SpecificRecord> records = new Traffic(5)
                .asr("asr-a", "v1", Track.STABLE, t0, minutes, 500, 1.0, 0)
                .asr("asr-a", "v2", Track.CANARY, t0, minutes, 300, 1.2, 0)
                .asr("asr-b", "v7", Track.STABLE, t0, minutes, 300, 1.0, 0.001)
                .tts("tts-a", "t1", Track.STABLE, t0, minutes, 400, 0.002)
                .records();
        List<List<SpecificRecord>> asr = new ArrayList<>();
        List<List<SpecificRecord>> tts = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            asr.add(new ArrayList<>());
        }
        for (int p = 0; p < 2; p++) {
            tts.add(new ArrayList<>());
        }
        for (int i = 0; i < records.size(); i++) {
            (records.get(i) instanceof AsrRequest ? asr.get(i % 4) : tts.get(i % 2)).add(records.get(i));
        }
        for (int p = 0; p < 4; p++) {
            ContainerFiles.write(dir.resolve("asr/part-" + p + ".avro"), asr.get(p), CodecFactory.deflateCodec(1));
        }
        for (int p = 0; p < 2; p++) {
            ContainerFiles.write(dir.resolve("tts/part-" + p + ".avro"), tts.get(p), CodecFactory.deflateCodec(1));
        }
        records = null;
        asr = null;
        tts = null;
        List<TelemetryFile> files = ReplayCommand.files(List.of(dir.toString()));
        long total = files.stream().mapToLong(TelemetryFile::records).sum();

        double plain = 0;
        for (int round = 0; round < 3; round++) { // the best of three, the first warms up the JIT
            long start = System.nanoTime();
            long decoded = 0;
            for (TelemetryFile f : files) {
                try (DataFileReader<SpecificRecord> r = new DataFileReader<>(f.path().toFile(),
                        new TelemetryFile.TelemetryDatumReader(f.path()))) {
                    while (r.hasNext()) {
                        r.next(null);
                        decoded++;
                    }
                }
            }
            plain = Math.max(plain, decoded / seconds(start));
        }

        long start = System.nanoTime();
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        env.fromSource(new AvroFilesSource(files, null), WatermarkStrategy.<Ingested>noWatermarks(), "files")
                .sinkTo(new DiscardingSink<>());
        env.execute("source only");
        double sourceOnly = total / seconds(start);

        start = System.nanoTime();
        try (InProcessSink<Advisory> advisories = new InProcessSink<>(a -> {});
                InProcessSink<DeadLetter> dead = new InProcessSink<>(d -> {})) {
            Replay.run(new AvroFilesSource(files, null), advisories, dead, PolicyLoader.bundleDefaults(),
                    Replay.Settings.of(parallelism));
        }
        double replay = total / seconds(start);

        System.out.printf(Locale.ROOT, "%,d records in %d files (%,d bytes), parallelism %d%n", total, files.size(),
                files.stream().mapToLong(f -> f.path().toFile().length()).sum(), parallelism);
        System.out.printf(Locale.ROOT, "plain DataFileReader, 1 thread: %,.0f records/s%n", plain);
        System.out.printf(Locale.ROOT, "file source only (MiniCluster): %,.0f records/s (%.2f of plain)%n", sourceOnly,
                sourceOnly / plain);
        System.out.printf(Locale.ROOT, "full replay (MiniCluster):      %,.0f records/s (%.3f of plain)%n", replay,
                replay / plain);
        Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
