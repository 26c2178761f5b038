package io.speechslo.burn;

import io.speechslo.bytes.Varints;
import io.speechslo.slice.Slice;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Bad and total requests per SLO, model version and full slice over one slice pane of a service: what
 * page attribution keeps of each closed pane for the last hour, so that a page can say which slices hold
 * its bad requests. Only counts, one row per version and slice with a column pair per SLO (the SLO names
 * once per pane), so it stays small whatever the pane's metrics hold. Sorted, so whatever iterates it is
 * deterministic.
 */
public final class SliceBadCounts {

    /** The byte format of {@link #writeTo}; a change adds format 2 and a branch in {@link #readFrom} reading 1. */
    public static final int FORMAT = 1;

    private static final char SEP = '\u0000';

    /** The SLOs with a column pair, in column order. */
    private String[] slos = new String[0];
    /** {@code version NUL slice key} -> {bad, total} per SLO of {@link #slos}. */
    private final TreeMap<String, long[]> rows = new TreeMap<>();

    /** Adds the counts of one SLO over one version's slice. */
    public void add(String slo, String version, String slice, long bad, long total) {
        int col = column(slo);
        long[] row = rows.computeIfAbsent(version + SEP + slice, k -> new long[2 * slos.length]);
        if (row.length < 2 * slos.length) {
            row = Arrays.copyOf(row, 2 * slos.length);
            rows.put(version + SEP + slice, row);
        }
        row[2 * col] += bad;
        row[2 * col + 1] += total;
    }

    private int column(String slo) {
        for (int i = 0; i < slos.length; i++) {
            if (slos[i].equals(slo)) {
                return i;
            }
        }
        slos = Arrays.copyOf(slos, slos.length + 1);
        slos[slos.length - 1] = slo;
        return slos.length - 1;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /**
     * Adds to {@code into} (full slice -> {bad, total}) the counts of {@code slo}, of every version or, when
     * {@code version} is not null, of that one.
     */
    public void addTo(Map<Slice, long[]> into, String slo, String version) {
        int col = -1;
        for (int i = 0; i < slos.length; i++) {
            col = slos[i].equals(slo) ? i : col;
        }
        if (col < 0) {
            return;
        }
        for (Map.Entry<String, long[]> e : rows.entrySet()) {
            long[] row = e.getValue();
            if (row.length <= 2 * col + 1 || row[2 * col + 1] == 0) {
                continue;
            }
            String key = e.getKey();
            int sep = key.indexOf(SEP);
            if (version != null && !key.substring(0, sep).equals(version)) {
                continue;
            }
            long[] c = into.computeIfAbsent(Slice.parse(key.substring(sep + 1)), k -> new long[2]);
            c[0] += row[2 * col];
            c[1] += row[2 * col + 1];
        }
    }

    /** The SLO names, then per row its key and a (bad, total) pair per SLO. */
    public void writeTo(DataOutput out) throws IOException {
        Varints.writeUnsigned(out, slos.length);
        for (String s : slos) {
            out.writeUTF(s);
        }
        Varints.writeUnsigned(out, rows.size());
        for (Map.Entry<String, long[]> e : rows.entrySet()) {
            out.writeUTF(e.getKey());
            long[] row = e.getValue();
            for (int i = 0; i < 2 * slos.length; i++) {
                Varints.writeUnsigned(out, i < row.length ? row[i] : 0);
            }
        }
    }

    /** Reads counts written in {@code format}. */
    public static SliceBadCounts readFrom(DataInput in, int format) throws IOException {
        if (format != FORMAT) {
            throw new IOException("slice bad counts of format " + format + ", this version reads " + FORMAT);
        }
        SliceBadCounts s = new SliceBadCounts();
        int n = (int) Varints.readUnsigned(in);
        if (n < 0 || n > 10_000) {
            throw new IOException("not slice bad counts: " + n + " SLOs");
        }
        s.slos = new String[n];
        for (int i = 0; i < n; i++) {
            s.slos[i] = in.readUTF();
        }
        long rows = Varints.readUnsigned(in);
        for (long r = 0; r < rows; r++) {
            String key = in.readUTF();
            long[] row = new long[2 * n];
            for (int i = 0; i < row.length; i++) {
                row[i] = Varints.readUnsigned(in);
            }
            s.rows.put(key, row);
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SliceBadCounts s) || !Arrays.equals(s.slos, slos) || s.rows.size() != rows.size()) {
            return false;
        }
        for (Map.Entry<String, long[]> e : rows.entrySet()) {
            long[] other = s.rows.get(e.getKey());
            if (other == null || !Arrays.equals(Arrays.copyOf(other, 2 * slos.length),
                    Arrays.copyOf(e.getValue(), 2 * slos.length))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return rows.keySet().hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SliceBadCounts").append(Arrays.toString(slos)).append('{');
        rows.forEach((k, v) -> sb.append(k.replace(SEP, '/')).append('=').append(Arrays.toString(v)).append(' '));
        return sb.append('}').toString();
    }
}
