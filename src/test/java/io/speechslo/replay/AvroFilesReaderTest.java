package io.speechslo.replay;

import io.speechslo.bytes.Utf8Interner;
import io.speechslo.fixtures.Requests;
import io.speechslo.job.Ingested;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.TtsRequest;
import io.speechslo.testing.TelemetrySamples;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.core.io.InputStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The file reader on its own: per-file outputs, order, dead letters and checkpointed positions. */
class AvroFilesReaderTest {

    @TempDir
    Path dir;

    /** {@code n} ASR records, one a second from {@code start}; the one at {@code bad} has a negative audio_ms. */
    static List<AsrRequest> asr(String prefix, long start, int n, int bad) {
        return IntStream.range(0, n).mapToObj(i -> Requests.asr().setRequestId(prefix + i)
                .setEventTime(Instant.ofEpochMilli(start + i * 1000L)).setAudioMs(i == bad ? -5 : 4000).build())
                .collect(Collectors.toList());
    }

    List<TelemetryFile> files() throws Exception {
        ContainerFiles.write(dir.resolve("a.avro"), asr("a", 10_000, 50, 7), CodecFactory.deflateCodec(1));
        ContainerFiles.write(dir.resolve("b.avro"), asr("b", 0, 30, -1), CodecFactory.nullCodec());
        TtsRequest tts = Requests.tts().setRequestId("t0").setEventTime(Instant.ofEpochMilli(500_000)).build();
        ContainerFiles.write(dir.resolve("c.avro"), List.of(tts), CodecFactory.nullCodec());
        return ReplayCommand.files(List.of(dir.toString()));
    }

    @Test
    void primesEveryFileThenMergesByEventTimeEachFileInOrder() throws Exception {
        List<TelemetryFile> files = files();
        assertThat(files).extracting(TelemetryFile::records).containsExactly(50L, 30L, 1L);
        AvroFilesReader reader = new AvroFilesReader(null);
        reader.addSplits(files.stream().map(f -> new AvroFileSplit(f.path().toString(), 0)).toList());
        reader.notifyNoMoreSplits();
        Output out = new Output();
        drain(reader, out, Integer.MAX_VALUE);
        reader.close();

        // every file gets its own output, and emits its first record, before anything else is emitted
        assertThat(out.created).hasSize(3);
        assertThat(out.emitted.subList(0, 3)).extracting(e -> id(e.element)).containsExactly("a0", "b0", "t0");
        // then the earliest next record of any file
        List<String> rest = out.emitted.subList(3, out.emitted.size()).stream().map(e -> id(e.element)).toList();
        assertThat(rest.subList(0, 9)).containsExactly("b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9");
        assertThat(out.emitted).hasSize(81);
        assertThat(out.released).containsExactlyInAnyOrderElementsOf(out.created);
        // each file in file order, through its own output
        for (String file : out.created) {
            List<Long> offsets = out.emitted.stream().filter(e -> e.split.equals(file)).map(e -> e.element.offset).toList();
            assertThat(offsets).isSorted().doesNotHaveDuplicates().first().isEqualTo(0L);
        }
        Ingested dead = out.emitted.stream().filter(e -> e.element.isDead()).findFirst().orElseThrow().element;
        assertThat(out.emitted.stream().filter(e -> e.element.isDead())).hasSize(1);
        assertThat(dead.dead.getSourceTopic()).isEqualTo("file:" + dir.resolve("a.avro").toAbsolutePath());
        assertThat(dead.dead.getOffset()).isEqualTo(7);
        assertThat(dead.dead.getReason()).isEqualTo("invalid_value");
        assertThat(dead.dead.getDetail()).contains("audio_ms");
        assertThat(dead.dead.getRecordTimestamp()).isNull();
    }

    @Test
    void filesOfExactlyOurSchemaAreReadFieldByFieldAndAnyOtherThroughAvroToTheSameRecords() throws Exception {
        List<AsrRequest> asr = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            AsrRequest.Builder b = Requests.asr().setRequestId("r" + i).setEventTime(Instant.ofEpochMilli(i * 1000L))
                    .setAudioMs(1000 + i).setRegion(i % 2 == 0 ? "eu-west-1" : "日本-east");
            if (i % 3 == 0) {
                b.setFirstPartialMs(null).setConfidence(null).setCostUsd(null);
            } else {
                b.setFirstPartialMs((long) i).setConfidence(i / 40f).setCostUsd(i * 1e-4);
            }
            asr.add(b.build());
        }
        TtsRequest tts = Requests.tts().setRequestId("t").setPreference(null).setFirstAudioMs(7L).build();
        Schema newer = ContainerFiles.with(AsrRequest.getClassSchema(),
                new Schema.Field("mic_count", Schema.create(Schema.Type.INT), null, 1));
        ContainerFiles.write(dir.resolve("ours.avro"), asr, CodecFactory.deflateCodec(1));
        ContainerFiles.write(dir.resolve("tts.avro"), List.of(tts), CodecFactory.nullCodec());
        ContainerFiles.write(dir.resolve("newer.avro"), newer, asr, CodecFactory.nullCodec(), g -> g.put("mic_count", 3));

        assertThat(readAll(dir.resolve("ours.avro"), true)).isEqualTo(asr);
        assertThat(readAll(dir.resolve("tts.avro"), true)).containsExactly(tts);
        assertThat(readAll(dir.resolve("newer.avro"), false)).isEqualTo(asr);
    }

    @Test
    void filesOfServingSamplesAndPrivacyEventsAreReadIntoIngestedMergedByTheirTimes() throws Exception {
        List<ServingSample> samples = IntStream.range(0, 6).mapToObj(i -> TelemetrySamples
                .serving(i, Instant.ofEpochMilli(5_000 + i * 15_000L)).setGpuUtil(i == 4 ? 1.5f : 0.5f).build()).toList();
        List<PrivacyEvent> events = IntStream.range(0, 3).mapToObj(i -> TelemetrySamples
                .privacy(i, Instant.ofEpochMilli(20_000 + i * 30_000L)).build()).toList();
        ContainerFiles.write(dir.resolve("serving-samples.avro"), samples, CodecFactory.deflateCodec(1));
        ContainerFiles.write(dir.resolve("privacy-events.avro"), events, CodecFactory.nullCodec());
        // an older writer of serving samples, before scale_up_requested_at: read with the default
        Schema older = ContainerFiles.without(ServingSample.getClassSchema(), "scale_up_requested_at");
        ContainerFiles.write(dir.resolve("older/serving.avro"), older, samples.subList(0, 2), CodecFactory.nullCodec(),
                g -> {});
        ContainerFiles.write(dir.resolve("asr.avro"), asr("a", 0, 10, -1), CodecFactory.nullCodec());

        List<TelemetryFile> files = ReplayCommand.files(List.of(dir.toString()));
        assertThat(files).extracting(f -> f.path().getFileName().toString() + " " + f.recordClass().getSimpleName()
                + " " + f.records()).containsExactly("asr.avro AsrRequest 10", "serving.avro ServingSample 2",
                        "privacy-events.avro PrivacyEvent 3", "serving-samples.avro ServingSample 6");
        AvroFilesReader reader = new AvroFilesReader(null);
        reader.addSplits(files.stream().map(f -> new AvroFileSplit(f.path().toString(), 0)).toList());
        reader.notifyNoMoreSplits();
        Output out = new Output();
        drain(reader, out, Integer.MAX_VALUE);
        reader.close();

        assertThat(out.emitted).hasSize(10 + 2 + 3 + 6);
        String servingFile = dir.resolve("serving-samples.avro").toAbsolutePath().toString();
        List<Ingested> fromServing = out.emitted.stream().filter(e -> e.split.equals(servingFile)).map(Emitted::element)
                .toList();
        // the sample with gpu_util 1.5 is a dead letter like any invalid record; the others arrive as they were
        assertThat(fromServing).filteredOn(Ingested::isDead).singleElement().satisfies(d -> {
            assertThat(d.dead.getReason()).isEqualTo("invalid_value");
            assertThat(d.dead.getDetail()).contains("gpu_util is 1.5");
            assertThat(d.offset).isEqualTo(4);
        });
        assertThat(fromServing).filteredOn(i -> !i.isDead()).extracting(i -> i.serving)
                .containsExactly(samples.get(0), samples.get(1), samples.get(2), samples.get(3), samples.get(5));
        assertThat(out.emitted).filteredOn(e -> e.element.privacy != null).extracting(e -> e.element.privacy)
                .containsExactlyElementsOf(events);
        assertThat(out.emitted).filteredOn(e -> e.split.contains("older")).extracting(e -> e.element.serving)
                .containsExactly(ServingSample.newBuilder(samples.get(0)).setScaleUpRequestedAt(null).build(),
                        ServingSample.newBuilder(samples.get(1)).setScaleUpRequestedAt(null).build());
        // after every file's first record, the earliest next record of any file: by sample and event time
        List<Long> times = out.emitted.subList(4, out.emitted.size()).stream()
                .filter(e -> !e.element.isDead()).map(e -> e.element.eventTime()).toList();
        assertThat(times).isSorted();
    }

    @Test
    void aFileOfAnotherRecordIsRefusedNamingWhatAFileMayHold() throws Exception {
        Schema payment = SchemaBuilder.record("Payment").namespace("com.example").fields().requiredString("id").endRecord();
        Path file = dir.resolve("payments.avro");
        try (var w = new org.apache.avro.file.DataFileWriter<org.apache.avro.generic.GenericRecord>(
                new org.apache.avro.generic.GenericDatumWriter<>(payment))) {
            w.create(payment, file.toFile());
            GenericData.Record r = new GenericData.Record(payment);
            r.put("id", "p-1");
            w.append(r);
        }
        assertThatThrownBy(() -> TelemetryFile.inspect(file)).isInstanceOf(TelemetryFileException.class)
                .hasMessageContaining("holds com.example.Payment records, not io.speechslo.telemetry.AsrRequest, "
                        + "io.speechslo.telemetry.TtsRequest, io.speechslo.telemetry.ServingSample or "
                        + "io.speechslo.telemetry.PrivacyEvent");
    }

    /** Every record of a file through the replay's datum reader, which reads field by field or not as told. */
    private static List<SpecificRecord> readAll(Path file, boolean fieldByField) throws Exception {
        TelemetryFile.TelemetryDatumReader datum = new TelemetryFile.TelemetryDatumReader(file, new Utf8Interner());
        List<SpecificRecord> out = new ArrayList<>();
        try (DataFileReader<SpecificRecord> reader = new DataFileReader<>(file.toFile(), datum)) {
            assertThat(datum.readsFieldByField()).as(file + " read field by field").isEqualTo(fieldByField);
            while (reader.hasNext()) {
                out.add(reader.next());
            }
        }
        return out;
    }

    @Test
    void repeatedShortValuesComeBackAsOneSharedStringAndIdsAsThemselves() throws Exception {
        AvroFilesReader reader = new AvroFilesReader(null);
        reader.addSplits(files().stream().map(f -> new AvroFileSplit(f.path().toString(), 0)).toList());
        reader.notifyNoMoreSplits();
        Output out = new Output();
        drain(reader, out, Integer.MAX_VALUE);
        reader.close();
        List<AsrRequest> asr = out.emitted.stream().filter(e -> e.element.asr != null).map(e -> e.element.asr).toList();
        assertThat(asr).hasSize(79);
        AsrRequest first = asr.get(0);
        for (AsrRequest r : asr) {
            // the pre-aggregator's keys then compare these by identity
            assertThat(r.getService()).isSameAs(first.getService());
            assertThat(r.getModelVersion()).isSameAs(first.getModelVersion());
            assertThat(r.getRegion()).isSameAs(first.getRegion());
            assertThat(r.getAcousticCondition()).isSameAs(first.getAcousticCondition());
        }
        assertThat(asr).extracting(AsrRequest::getRequestId).doesNotHaveDuplicates().contains("a0", "a49", "b29");
    }

    @Test
    void aRestoredReaderContinuesWhereTheCheckpointWas() throws Exception {
        List<TelemetryFile> files = files();
        List<AvroFileSplit> splits = files.stream().map(f -> new AvroFileSplit(f.path().toString(), 0)).toList();

        AvroFilesReader full = new AvroFilesReader(null);
        full.addSplits(splits);
        full.notifyNoMoreSplits();
        Output all = new Output();
        drain(full, all, Integer.MAX_VALUE);
        full.close();

        AvroFilesReader first = new AvroFilesReader(null);
        first.addSplits(splits);
        first.notifyNoMoreSplits();
        Output before = new Output();
        drain(first, before, 20);
        List<AvroFileSplit> state = first.snapshotState(1);
        first.close();
        // the finished one-record file is gone; the others stand at what each has emitted
        assertThat(state).extracting(AvroFileSplit::path).containsExactlyInAnyOrder(
                files.get(0).path().toString(), files.get(1).path().toString());
        for (AvroFileSplit s : state) {
            assertThat(s.recordsRead()).isPositive()
                    .isEqualTo(before.emitted.stream().filter(e -> e.split.equals(s.path())).count());
        }

        AvroFilesReader restored = new AvroFilesReader(null);
        restored.addSplits(state);
        restored.notifyNoMoreSplits();
        Output after = new Output();
        drain(restored, after, Integer.MAX_VALUE);
        restored.close();

        List<String> resumed = new ArrayList<>();
        before.emitted.forEach(e -> resumed.add(e.split + "#" + e.element.offset));
        after.emitted.forEach(e -> resumed.add(e.split + "#" + e.element.offset));
        assertThat(resumed).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(all.emitted.stream().map(e -> e.split + "#" + e.element.offset).toList());
        // and the split state survives its checkpoint serialization
        AvroFileSplit.ListSerializer ser = new AvroFileSplit.ListSerializer();
        assertThat(ser.deserialize(ser.getVersion(), ser.serialize(state))).isEqualTo(state);
    }

    @Test
    void waitsForSplitsAndEndsOnlyAfterNoMoreSplits() throws Exception {
        AvroFilesReader reader = new AvroFilesReader(null);
        Output out = new Output();
        assertThat(reader.pollNext(out)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
        assertThat(reader.isAvailable()).isNotDone();
        reader.notifyNoMoreSplits();
        assertThat(reader.isAvailable()).isDone();
        assertThat(reader.pollNext(out)).isEqualTo(InputStatus.END_OF_INPUT);
        reader.close();
    }

    private static void drain(AvroFilesReader reader, Output out, int max) throws Exception {
        while (out.emitted.size() < max && reader.pollNext(out) == InputStatus.MORE_AVAILABLE) {
            // keep polling
        }
    }

    private static String id(Ingested i) {
        return i.isDead() ? "dead@" + i.offset : i.asr != null ? i.asr.getRequestId()
                : i.tts != null ? i.tts.getRequestId() : i.record().toString();
    }

    record Emitted(String split, Ingested element) {}

    /** Records what a reader emits and through which split output. */
    static final class Output implements ReaderOutput<Ingested> {
        final List<Emitted> emitted = new ArrayList<>();
        final List<String> created = new ArrayList<>();
        final List<String> released = new ArrayList<>();

        @Override
        public void collect(Ingested record) {
            throw new AssertionError("records must go through their split's output");
        }

        @Override
        public void collect(Ingested record, long timestamp) {
            collect(record);
        }

        @Override
        public void emitWatermark(Watermark watermark) {}

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}

        @Override
        public SourceOutput<Ingested> createOutputForSplit(String splitId) {
            created.add(splitId);
            return new SourceOutput<>() {
                @Override
                public void collect(Ingested record) {
                    emitted.add(new Emitted(splitId, record));
                }

                @Override
                public void collect(Ingested record, long timestamp) {
                    collect(record);
                }

                @Override
                public void emitWatermark(Watermark watermark) {}

                @Override
                public void markIdle() {}

                @Override
                public void markActive() {}
            };
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            released.add(splitId);
        }
    }
}
