package io.speechslo.aggregate;

import io.speechslo.bytes.Varints;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Good and total requests of each request-based SLO over one slice pane, so that a page can say which
 * slices hold the bad requests: the burn counts ({@code BurnTick}) carry no slice, and which requests an
 * SLO counts as bad is its own filters' decision, which no metric of the pane can reproduce (an SLO may
 * judge any field). Counted where the burn counts are, with the same verdicts; shadow traffic is not
 * counted (it spends no budget). SLOs are named, so panes made under different policies merge by name.
 */
public final class SloCounts {

    private static final String[] NONE = new String[0];

    /** The SLO names, in the order of the counts; shared with the counter's other panes, never changed. */
    private String[] names = NONE;
    private long[] good = new long[0];
    private long[] total = new long[0];

    /**
     * Counts one request for the {@code i}-th SLO of {@code slos} (the same shared array for every request
     * of a pane, so the common case is an index).
     */
    public void count(String[] slos, int i, boolean isGood) {
        if (slos != names) {
            adopt(slos);
        }
        total[i]++;
        if (isGood) {
            good[i]++;
        }
    }

    /** Makes {@code slos} the names of the counts, keeping what was counted under other names. */
    private void adopt(String[] slos) {
        if (Arrays.equals(slos, names)) {
            names = slos;
            return;
        }
        String[] oldNames = names;
        long[] oldGood = good;
        long[] oldTotal = total;
        names = slos;
        good = new long[slos.length];
        total = new long[slos.length];
        for (int j = 0; j < oldNames.length; j++) {
            add(oldNames[j], oldGood[j], oldTotal[j]);
        }
    }

    /** Adds counts of the SLO {@code name}, making room for it when it is new. */
    private void add(String name, long g, long t) {
        int at = indexOf(name);
        if (at < 0) {
            names = Arrays.copyOf(names, names.length + 1);
            names[names.length - 1] = name;
            good = Arrays.copyOf(good, names.length);
            total = Arrays.copyOf(total, names.length);
            at = names.length - 1;
        }
        good[at] += g;
        total[at] += t;
    }

    private int indexOf(String name) {
        for (int j = 0; j < names.length; j++) {
            if (names[j].equals(name)) {
                return j;
            }
        }
        return -1;
    }

    /** Adds another pane's counts (by SLO name). */
    public void merge(SloCounts o) {
        if (o.names == names || Arrays.equals(o.names, names)) {
            for (int j = 0; j < names.length; j++) {
                good[j] += o.good[j];
                total[j] += o.total[j];
            }
            return;
        }
        for (int j = 0; j < o.names.length; j++) {
            add(o.names[j], o.good[j], o.total[j]);
        }
    }

    public boolean isEmpty() {
        for (long t : total) {
            if (t > 0) {
                return false;
            }
        }
        return true;
    }

    /** The SLOs counted, in order. */
    public String[] names() {
        return names.clone();
    }

    /** Requests the SLO {@code slo} counted (0 when it counted none here). */
    public long total(String slo) {
        int j = indexOf(slo);
        return j < 0 ? 0 : total[j];
    }

    /** Of those, the bad ones (counted, not good). */
    public long bad(String slo) {
        int j = indexOf(slo);
        return j < 0 ? 0 : total[j] - good[j];
    }

    /** Names with counts, SLOs that counted nothing left out. */
    public void writeTo(DataOutput out) throws IOException {
        int n = 0;
        for (long t : total) {
            n += t > 0 ? 1 : 0;
        }
        Varints.writeUnsigned(out, n);
        for (int j = 0; j < names.length; j++) {
            if (total[j] > 0) {
                out.writeUTF(names[j]);
                Varints.writeUnsigned(out, good[j]);
                Varints.writeUnsigned(out, total[j]);
            }
        }
    }

    public static SloCounts readFrom(DataInput in) throws IOException {
        SloCounts c = new SloCounts();
        int n = (int) Varints.readUnsigned(in);
        if (n < 0 || n > 10_000) {
            throw new IOException("not SLO counts: " + n + " SLOs");
        }
        c.names = new String[n];
        c.good = new long[n];
        c.total = new long[n];
        for (int j = 0; j < n; j++) {
            c.names[j] = in.readUTF();
            c.good[j] = Varints.readUnsigned(in);
            c.total[j] = Varints.readUnsigned(in);
        }
        return c;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SloCounts{");
        for (int j = 0; j < names.length; j++) {
            sb.append(j == 0 ? "" : ", ").append(names[j]).append(' ').append(total[j] - good[j]).append(" bad of ")
                    .append(total[j]);
        }
        return sb.append('}').toString();
    }
}
