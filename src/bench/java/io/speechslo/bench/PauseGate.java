package io.speechslo.bench;

import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds every subtask of a DataGeneratorSource after a given number of records until released,
 * without blocking its task thread (the limiter hands out a pending future), so checkpoints still run
 * while the source is held: the state benchmark measures a checkpoint and the heap at a chosen point
 * of the input, then lets the job finish. Works on an in-process MiniCluster only (the gate is a
 * static registry, keyed by a name, shared with the driver).
 */
final class PauseGate {

    private static final Map<String, PauseGate> GATES = new ConcurrentHashMap<>();

    private final int subtasks;
    private final AtomicInteger held = new AtomicInteger();
    private final CompletableFuture<Void> released = new CompletableFuture<>();

    private PauseGate(int subtasks) {
        this.subtasks = subtasks;
    }

    static PauseGate create(String name, int subtasks) {
        PauseGate g = new PauseGate(subtasks);
        if (GATES.putIfAbsent(name, g) != null) {
            throw new IllegalStateException("pause gate " + name + " exists already");
        }
        return g;
    }

    /** Waits until every subtask is held. */
    void awaitHeld(long timeoutSeconds) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (held.get() < subtasks) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(held.get() + " of " + subtasks + " source subtasks reached the pause point");
            }
            Thread.sleep(50);
        }
    }

    void release(String name) {
        released.complete(null);
        GATES.remove(name);
    }

    /** A rate limiter strategy letting {@code perSubtask} records through per subtask, then holding. */
    static <S extends SourceSplit> RateLimiterStrategy<S> strategy(String name, long perSubtask) {
        return parallelism -> new RateLimiter<>() {
            private long passed;
            private boolean counted;

            @Override
            public CompletionStage<Void> acquire(int permits) {
                PauseGate gate = GATES.get(name);
                if (gate == null || passed < perSubtask) {
                    passed += permits;
                    return CompletableFuture.completedFuture(null);
                }
                if (!counted) {
                    counted = true;
                    gate.held.incrementAndGet();
                }
                return gate.released;
            }
        };
    }
}
