package io.speechslo.burn;

import io.speechslo.bytes.ByteWriter;
import io.speechslo.bytes.Varints;
import io.speechslo.metrics.LatencyComponents;
import io.speechslo.metrics.Signal;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the latency of one service's requests went over one slice pane, per signal and model version,
 * summed over the pane's slices: requests, and queue, preprocessing and model time with the latencies
 * they make up as counts and exact sums ({@link LatencyComponents#sumsOnly()}, no sketch). What page
 * attribution keeps per pane so that a latency SLO page can say which component moved between its window
 * and the one before it: a few hundred bytes per version and pane, whatever the traffic and the number
 * of slices. Sorted, so whatever iterates it is deterministic.
 */
public final class PaneLatency {

    /** The byte format of {@link #writeTo}; a change adds format 2 and a branch in {@link #readFrom} reading 1. */
    public static final int FORMAT = 1;

    private static final char SEP = '\u0000';

    /** {@code signal NUL version} -> its requests and components. */
    private final TreeMap<String, Cohort> cohorts = new TreeMap<>();

    /** One signal and version's requests and latency components. */
    private static final class Cohort {
        long requests;
        final LatencyComponents latency = LatencyComponents.sumsOnly();
    }

    /** Adds one slice's requests and components of a version. */
    public void add(Signal signal, String version, long requests, LatencyComponents latency) {
        Cohort c = cohorts.computeIfAbsent(signal.name() + SEP + version, k -> new Cohort());
        c.requests += requests;
        c.latency.merge(latency);
    }

    public boolean isEmpty() {
        return cohorts.isEmpty();
    }

    /**
     * Adds to {@code into} the components of {@code signal}, of every version or, when {@code version} is
     * not null, of that one; returns the requests they cover.
     */
    public long addTo(LatencyComponents into, Signal signal, String version) {
        long requests = 0;
        String prefix = signal.name() + SEP;
        for (Map.Entry<String, Cohort> e : cohorts.subMap(prefix, prefix + '\uffff').entrySet()) {
            if (version == null || e.getKey().substring(prefix.length()).equals(version)) {
                into.merge(e.getValue().latency);
                requests += e.getValue().requests;
            }
        }
        return requests;
    }

    /** Per cohort its key, requests and components. */
    public void writeTo(DataOutput out) throws IOException {
        Varints.writeUnsigned(out, cohorts.size());
        for (Map.Entry<String, Cohort> e : cohorts.entrySet()) {
            out.writeUTF(e.getKey());
            Varints.writeUnsigned(out, e.getValue().requests);
            e.getValue().latency.writeTo(out);
        }
    }

    /** Reads what {@link #writeTo} wrote in {@code format}. */
    public static PaneLatency readFrom(DataInput in, int format) throws IOException {
        if (format != FORMAT) {
            throw new IOException("pane latency of format " + format + ", this version reads " + FORMAT);
        }
        PaneLatency p = new PaneLatency();
        long n = Varints.readUnsigned(in);
        if (n < 0 || n > 100_000) {
            throw new IOException("not pane latency: " + n + " cohorts");
        }
        for (long i = 0; i < n; i++) {
            Cohort c = new Cohort();
            String key = in.readUTF();
            c.requests = Varints.readUnsigned(in);
            c.latency.readFrom(in);
            p.cohorts.put(key, c);
        }
        return p;
    }

    @Override
    public boolean equals(Object o) {
        // equal counts and exact sums write equal bytes
        return o instanceof PaneLatency p && p.cohorts.keySet().equals(cohorts.keySet())
                && Arrays.equals(ByteWriter.bytes(this::writeTo, 256), ByteWriter.bytes(p::writeTo, 256));
    }

    @Override
    public int hashCode() {
        return cohorts.keySet().hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PaneLatency{");
        cohorts.forEach((k, v) -> sb.append(k.replace(SEP, '/')).append('=').append(v.requests).append(' '));
        return sb.append('}').toString();
    }
}
