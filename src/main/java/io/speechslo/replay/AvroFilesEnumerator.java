package io.speechslo.replay;

import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hands every file to a reader as soon as that reader registers, all at once, then tells it there is
 * no more: file i (in path order) goes to subtask i mod parallelism. A reader therefore knows all its
 * files from the start and holds the watermark back for each until it is read to the end (see
 * {@link AvroFilesReader}); no file starts after the watermark has moved past its records.
 */
final class AvroFilesEnumerator implements SplitEnumerator<AvroFileSplit, List<AvroFileSplit>> {

    private final SplitEnumeratorContext<AvroFileSplit> context;
    private final Map<Integer, List<AvroFileSplit>> pending = new TreeMap<>();

    AvroFilesEnumerator(SplitEnumeratorContext<AvroFileSplit> context, List<AvroFileSplit> splits) {
        this.context = context;
        int parallelism = context.currentParallelism();
        for (int i = 0; i < splits.size(); i++) {
            pending.computeIfAbsent(i % parallelism, k -> new ArrayList<>()).add(splits.get(i));
        }
    }

    @Override
    public void start() {
        for (int subtask : context.registeredReaders().keySet()) {
            assign(subtask);
        }
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        // splits are pushed on registration, never requested
    }

    @Override
    public void addSplitsBack(List<AvroFileSplit> splits, int subtaskId) {
        // the reader failed: it gets the same files back, at their checkpointed position, when it re-registers
        pending.computeIfAbsent(subtaskId, k -> new ArrayList<>()).addAll(splits);
    }

    @Override
    public void addReader(int subtaskId) {
        assign(subtaskId);
    }

    private void assign(int subtask) {
        List<AvroFileSplit> splits = pending.remove(subtask);
        if (splits != null && !splits.isEmpty()) {
            context.assignSplits(new SplitsAssignment<>(Map.of(subtask, splits)));
        }
        context.signalNoMoreSplits(subtask);
    }

    @Override
    public List<AvroFileSplit> snapshotState(long checkpointId) {
        List<AvroFileSplit> all = new ArrayList<>();
        pending.values().forEach(all::addAll);
        return all;
    }

    @Override
    public void close() {}
}
