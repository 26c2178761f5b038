package io.speechslo.replay;

import io.speechslo.job.Ingested;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.List;

/**
 * A bounded FLIP-27 source of telemetry from Avro object container files: one split per file, each
 * read in order from its checkpointed position, one watermark per file. Records become
 * {@code Ingested.of(record, "file:" + path, 0, index)}; records that fail validation become dead
 * letters at the same coordinates. Which reader gets which file does not change the advisories (see
 * {@link AvroFilesReader}).
 */
public final class AvroFilesSource
        implements Source<Ingested, AvroFileSplit, List<AvroFileSplit>>, ResultTypeQueryable<Ingested> {

    private static final long serialVersionUID = 1L;

    private final List<AvroFileSplit> splits;
    private final String progressKey;

    /**
     * @param files the files, in the order they are dealt out to readers (checked with {@link TelemetryFile#inspect})
     * @param progress counts records read, or null
     */
    public AvroFilesSource(List<TelemetryFile> files, ReplayProgress progress) {
        this.splits = files.stream().map(f -> new AvroFileSplit(f.path().toString(), 0)).toList();
        if (splits.stream().map(AvroFileSplit::path).distinct().count() != splits.size()) {
            throw new IllegalArgumentException("a file is listed twice: " + splits);
        }
        this.progressKey = progress == null ? null : progress.key();
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<Ingested, AvroFileSplit> createReader(SourceReaderContext readerContext) {
        return new AvroFilesReader(progressKey);
    }

    @Override
    public SplitEnumerator<AvroFileSplit, List<AvroFileSplit>> createEnumerator(
            SplitEnumeratorContext<AvroFileSplit> enumContext) {
        return new AvroFilesEnumerator(enumContext, splits);
    }

    @Override
    public SplitEnumerator<AvroFileSplit, List<AvroFileSplit>> restoreEnumerator(
            SplitEnumeratorContext<AvroFileSplit> enumContext, List<AvroFileSplit> checkpoint) {
        return new AvroFilesEnumerator(enumContext, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<AvroFileSplit> getSplitSerializer() {
        return new AvroFileSplit.Serializer();
    }

    @Override
    public SimpleVersionedSerializer<List<AvroFileSplit>> getEnumeratorCheckpointSerializer() {
        return new AvroFileSplit.ListSerializer();
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return TypeInformation.of(Ingested.class);
    }
}
