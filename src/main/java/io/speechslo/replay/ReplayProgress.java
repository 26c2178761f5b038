package io.speechslo.replay;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records read so far by the readers of one replay (and, from Kafka, the partitions they came from), for the
 * progress lines and the summary. Replay runs on an embedded
 * MiniCluster in the same JVM, so the readers add to a JVM-wide counter found by key; a reader running
 * anywhere else finds no counter and counts nothing.
 */
public final class ReplayProgress implements AutoCloseable {

    private static final Map<String, LongAdder> COUNTERS = new ConcurrentHashMap<>();
    private static final Map<String, Set<String>> PARTITIONS = new ConcurrentHashMap<>();

    private final String key = UUID.randomUUID().toString();
    private final LongAdder read = new LongAdder();
    private final Set<String> partitions = ConcurrentHashMap.newKeySet();

    public ReplayProgress() {
        COUNTERS.put(key, read);
        PARTITIONS.put(key, partitions);
    }

    /** What readers are given to count into. */
    public String key() {
        return key;
    }

    /** Records read so far. */
    public long read() {
        return read.sum();
    }

    /** Kafka partitions read from so far (none for files). */
    public long partitions() {
        return partitions.size();
    }

    /** The counter of a key, or null in another JVM (a reader on a cluster counts nothing). */
    static LongAdder counter(String key) {
        return COUNTERS.get(key);
    }

    /** The partitions seen under a key, or null in another JVM. */
    static Set<String> partitionSet(String key) {
        return PARTITIONS.get(key);
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
        PARTITIONS.remove(key);
    }
}
