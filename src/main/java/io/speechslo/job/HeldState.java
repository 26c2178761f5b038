package io.speechslo.job;

import org.apache.flink.api.common.state.MapState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A keyed map state whose values are held as objects between checkpoints instead of read from and
 * written to the backend at every access. A backend that keeps state as bytes (RocksDB) otherwise
 * deserializes and serializes a value at every pane that changes it, however large it is (an SLO
 * monitor keeps an hour of 1-second panes; a service's minute of bad counts has every slice); held, a
 * value is read once after a flush and written once at the next. The operator running the function
 * flushes before every checkpoint's barrier (so every checkpoint and savepoint holds every change, and
 * a restore starts from state with nothing held), at the end of the input, and at the end of a
 * watermark step once more values are held than the state allows, which bounds the heap they take. On
 * the heap backend the objects are those of the state itself.
 *
 * <p>The function {@link HoldsState}. Every access names the key it is for, which must be the current
 * key of the keyed state; a value read is held (and written back) whether or not it was changed, as a
 * value changed in place on the heap backend is.
 */
final class HeldState<K extends Comparable<K>, V> implements HoldsState.Held {

    private final MapState<K, V> state;
    /** Values held at most, across keys, before the end of a watermark step flushes them. */
    private final int maxHeld;
    /** Per key, the values held: null for one removed since the last flush. */
    private final Map<String, Map<K, V>> byKey = new HashMap<>();
    /**
     * Per key, the names state had when first listed since the last flush: state changes only at a
     * flush, so listing them once spares a backend scan (a RocksDB iterator) at every pane.
     */
    private final Map<String, List<K>> inState = new HashMap<>();

    /** @param maxHeld values held at most, across keys, before the end of a watermark step flushes them */
    HeldState(MapState<K, V> state, int maxHeld) {
        this.state = state;
        this.maxHeld = maxHeld;
    }

    private Map<K, V> held(String key) {
        return byKey.computeIfAbsent(key, k -> new HashMap<>());
    }

    V get(String key, K k) throws Exception {
        Map<K, V> held = held(key);
        if (held.containsKey(k)) {
            return held.get(k);
        }
        V v = state.get(k);
        if (v != null) {
            held.put(k, v);
        }
        return v;
    }

    void put(String key, K k, V v) {
        held(key).put(k, v);
    }

    void remove(String key, K k) {
        held(key).put(k, null);
    }

    /** The names with a value, in order. */
    TreeSet<K> keys(String key) throws Exception {
        Map<K, V> held = held(key);
        List<K> stored = inState.get(key);
        if (stored == null) {
            stored = new ArrayList<>();
            for (K k : state.keys()) {
                stored.add(k);
            }
            inState.put(key, stored);
        }
        TreeSet<K> keys = new TreeSet<>();
        for (K k : stored) {
            if (!held.containsKey(k)) {
                keys.add(k);
            }
        }
        held.forEach((k, v) -> {
            if (v != null) {
                keys.add(k);
            }
        });
        return keys;
    }

    /** Every value, in order of its name (each is held from then on). */
    TreeMap<K, V> entries(String key) throws Exception {
        TreeMap<K, V> all = new TreeMap<>();
        for (K k : keys(key)) {
            all.put(k, get(key, k));
        }
        return all;
    }

    /** Whether more values are held (removals included) than the state allows. */
    @Override
    public boolean full() {
        int held = 0;
        for (Map<K, V> values : byKey.values()) {
            held += values.size();
        }
        return held > maxHeld;
    }

    /**
     * Writes every held value back to state (removes those removed) and forgets them: for each key,
     * {@code setKey} makes it the current key first.
     */
    @Override
    public void flush(Consumer<String> setKey) throws Exception {
        for (Map.Entry<String, Map<K, V>> e : byKey.entrySet()) {
            setKey.accept(e.getKey());
            for (Map.Entry<K, V> v : e.getValue().entrySet()) {
                if (v.getValue() == null) {
                    state.remove(v.getKey());
                } else {
                    state.put(v.getKey(), v.getValue());
                }
            }
        }
        byKey.clear();
        inState.clear();
    }
}
