package io.speechslo.burn;

import io.speechslo.bytes.Varints;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Exact good/total counts for consecutive panes of one size, identified by pane number
 * ({@code floorDiv(eventTime, paneMillis)}). Storage is a circular pair of long arrays covering only the
 * panes from the oldest to the newest one seen, at most {@code limit} of them; it grows on demand.
 *
 * <p>Panes below {@link #floor} are gone: they were pruned or pushed out, and adding to them is refused.
 * Every pane at or above the floor holds everything that was ever accepted for it.
 */
final class PaneRing {

    private static final long[] NONE = new long[0];

    private int limit;
    private long floor = Long.MIN_VALUE;
    /** Pane number held in slot {@code start}; meaningful only when {@code size > 0}. */
    private long lo;
    private int start;
    private int size;
    private long[] good = NONE;
    private long[] total = NONE;
    /**
     * Running sums, slot for slot with {@link #good} and {@link #total}: for every held pane q up to
     * {@link #summedThrough}, the counts of the panes from {@link #lo} to q plus one constant (the same for
     * all of them, so a difference of two is exact). An evaluation sums its windows as differences of two
     * entries instead of a loop over up to a hundred panes per window edge; an add to pane p makes the
     * entries from p on stale, and the next sum brings them up to date (nearly always the newest pane only).
     */
    private long[] cumGood = NONE;
    private long[] cumTotal = NONE;
    /** The last pane whose running sums are up to date; below {@link #lo} when none is. */
    private long summedThrough = Long.MIN_VALUE;

    PaneRing(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("pane ring limit must be >= 1, got " + limit);
        }
        this.limit = limit;
    }

    /**
     * Sets the most panes held. A smaller limit than the panes held keeps the newest of them and
     * refuses the older ones from now on, as {@link #readFrom} does.
     */
    void limit(int newLimit) {
        if (newLimit < 1) {
            throw new IllegalArgumentException("pane ring limit must be >= 1, got " + newLimit);
        }
        limit = newLimit;
        if (size > limit) {
            long keep = lo + size - limit;
            dropBelow(keep);
            floor = Math.max(floor, keep);
        }
    }

    long floor() {
        return floor;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Adds counts to pane {@code pane}; false (nothing changed) if that pane is gone or too old. */
    boolean add(long pane, long g, long t) {
        if (pane < floor) {
            return false;
        }
        if (size == 0) {
            reserve(1);
            lo = pane;
            start = 0;
            size = 1;
        } else if (pane < lo) {
            long hi = lo + size - 1;
            if (hi - pane + 1 > limit) {
                return false;
            }
            int grow = (int) (lo - pane);
            reserve(size + grow);
            start = Math.floorMod(start - grow, good.length);
            lo = pane;
            size += grow;
        } else if (pane - lo >= size) {
            long needed = pane - lo + 1;
            if (needed > limit) {
                dropBelow(pane - limit + 1);
                floor = Math.max(floor, pane - limit + 1);
                if (size == 0) {
                    return add(pane, g, t);
                }
                needed = pane - lo + 1;
            }
            reserve((int) needed);
            size = (int) needed;
        }
        int i = slot(pane);
        good[i] += g;
        total[i] += t;
        summedThrough = Math.min(summedThrough, pane - 1);
        return true;
    }

    /** Exact sum of good counts over panes [from, to) that are held (gone or never-seen panes count as zero). */
    long sumGood(long from, long to) {
        return sumOf(good, cumGood, from, to);
    }

    /** Exact sum of total counts over panes [from, to) that are held, as {@link #sumGood}. */
    long sumTotal(long from, long to) {
        return sumOf(total, cumTotal, from, to);
    }

    /** The difference of the running sums at the last and the first held pane of [from, to). */
    private long sumOf(long[] counts, long[] cum, long from, long to) {
        long a = Math.max(from, lo);
        long b = Math.min(to, lo + size);
        if (size == 0 || a >= b) {
            return 0;
        }
        bringSumsThrough(b - 1);
        int first = slot(a);
        return cum[slot(b - 1)] - cum[first] + counts[first];
    }

    /** Brings the running sums up to date up to pane {@code last} (held). */
    private void bringSumsThrough(long last) {
        if (summedThrough >= last) {
            return;
        }
        long q = Math.max(summedThrough + 1, lo);
        int i = slot(q);
        long g = q == lo ? 0 : cumGood[Math.floorMod(i - 1, good.length)];
        long t = q == lo ? 0 : cumTotal[Math.floorMod(i - 1, good.length)];
        for (; q <= last; q++) {
            g += good[i];
            t += total[i];
            cumGood[i] = g;
            cumTotal[i] = t;
            i = i + 1 == good.length ? 0 : i + 1;
        }
        summedThrough = last;
    }

    /** Panes held, from the oldest to the newest one seen (empty ones between them included). */
    int size() {
        return size;
    }

    /** Pane slots allocated. */
    int capacity() {
        return good.length;
    }

    /** Forgets every pane below {@code newFloor} and refuses them from now on. */
    void prune(long newFloor) {
        if (newFloor > floor) {
            floor = newFloor;
            dropBelow(newFloor);
        }
    }

    private void dropBelow(long pane) {
        while (size > 0 && lo < pane) {
            good[start] = 0;
            total[start] = 0;
            start = (start + 1) % good.length;
            lo++;
            size--;
        }
    }

    private int slot(long pane) {
        return (int) ((start + (pane - lo)) % good.length);
    }

    /** Makes room for {@code n} panes, moving the held ones to the front of new arrays if it must grow. */
    private void reserve(int n) {
        if (n <= good.length) {
            return;
        }
        int cap = Math.min(limit, Math.max(n, Math.max(8, good.length * 2)));
        long[] g = new long[cap];
        long[] t = new long[cap];
        for (int k = 0; k < size; k++) {
            int i = (start + k) % good.length;
            g[k] = good[i];
            t[k] = total[i];
        }
        good = g;
        total = t;
        cumGood = new long[cap];
        cumTotal = new long[cap];
        summedThrough = Long.MIN_VALUE; // summed afresh in the new layout
        start = 0;
    }

    /**
     * floor, first pane, pane count, then per pane total and good as unsigned varints; only the panes from
     * the first to the last with requests, so equal contents always give equal bytes.
     */
    void writeTo(DataOutput out) throws IOException {
        int first = 0;
        int end = size;
        while (first < end && total[(start + first) % good.length] == 0) {
            first++;
        }
        while (end > first && total[(start + end - 1) % good.length] == 0) {
            end--;
        }
        out.writeLong(floor);
        out.writeLong(first == end ? 0 : lo + first);
        out.writeInt(end - first);
        for (int k = first; k < end; k++) {
            int i = (start + k) % good.length;
            writeVarLong(out, total[i]);
            writeVarLong(out, good[i]);
        }
    }

    /** Replaces the contents with what {@link #writeTo} wrote (a smaller limit keeps the newest panes). */
    void readFrom(DataInput in, String what) throws IOException {
        long newFloor = in.readLong();
        long first = in.readLong();
        int n = in.readInt();
        if (n < 0) {
            throw new IOException(what + ": negative pane count " + n);
        }
        floor = Long.MIN_VALUE;
        size = 0;
        good = NONE;
        total = NONE;
        cumGood = NONE;
        cumTotal = NONE;
        summedThrough = Long.MIN_VALUE;
        for (int k = 0; k < n; k++) {
            long t = readVarLong(in);
            long g = readVarLong(in);
            if (g > t) {
                throw new IOException(what + ": pane " + (first + k) + " has good " + g + " > total " + t);
            }
            if (t > 0) {
                add(first + k, g, t);
            }
        }
        floor = Math.max(floor, newFloor);
        dropBelow(floor);
    }

    private static void writeVarLong(DataOutput out, long v) throws IOException {
        Varints.writeUnsigned(out, v);
    }

    private static long readVarLong(DataInput in) throws IOException {
        long v = Varints.readUnsigned(in);
        if (v < 0) {
            throw new IOException("negative count in pane state");
        }
        return v;
    }
}
