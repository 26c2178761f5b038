package io.speechslo.job;

import org.apache.flink.api.common.state.ValueState;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A keyed value state held as an object between checkpoints, as {@link HeldState} holds a map state's
 * values: read from the backend once after a flush, changed in place, written back when the operator
 * flushes (before every checkpoint barrier, at the end of the input, and at the end of a watermark step
 * once more keys are held than the state allows). On RocksDB a release gate's rollout tracker (both
 * arms' metric sets per slice over the gate window) was otherwise read, rolled up and written back at
 * every gate interval of every service. On the heap backend the objects are those of the state itself.
 *
 * <p>Every access names the key it is for, which must be the current key of the keyed state; a value
 * read is held (and written back) whether or not it was changed.
 */
final class HeldValue<V> implements HoldsState.Held {

    private final ValueState<V> state;
    /** Keys held at most before the end of a watermark step flushes them. */
    private final int maxHeld;
    /** Per key, the value held: null for one cleared since the last flush. */
    private final Map<String, V> byKey = new HashMap<>();

    /** @param maxHeld keys held at most before the end of a watermark step flushes them */
    HeldValue(ValueState<V> state, int maxHeld) {
        this.state = state;
        this.maxHeld = maxHeld;
    }

    V value(String key) throws Exception {
        if (byKey.containsKey(key)) {
            return byKey.get(key);
        }
        V v = state.value();
        if (v != null) {
            byKey.put(key, v);
        }
        return v;
    }

    void update(String key, V v) {
        byKey.put(key, v);
    }

    void clear(String key) {
        byKey.put(key, null);
    }

    @Override
    public boolean full() {
        return byKey.size() > maxHeld;
    }

    @Override
    public void flush(Consumer<String> setKey) throws Exception {
        for (Map.Entry<String, V> e : byKey.entrySet()) {
            setKey.accept(e.getKey());
            if (e.getValue() == null) {
                state.clear();
            } else {
                state.update(e.getValue());
            }
        }
        byKey.clear();
    }
}
