package io.speechslo.job;

import org.apache.flink.api.common.state.MapState;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * An engine's monitors of each key, held as objects between checkpoints instead of read from and
 * written to keyed state at every pane. A backend that keeps state as bytes (RocksDB) otherwise
 * deserializes and serializes every monitor at every evaluation, its whole history with it (an SLO
 * monitor keeps an hour of 1-second panes and days of minutes); held, a monitor is read once after a
 * flush and written once at the next. {@link BurnRateOperator} flushes before every checkpoint's
 * barrier (so every checkpoint and savepoint holds every change, and a restore starts from state,
 * nothing held), at the end of the input, and at the end of a watermark step once more than
 * {@link #MAX_HELD} monitors are held, which bounds the heap they take. On the heap backend the
 * objects are those of the state itself.
 */
final class HeldMonitors<V> {

    /** Monitors held at most, across keys, before the end of a watermark step flushes them. */
    static final int MAX_HELD = 1_000;

    private final MapState<String, V> state;
    /** Per key: its monitors by name, and the names state holds for it (to remove what went). */
    private final Map<String, Held<V>> byKey = new HashMap<>();

    private record Held<V>(TreeMap<String, V> monitors, Set<String> stored) {}

    HeldMonitors(MapState<String, V> state) {
        this.state = state;
    }

    /**
     * The monitors of {@code key}, the current key of the keyed state, by name: read from state at its
     * first use after a flush, then changed in place (put, remove) until the next flush writes them back.
     */
    TreeMap<String, V> of(String key) throws Exception {
        Held<V> held = byKey.get(key);
        if (held == null) {
            TreeMap<String, V> read = new TreeMap<>();
            for (Map.Entry<String, V> e : state.entries()) {
                read.put(e.getKey(), e.getValue());
            }
            held = new Held<>(read, new HashSet<>(read.keySet()));
            byKey.put(key, held);
        }
        return held.monitors();
    }

    /** Whether more than {@link #MAX_HELD} monitors are held. */
    boolean full() {
        int monitors = 0;
        for (Held<V> held : byKey.values()) {
            monitors += held.monitors().size();
        }
        return monitors > MAX_HELD;
    }

    /**
     * Writes every held monitor back to state and forgets them: for each key, {@code setKey} makes it the
     * current key first.
     */
    void flush(Consumer<String> setKey) throws Exception {
        for (Map.Entry<String, Held<V>> e : byKey.entrySet()) {
            setKey.accept(e.getKey());
            Held<V> held = e.getValue();
            for (String name : held.stored()) {
                if (!held.monitors().containsKey(name)) {
                    state.remove(name);
                }
            }
            for (Map.Entry<String, V> m : held.monitors().entrySet()) {
                state.put(m.getKey(), m.getValue());
            }
        }
        byKey.clear();
    }
}
