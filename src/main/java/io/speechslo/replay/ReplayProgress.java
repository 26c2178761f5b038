package io.speechslo.replay;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records read so far by the readers of one replay, for the progress line. Replay runs on an embedded
 * MiniCluster in the same JVM, so the readers add to a JVM-wide counter found by key; a reader running
 * anywhere else finds no counter and counts nothing.
 */
public final class ReplayProgress implements AutoCloseable {

    private static final Map<String, LongAdder> COUNTERS = new ConcurrentHashMap<>();

    private final String key = UUID.randomUUID().toString();
    private final LongAdder read = new LongAdder();

    public ReplayProgress() {
        COUNTERS.put(key, read);
    }

    /** What readers are given to count into. */
    public String key() {
        return key;
    }

    /** Records read so far. */
    public long read() {
        return read.sum();
    }

    static void add(String key, long records) {
        LongAdder counter = COUNTERS.get(key);
        if (counter != null) {
            counter.add(records);
        }
    }

    @Override
    public void close() {
        COUNTERS.remove(key);
    }
}
