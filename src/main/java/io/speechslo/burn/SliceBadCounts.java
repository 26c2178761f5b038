package io.speechslo.burn;

import io.speechslo.bytes.Varints;
import io.speechslo.slice.Slice;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Bad and total requests per SLO, model version and full slice over one slice pane of a service: what
 * page attribution keeps of each closed pane for the last hour, so that a page can say which slices hold
 * its bad requests. Only counts, so it stays small whatever the pane's metrics hold. Sorted, so whatever
 * iterates it is deterministic.
 */
public final class SliceBadCounts {

    /** The byte format of {@link #writeTo}; a change adds format 2 and a branch in {@link #readFrom} reading 1. */
    public static final int FORMAT = 1;

    private static final char SEP = '\u0000';

    /** {@code slo NUL version NUL slice key} -> {bad, total}. */
    private final TreeMap<String, long[]> counts = new TreeMap<>();

    /** Adds the counts of one SLO over one version's slice. */
    public void add(String slo, String version, String slice, long bad, long total) {
        long[] c = counts.computeIfAbsent(slo + SEP + version + SEP + slice, k -> new long[2]);
        c[0] += bad;
        c[1] += total;
    }

    public boolean isEmpty() {
        return counts.isEmpty();
    }

    /**
     * Adds to {@code into} (full slice -> {bad, total}) the counts of {@code slo}, of every version or, when
     * {@code version} is not null, of that one.
     */
    public void addTo(Map<Slice, long[]> into, String slo, String version) {
        String prefix = slo + SEP;
        for (Map.Entry<String, long[]> e : counts.subMap(prefix, prefix + '\uffff').entrySet()) {
            String rest = e.getKey().substring(prefix.length());
            int sep = rest.indexOf(SEP);
            if (version != null && !rest.substring(0, sep).equals(version)) {
                continue;
            }
            long[] c = into.computeIfAbsent(Slice.parse(rest.substring(sep + 1)), k -> new long[2]);
            c[0] += e.getValue()[0];
            c[1] += e.getValue()[1];
        }
    }

    public void writeTo(DataOutput out) throws IOException {
        Varints.writeUnsigned(out, counts.size());
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            out.writeUTF(e.getKey());
            Varints.writeUnsigned(out, e.getValue()[0]);
            Varints.writeUnsigned(out, e.getValue()[1]);
        }
    }

    /** Reads counts written in {@code format}. */
    public static SliceBadCounts readFrom(DataInput in, int format) throws IOException {
        if (format != FORMAT) {
            throw new IOException("slice bad counts of format " + format + ", this version reads " + FORMAT);
        }
        SliceBadCounts s = new SliceBadCounts();
        long n = Varints.readUnsigned(in);
        for (long i = 0; i < n; i++) {
            String key = in.readUTF();
            s.counts.put(key, new long[] {Varints.readUnsigned(in), Varints.readUnsigned(in)});
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SliceBadCounts s) || s.counts.size() != counts.size()) {
            return false;
        }
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            long[] c = s.counts.get(e.getKey());
            if (c == null || c[0] != e.getValue()[0] || c[1] != e.getValue()[1]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return counts.keySet().hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SliceBadCounts{");
        counts.forEach((k, v) -> sb.append(k.replace(SEP, '/')).append('=').append(v[0]).append('/').append(v[1]).append(' '));
        return sb.append('}').toString();
    }
}
