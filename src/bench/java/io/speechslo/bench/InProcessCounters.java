package io.speechslo.bench;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A metric reporter for a benchmark's in-process MiniCluster that keeps the counters themselves, so
 * the benchmark reads a running job's counters directly: no REST request, no metric dump serialized
 * and shipped every poll (which costs CPU the job is being measured on, and adds up to a poll
 * interval of delay). Registered by {@link #register}; read with {@link #sum}.
 */
public final class InProcessCounters implements MetricReporter {

    /**
     * By job id and metric identifier: the counters of every job in this JVM. The identifier alone is
     * not enough: it names the job by its name, not its id, so the tasks of a finished run, whose metrics
     * go a moment after the next run of the same job registered its own, would take those with them.
     */
    private static final Map<String, Entry> COUNTERS = new ConcurrentHashMap<>();

    private record Entry(String jobId, String identifier, Counter counter) {}

    /** Adds this reporter to a cluster configuration. */
    static void register(org.apache.flink.configuration.Configuration conf) {
        conf.setString("metrics.reporter.bench-in-process.factory.class", Factory.class.getName());
    }

    /** The sum over subtasks of the counters of job {@code jobId} whose identifiers end with any of {@code suffixes}. */
    static long sum(String jobId, String... suffixes) {
        long sum = 0;
        for (Entry e : COUNTERS.values()) {
            if (!e.jobId.equals(jobId)) {
                continue;
            }
            for (String suffix : suffixes) {
                if (e.identifier.endsWith(suffix)) {
                    sum += e.counter.getCount();
                    break;
                }
            }
        }
        return sum;
    }

    /** Whether any counter of job {@code jobId} was reported (none means the reporter is not registered). */
    static boolean any(String jobId) {
        return COUNTERS.values().stream().anyMatch(e -> e.jobId.equals(jobId));
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        String jobId = group.getAllVariables().get("<job_id>");
        if (metric instanceof Counter c && jobId != null) {
            String id = group.getMetricIdentifier(metricName);
            COUNTERS.put(key(jobId, id), new Entry(jobId, id, c));
        }
    }

    /**
     * Keeps the counter, which holds its final count: a source subtask that reached the end of its
     * partitions finishes (and its metrics go) while the other is still reading, and dropping its count
     * would leave the sum short of the records the job took in for good (a live pass waited 2 min for a
     * total it could no longer reach). A restarted task registers anew and replaces it.
     */
    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {}

    private static String key(String jobId, String identifier) {
        return jobId + ' ' + identifier;
    }

    /** Flink instantiates reporters through a factory named in the configuration. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new InProcessCounters();
        }
    }
}
