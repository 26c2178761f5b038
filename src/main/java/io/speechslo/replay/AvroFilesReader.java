package io.speechslo.replay;

import io.speechslo.bytes.Utf8Interner;
import io.speechslo.job.Ingested;
import io.speechslo.kafka.DeadLetters;
import io.speechslo.kafka.Rejection;
import io.speechslo.kafka.TelemetryValidator;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.core.io.InputStatus;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/**
 * Reads its files, each strictly in file order, through one per-split output each, so every file has
 * its own watermark and the reader's watermark is the minimum over the files not yet finished.
 *
 * <p>Why the result does not depend on which reader got which file: all files arrive before anything
 * is emitted (see {@link AvroFilesEnumerator}); when a file is opened its first record is emitted at
 * once, which sets that file's watermark to just behind where the file starts; after that the reader
 * always emits the earliest next record among its files (a merge by event time). So the watermark
 * never passes a record of a file that is still being read unless that file itself is out of order by
 * more than the allowed out-of-orderness, and the merge keeps the state downstream to the span of
 * event time the files overlap in, rather than buffering whole files.
 *
 * <p>Files of serving samples and privacy events are read like request files (merged by sample or
 * event time) and their records leave as {@link Ingested#serving} and {@link Ingested#privacy}.
 *
 * <p>Records that fail {@link TelemetryValidator} become dead letters with topic {@code file:<path>},
 * partition 0 and offset = the record's index in the file. Reads happen on the task thread: the files
 * are local, and a block is decoded in memory.
 */
final class AvroFilesReader implements SourceReader<Ingested, AvroFileSplit> {

    /** Counted reads are published to the progress counter in batches of this many. */
    private static final int PROGRESS_BATCH = 4096;

    private static final Comparator<OpenFile> EARLIEST_NEXT =
            Comparator.comparingLong((OpenFile f) -> f.headTime).thenComparing(f -> f.split.path());

    private final TelemetryValidator validator = TelemetryValidator.withDefaults();
    /** Short strings of every file this reader reads, shared: one slice value, one String. */
    private final Utf8Interner strings = new Utf8Interner();
    private final String progressKey;
    private final List<AvroFileSplit> added = new ArrayList<>();
    private final PriorityQueue<OpenFile> open = new PriorityQueue<>(EARLIEST_NEXT);
    private boolean noMoreSplits;
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private long unpublished;

    /** @param progressKey where to count records read ({@link ReplayProgress}), or null */
    AvroFilesReader(String progressKey) {
        this.progressKey = progressKey;
    }

    @Override
    public void start() {}

    @Override
    public InputStatus pollNext(ReaderOutput<Ingested> output) throws IOException {
        if (!added.isEmpty()) {
            for (AvroFileSplit split : added) {
                OpenFile f = OpenFile.open(split, output.createOutputForSplit(split.splitId()), strings);
                if (f.head != null) {
                    emit(f);
                }
                requeueOrFinish(f, output);
            }
            added.clear();
        } else {
            OpenFile f = open.poll();
            if (f != null) {
                emit(f);
                requeueOrFinish(f, output);
            }
        }
        if (!open.isEmpty() || !added.isEmpty()) {
            return InputStatus.MORE_AVAILABLE;
        }
        if (noMoreSplits) {
            publishProgress();
            return InputStatus.END_OF_INPUT;
        }
        if (available.isDone()) {
            available = new CompletableFuture<>();
        }
        return InputStatus.NOTHING_AVAILABLE;
    }

    private void emit(OpenFile f) throws IOException {
        SpecificRecord record = f.head;
        long index = f.read;
        Optional<Rejection> rejection = validator.validate(record, -1);
        Ingested out = rejection.isPresent()
                ? Ingested.dead(DeadLetters.of(f.topic, 0, index, null, null, rejection.get().reason(),
                        rejection.get().detail(), null, -1))
                : Ingested.of(record, f.topic, 0, index);
        f.output.collect(out);
        f.read++;
        f.advance();
        if (++unpublished >= PROGRESS_BATCH) {
            publishProgress();
        }
    }

    private void requeueOrFinish(OpenFile f, ReaderOutput<Ingested> output) throws IOException {
        if (f.head != null) {
            open.add(f);
        } else {
            f.reader.close();
            output.releaseOutputForSplit(f.split.splitId());
        }
    }

    private void publishProgress() {
        if (progressKey != null && unpublished > 0) {
            ReplayProgress.add(progressKey, unpublished);
        }
        unpublished = 0;
    }

    @Override
    public List<AvroFileSplit> snapshotState(long checkpointId) {
        List<AvroFileSplit> state = new ArrayList<>(added);
        for (OpenFile f : open) {
            state.add(f.split.at(f.read));
        }
        return state;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return available;
    }

    @Override
    public void addSplits(List<AvroFileSplit> splits) {
        added.addAll(splits);
        available.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {
        noMoreSplits = true;
        available.complete(null);
    }

    @Override
    public void close() throws IOException {
        publishProgress();
        IOException first = null;
        for (OpenFile f : open) {
            try {
                f.reader.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }

    /** A file being read: its reader, the next record (already decoded) and how many were emitted. */
    private static final class OpenFile {
        final AvroFileSplit split;
        final String topic;
        final DataFileReader<SpecificRecord> reader;
        final SourceOutput<Ingested> output;
        SpecificRecord head;
        long headTime;
        long read;

        private OpenFile(AvroFileSplit split, DataFileReader<SpecificRecord> reader, SourceOutput<Ingested> output) {
            this.split = split;
            this.topic = "file:" + split.path();
            this.reader = reader;
            this.output = output;
        }

        static OpenFile open(AvroFileSplit split, SourceOutput<Ingested> output, Utf8Interner strings)
                throws IOException {
            File file = new File(split.path());
            DataFileReader<SpecificRecord> reader = new DataFileReader<>(file,
                    new TelemetryFile.TelemetryDatumReader(file.toPath(), strings));
            OpenFile f = new OpenFile(split, reader, output);
            SpecificRecord skipped = null;
            for (f.read = 0; f.read < split.recordsRead(); f.read++) {
                skipped = f.next(skipped);
                if (skipped == null) {
                    reader.close();
                    throw new IOException(split.path() + ": has " + f.read + " records, fewer than the "
                            + split.recordsRead() + " the checkpoint says were read");
                }
            }
            f.advance();
            return f;
        }

        /** Decodes the record at index {@link #read} into {@link #head}; null at the end of the file. */
        void advance() throws IOException {
            head = next(null);
            if (head != null) {
                headTime = io.speechslo.kafka.TelemetryRecords.eventTime(head);
            }
        }

        private SpecificRecord next(SpecificRecord reuse) throws IOException {
            try {
                return reader.hasNext() ? reader.next(reuse) : null;
            } catch (AvroRuntimeException e) {
                throw new IOException(split.path() + ": cannot decode record " + read + ": " + e.getMessage(), e);
            }
        }
    }
}
