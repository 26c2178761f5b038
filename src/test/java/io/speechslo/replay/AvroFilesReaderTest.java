package io.speechslo.replay;

import io.speechslo.bytes.Utf8Interner;
import io.speechslo.fixtures.Requests;
import io.speechslo.job.Ingested;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.Schema;
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
        return i.isDead() ? "dead@" + i.offset : i.asr != null ? i.asr.getRequestId() : i.tts.getRequestId();
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
