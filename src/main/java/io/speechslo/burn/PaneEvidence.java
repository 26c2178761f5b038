package io.speechslo.burn;

import io.speechslo.bytes.ByteWriter;
import io.speechslo.bytes.Varints;
import io.speechslo.metrics.LatencyComponents;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one service's requests did over one slice pane, per signal and model version, summed over the
 * pane's slices: requests, how many ended TIMEOUT and ERROR, and where their latency went (queue,
 * preprocessing and model time with the latencies they make up, as counts and exact sums:
 * {@link LatencyComponents#sumsOnly()}, no sketch). What page attribution keeps per pane so that a page
 * can say what moved between its window and the one before it (a latency component, or timeouts): a few
 * hundred bytes per version and pane, whatever the traffic and the number of slices. Sorted, so whatever
 * iterates it is deterministic.
 */
public final class PaneEvidence {

    /**
     * The byte format of {@link #writeTo}. 2 (2026-12-05): each cohort also counts its costed requests per
     * serving pool ({@link #poolsTo}); {@link #readFrom} reads 1 too, as cohorts that name no pool.
     */
    public static final int FORMAT = 2;

    private static final char SEP = '\u0000';

    /** {@code signal NUL version} -> its requests, outcomes and components. */
    private final TreeMap<String, Cohort> cohorts = new TreeMap<>();

    /** One signal and version's requests, outcomes and components. */
    private static final class Cohort {
        long requests;
        long timeouts;
        long errors;
        final LatencyComponents latency = LatencyComponents.sumsOnly();
        /** Requests that name their serving pool (costed ones: their cost shares), per pool. */
        final TreeMap<String, Long> pools = new TreeMap<>();
    }

    /** Requests and how many of them ended TIMEOUT and ERROR. */
    public record Outcomes(long requests, long timeouts, long errors) {

        public Outcomes plus(Outcomes o) {
            return new Outcomes(requests + o.requests, timeouts + o.timeouts, errors + o.errors);
        }
    }

    /** Adds one slice's requests, outcomes and components of a version. */
    public void add(Signal signal, String version, Outcomes outcomes, LatencyComponents latency) {
        Cohort c = cohorts.computeIfAbsent(signal.name() + SEP + version, k -> new Cohort());
        c.requests += outcomes.requests();
        c.timeouts += outcomes.timeouts();
        c.errors += outcomes.errors();
        c.latency.merge(latency);
    }

    /** Adds one slice pane's metric set of a version: its requests, timeouts, errors and latency components. */
    public void add(String version, MetricSet metrics) {
        add(version, metrics, Map.of());
    }

    /**
     * As {@link #add(String, MetricSet)}, with the pane's requests per serving pool (those that name one).
     *
     * @param pools pool to its requests
     */
    public void add(String version, MetricSet metrics, Map<String, Long> pools) {
        Signal signal = metrics.signal();
        long timeouts = Math.round(metrics.ratio(Metric.find(signal, "timeout_rate")).sumX());
        long errors = Math.round(metrics.ratio(Metric.find(signal, "error_rate")).sumX());
        add(signal, version, new Outcomes(metrics.requests(), timeouts, errors), metrics.latency());
        Cohort c = cohorts.get(signal.name() + SEP + version);
        pools.forEach((pool, n) -> c.pools.merge(pool, n, Long::sum));
    }

    /** Adds to {@code into} the requests per pool of {@code signal}, of every version or of {@code version}. */
    public void poolsTo(Map<String, Long> into, Signal signal, String version) {
        String prefix = signal.name() + SEP;
        for (Map.Entry<String, Cohort> e : cohorts.subMap(prefix, prefix + '\uffff').entrySet()) {
            if (version == null || e.getKey().substring(prefix.length()).equals(version)) {
                e.getValue().pools.forEach((pool, n) -> into.merge(pool, n, Long::sum));
            }
        }
    }

    public boolean isEmpty() {
        return cohorts.isEmpty();
    }

    /**
     * Adds to {@code into} the components of {@code signal}, of every version or, when {@code version} is
     * not null, of that one; returns their requests and outcomes.
     */
    public Outcomes addTo(LatencyComponents into, Signal signal, String version) {
        Outcomes sum = new Outcomes(0, 0, 0);
        String prefix = signal.name() + SEP;
        for (Map.Entry<String, Cohort> e : cohorts.subMap(prefix, prefix + '\uffff').entrySet()) {
            if (version == null || e.getKey().substring(prefix.length()).equals(version)) {
                Cohort c = e.getValue();
                into.merge(c.latency);
                sum = sum.plus(new Outcomes(c.requests, c.timeouts, c.errors));
            }
        }
        return sum;
    }

    /** Per cohort its key, requests, timeouts, errors and components. */
    public void writeTo(DataOutput out) throws IOException {
        Varints.writeUnsigned(out, cohorts.size());
        for (Map.Entry<String, Cohort> e : cohorts.entrySet()) {
            out.writeUTF(e.getKey());
            Varints.writeUnsigned(out, e.getValue().requests);
            Varints.writeUnsigned(out, e.getValue().timeouts);
            Varints.writeUnsigned(out, e.getValue().errors);
            e.getValue().latency.writeTo(out);
            // format 2
            Varints.writeUnsigned(out, e.getValue().pools.size());
            for (Map.Entry<String, Long> p : e.getValue().pools.entrySet()) {
                out.writeUTF(p.getKey());
                Varints.writeUnsigned(out, p.getValue());
            }
        }
    }

    /** Reads what {@link #writeTo} wrote in {@code format}. */
    public static PaneEvidence readFrom(DataInput in, int format) throws IOException {
        if (format < 1 || format > FORMAT) {
            throw new IOException("pane latency of format " + format + ", this version reads 1 to " + FORMAT);
        }
        PaneEvidence p = new PaneEvidence();
        long n = Varints.readUnsigned(in);
        if (n < 0 || n > 100_000) {
            throw new IOException("not pane latency: " + n + " cohorts");
        }
        for (long i = 0; i < n; i++) {
            Cohort c = new Cohort();
            String key = in.readUTF();
            c.requests = Varints.readUnsigned(in);
            c.timeouts = Varints.readUnsigned(in);
            c.errors = Varints.readUnsigned(in);
            c.latency.readFrom(in);
            if (format >= 2) {
                long pools = Varints.readUnsigned(in);
                if (pools < 0 || pools > 100_000) {
                    throw new IOException("not pane latency: " + pools + " pools");
                }
                for (long j = 0; j < pools; j++) {
                    c.pools.put(in.readUTF(), Varints.readUnsigned(in));
                }
            }
            p.cohorts.put(key, c);
        }
        return p;
    }

    @Override
    public boolean equals(Object o) {
        // equal counts and exact sums write equal bytes
        return o instanceof PaneEvidence p && p.cohorts.keySet().equals(cohorts.keySet())
                && Arrays.equals(ByteWriter.bytes(this::writeTo, 256), ByteWriter.bytes(p::writeTo, 256));
    }

    @Override
    public int hashCode() {
        return cohorts.keySet().hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PaneEvidence{");
        cohorts.forEach((k, v) -> sb.append(k.replace(SEP, '/')).append('=').append(v.requests).append('/')
                .append(v.timeouts).append('/').append(v.errors).append(' '));
        return sb.append('}').toString();
    }
}
