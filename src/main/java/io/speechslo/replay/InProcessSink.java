package io.speechslo.replay;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A sink that hands every element to a consumer in the JVM that built the job, for jobs run on an
 * embedded MiniCluster (replay). The consumer is called from several writer threads, one at a time.
 * Close it once the job is done. A writer in another JVM fails at start, saying why.
 */
public final class InProcessSink<T> implements Sink<T>, AutoCloseable {

    private static final long serialVersionUID = 1L;
    private static final Map<String, Consumer<Object>> TARGETS = new ConcurrentHashMap<>();

    private final String key = UUID.randomUUID().toString();

    @SuppressWarnings("unchecked")
    public InProcessSink(Consumer<? super T> consumer) {
        Consumer<Object> target = (Consumer<Object>) consumer;
        TARGETS.put(key, e -> {
            synchronized (target) {
                target.accept(e);
            }
        });
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Consumer<Object> target = TARGETS.get(key);
        if (target == null) {
            throw new IllegalStateException("InProcessSink " + key + " is closed or lives in another JVM:"
                    + " it only works on an embedded MiniCluster in the JVM that built the job");
        }
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                target.accept(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }

    @Override
    public void close() {
        TARGETS.remove(key);
    }
}
