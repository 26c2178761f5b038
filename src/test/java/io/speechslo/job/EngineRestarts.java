package io.speechslo.job;

import io.speechslo.advisory.Advisory;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stops an engine function mid-stream and restores it from its snapshot into a fresh harness and a
 * fresh function, on the heap or the RocksDB state backend, then checks that it goes on exactly as the
 * one that kept running: same advisories, same state entries, same timers.
 */
final class EngineRestarts {

    /** The state backends the engines must survive a restore on. */
    enum Backend {
        HEAP, ROCKSDB
    }

    /** One step of input: elements and watermarks handed to a harness. */
    interface Step<IN> {
        void run(KeyedOneInputStreamOperatorTestHarness<String, IN, Advisory> h) throws Exception;
    }

    private EngineRestarts() {}

    /** A harness for the function, not yet opened, on the given backend (RocksDB keeps its files under dir). */
    static KeyedOneInputStreamOperatorTestHarness<String, PaneRecord, Advisory> harness(
            SliceEngineFunction function, Backend backend, Path dir) throws Exception {
        return harness(function, PaneRecord::serviceKey, backend, dir);
    }

    /** The operator the topology runs the function in: one that writes held state back. */
    static <IN> OneInputStreamOperator<IN, Advisory> operator(EngineFunction<IN> function) {
        return new HeldStateOperator<>(function);
    }

    /** An open harness (heap backend) running {@code function} as the topology does ({@link HeldStateOperator}). */
    static <IN, OUT, F extends KeyedProcessFunction<String, IN, OUT> & HoldsState>
            KeyedOneInputStreamOperatorTestHarness<String, IN, OUT> open(F function, KeySelector<IN, String> key)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, IN, OUT> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new HeldStateOperator<IN, OUT>(function), key, Types.STRING);
        h.open();
        return h;
    }

    /** A harness for the function keyed by {@code key}, not yet opened, on the given backend. */
    static <IN> KeyedOneInputStreamOperatorTestHarness<String, IN, Advisory> harness(
            EngineFunction<IN> function, KeySelector<IN, String> key, Backend backend, Path dir) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, IN, Advisory> h = new KeyedOneInputStreamOperatorTestHarness<>(
                operator(function), key, Types.STRING);
        if (backend == Backend.ROCKSDB) {
            EmbeddedRocksDBStateBackend rocks = new EmbeddedRocksDBStateBackend();
            rocks.setDbStoragePath(dir.toString());
            h.setStateBackend(rocks);
        } else {
            h.setStateBackend(new HashMapStateBackend());
        }
        return h;
    }

    /**
     * Runs {@code steps} on one function, snapshotting after the first {@code cut} of them, restores that
     * snapshot into a fresh function that runs the rest, and asserts that both give the same advisories
     * after the cut (at least {@code expectedAfterCut} of them) and end with the same timers and the same
     * keys holding each of the named states.
     *
     * @return the advisories after the cut
     */
    static <IN> List<Advisory> assertRestoreChangesNothing(Supplier<? extends EngineFunction<IN>> function,
            KeySelector<IN, String> key, Backend backend, Path dir, List<Step<IN>> steps, int cut,
            int expectedAfterCut, String... states) throws Exception {
        OperatorSubtaskState snapshot;
        List<Advisory> kept;
        Map<String, List<String>> keys;
        int timers;
        try (var h = harness(function.get(), key, backend, dir.resolve("kept"))) {
            h.open();
            for (Step<IN> s : steps.subList(0, cut)) {
                s.run(h);
            }
            h.prepareSnapshotPreBarrier(1); // as a task does before every snapshot
            snapshot = h.snapshot(1, 0);
            int before = h.extractOutputValues().size();
            for (Step<IN> s : steps.subList(cut, steps.size())) {
                s.run(h);
            }
            List<Advisory> all = h.extractOutputValues();
            kept = all.subList(before, all.size());
            keys = keys(h, states);
            timers = h.numEventTimeTimers();
        }
        try (var h = harness(function.get(), key, backend, dir.resolve("restored"))) {
            h.initializeState(snapshot);
            h.open();
            for (Step<IN> s : steps.subList(cut, steps.size())) {
                s.run(h);
            }
            assertThat(kept).hasSizeGreaterThanOrEqualTo(expectedAfterCut);
            assertThat(h.extractOutputValues()).isEqualTo(kept);
            assertThat(keys(h, states)).isEqualTo(keys);
            assertThat(h.numEventTimeTimers()).isEqualTo(timers);
        }
        return kept;
    }

    /** The keys holding each state (numKeyedStateEntries is not there on RocksDB). */
    private static Map<String, List<String>> keys(
            KeyedOneInputStreamOperatorTestHarness<String, ?, Advisory> h, String... states) {
        KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
        Map<String, List<String>> keys = new TreeMap<>();
        for (String state : states) {
            try (Stream<String> s = backend.getKeys(state, VoidNamespace.INSTANCE)) {
                keys.put(state, s.sorted().toList());
            }
        }
        return keys;
    }

    /** The value of a value state of one key, as the backend holds it. */
    static <V> V value(KeyedOneInputStreamOperatorTestHarness<String, ?, ?> h, String key,
            ValueStateDescriptor<V> descriptor) throws Exception {
        KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(key);
        ValueState<V> state = backend.getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
        return state.value();
    }
}
