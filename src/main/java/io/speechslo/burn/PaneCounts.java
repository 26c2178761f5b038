package io.speechslo.burn;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Duration;

/**
 * Exact good/total request counts in event-time panes, for the windows of one SLO's burn-rate alerts and
 * for its error budget over the SLO window.
 *
 * <p>Levels of panes, finest first, every accepted request counted in each:
 * <ul>
 *   <li>fine panes of {@code pane} (e.g. 5 seconds or 1 minute);
 *   <li>for a pane shorter than a minute only, minute panes;
 *   <li>hourly panes keeping the SLO window (e.g. 30 days), for the budget.
 * </ul>
 * With a pane of a minute or longer the fine panes keep the longest alert window (at least an hour), as
 * they always did. With a shorter pane they keep one hour and the minute panes keep the longest alert
 * window (at least an hour): a 5-second pane and a 3-day window keep 720 fine and 4,320 minute panes where
 * fine panes alone would need 51,840. Each level keeps at least what the finer ones keep.
 *
 * <p>Conventions: panes are aligned to epoch multiples of their size and half-open, {@code [start, start +
 * size)}, so an event exactly at a pane's end belongs to the next pane. A window ending at {@code end}
 * with length {@code L} covers event times {@code [end - L, end)} and sums exactly the panes that lie
 * fully inside it. A window reaching back past what the fine level keeps reaches back through the coarsest
 * level it needs, the finest one still keeping its start: it starts at that level's first pane boundary
 * at or after {@code end - L}, so it may miss up to one coarse pane (a minute or an hour) at its old edge,
 * never counts anything outside it. (That is the coarser level used from the window start up to its first
 * boundary the next finer level fully covers, the finer one from there on.) Counts are exact longs;
 * nothing is averaged.
 *
 * <p>{@link #prune(long)} forgets what no window ending at or after the given time needs; after that,
 * older events are refused ({@link #add} returns false, the caller counts them as late). Storage covers
 * only the panes between the oldest and the newest one seen. Should events run ahead of the last prune by
 * more than the kept span again, the oldest panes are pushed out, so memory stays bounded at twice the
 * kept span per level.
 *
 * <p>A sum allocates nothing but the returned {@link Counts}. Since every level counts every request, it
 * takes the whole hours inside the window from the hourly level and only the edges around them from the
 * finer levels (a 3-day window of 5-second panes: about 72 hourly, at most 118 minute and 22 fine panes,
 * not 4,300 minute and 720 fine ones), and each stretch of a level is the difference of two running sums
 * ({@link PaneRing}), not a loop over its panes.
 */
public final class PaneCounts {

    /** Size of the coarse panes that keep the SLO window. */
    public static final long HOUR_MILLIS = 3_600_000L;
    /** Size of the middle panes, kept when the fine pane is shorter. */
    public static final long MINUTE_MILLIS = 60_000L;

    private final long paneMillis;
    /** Levels finest first: the fine panes, minute panes for a sub-minute pane, hourly panes. */
    private final PaneRing[] rings;
    private final long[] sizeMillis;
    private final String[] names;
    /** Event time span each level keeps; zero until {@link #shape}d. */
    private final long[] spanMillis;

    /**
     * @param pane fine pane size; must divide an hour and, when shorter than a minute, a minute
     * @param longestWindow the longest alert window, kept in fine panes or, for a pane shorter than a minute,
     *                      in minute panes (at least an hour either way)
     * @param sloWindow the budget window, kept in hourly panes
     */
    public PaneCounts(Duration pane, Duration longestWindow, Duration sloWindow) {
        this(pane.toMillis());
        shape(longestWindow, sloWindow);
    }

    /** Counts without their spans yet, for {@link #readUnshaped}. */
    private PaneCounts(long paneMillis) {
        this.paneMillis = paneMillis;
        if (paneMillis <= 0 || HOUR_MILLIS % paneMillis != 0) {
            throw new IllegalArgumentException("burn-rate pane " + Duration.ofMillis(paneMillis)
                    + " must be positive and divide one hour");
        }
        if (paneMillis < MINUTE_MILLIS && MINUTE_MILLIS % paneMillis != 0) {
            throw new IllegalArgumentException("burn-rate pane " + Duration.ofMillis(paneMillis)
                    + " is shorter than a minute, so it must divide one minute (e.g. 5s, 10s, 15s, 30s)");
        }
        if (paneMillis < MINUTE_MILLIS) {
            sizeMillis = new long[] {paneMillis, MINUTE_MILLIS, HOUR_MILLIS};
            names = new String[] {"fine panes", "minute panes", "hourly panes"};
        } else {
            sizeMillis = new long[] {paneMillis, HOUR_MILLIS};
            names = new String[] {"fine panes", "hourly panes"};
        }
        rings = new PaneRing[sizeMillis.length];
        for (int k = 0; k < rings.length; k++) {
            rings[k] = new PaneRing(Integer.MAX_VALUE);
        }
        spanMillis = new long[sizeMillis.length];
    }

    /**
     * Sets the spans kept, from the windows of the constructor. Narrower spans than the counts were
     * kept for forget what no longer fits, as reading them back into narrower counts does.
     */
    public void shape(Duration longestWindow, Duration sloWindow) {
        if (longestWindow.toMillis() % paneMillis != 0) {
            throw new IllegalArgumentException(
                    "window " + longestWindow + " is not a whole number of " + Duration.ofMillis(paneMillis) + " panes");
        }
        int top = rings.length - 1;
        long alertSpan = Math.max(longestWindow.toMillis(), HOUR_MILLIS);
        if (top == 2) {
            spanMillis[0] = HOUR_MILLIS;
            spanMillis[1] = alertSpan;
        } else {
            spanMillis[0] = alertSpan;
        }
        spanMillis[top] = Math.max(ceil(sloWindow.toMillis(), HOUR_MILLIS), alertSpan);
        rings[0].limit(Math.toIntExact(2 * (spanMillis[0] / paneMillis)));
        for (int k = 1; k <= top; k++) {
            // One pane more than twice the span: a coarser level then always keeps whatever a finer one does.
            rings[k].limit(Math.toIntExact(2 * ceilDiv(spanMillis[k], sizeMillis[k]) + 1));
        }
    }

    public long paneMillis() {
        return paneMillis;
    }

    /**
     * Counts {@code good} of {@code total} requests at {@code eventTimeMillis}.
     *
     * @return false, changing nothing, if that time is older than the oldest kept pane (a late event)
     */
    public boolean add(long eventTimeMillis, long good, long total) {
        if (good < 0 || total < 0 || good > total) {
            throw new IllegalArgumentException("impossible counts: good=" + good + ", total=" + total);
        }
        if (!rings[0].add(Math.floorDiv(eventTimeMillis, paneMillis), good, total)) {
            return false;
        }
        for (int k = 1; k < rings.length; k++) {
            if (!rings[k].add(Math.floorDiv(eventTimeMillis, sizeMillis[k]), good, total)) {
                // Each level keeps at least as much as the finer ones, so this cannot happen.
                throw new IllegalStateException(
                        names[k] + " refused an event the fine panes took at " + eventTimeMillis);
            }
        }
        return true;
    }

    /** Earliest event time {@link #add} still accepts, or {@code Long.MIN_VALUE} before the first prune. */
    public long oldestAcceptedMillis() {
        return floorMillis(0);
    }

    /**
     * Exact counts over the panes fully inside {@code [windowEnd - windowLength, windowEnd)}, reaching back
     * through coarser levels where the finer ones no longer keep the window start (see the class doc).
     */
    public Counts sum(long windowEndMillis, long windowLengthMillis) {
        if (windowLengthMillis <= 0) {
            throw new IllegalArgumentException("window length must be positive, got " + windowLengthMillis);
        }
        long from = windowEndMillis - windowLengthMillis;
        // The window starts at the first boundary, at or after its start, of the coarsest level it needs:
        // the finest one still keeping that start (else the top one).
        int top = rings.length - 1;
        int needed = 0;
        while (needed < top && from < floorMillis(needed)) {
            needed++;
        }
        long start = ceil(from, sizeMillis[needed]);
        long stop = floor(windowEndMillis, paneMillis);
        // Every level counts every accepted request, and from the start on every level keeps each pane it
        // has. So [start, stop) is summed in the coarsest panes that fit: whole hours from the hourly level,
        // the minutes around them from the minute level, the fine panes only at the edges.
        long good = 0;
        long total = 0;
        long done = stop; // [done, doneEnd) is what the coarser levels summed, empty until one had a pane
        long doneEnd = stop;
        for (int k = top; k >= 0; k--) {
            long size = sizeMillis[k];
            long lo = ceil(start, size);
            long hi = floor(stop, size);
            if (lo >= hi) {
                continue; // no whole pane of this level in the window, nor of the coarser ones
            }
            done = Math.min(done, hi);
            doneEnd = Math.min(doneEnd, hi);
            PaneRing ring = rings[k];
            good = Math.addExact(good, ring.sumGood(lo / size, done / size) + ring.sumGood(doneEnd / size, hi / size));
            total = Math.addExact(total,
                    ring.sumTotal(lo / size, done / size) + ring.sumTotal(doneEnd / size, hi / size));
            done = lo;
            doneEnd = hi;
        }
        return new Counts(good, total);
    }

    /** Forgets panes that no window ending at or after {@code windowEndMillis} needs. */
    public void prune(long windowEndMillis) {
        if (spanMillis[0] == 0) {
            throw new IllegalStateException("burn-rate counts were read back without their spans: shape them first");
        }
        for (int k = 0; k < rings.length; k++) {
            rings[k].prune(Math.floorDiv(windowEndMillis - spanMillis[k], sizeMillis[k]));
        }
    }

    public boolean isEmpty() {
        for (PaneRing ring : rings) {
            if (!ring.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The pane size, then each level's panes finest first ({@link PaneRing#writeTo}): fine, minute (only
     * for a pane shorter than a minute), hourly.
     */
    public void writeTo(DataOutput out) throws IOException {
        out.writeLong(paneMillis);
        for (PaneRing ring : rings) {
            ring.writeTo(out);
        }
    }

    /**
     * Reads counts written by {@link #writeTo} without their spans: {@link #shape} them before use.
     */
    public static PaneCounts readUnshaped(DataInput in) throws IOException {
        // The pane size tells whether a minute level was written.
        PaneCounts c = new PaneCounts(in.readLong());
        c.readLevels(in);
        return c;
    }

    /** Replaces the counts with what {@link #writeTo} wrote; the pane size must be the same. */
    public void readFrom(DataInput in) throws IOException {
        long written = in.readLong();
        if (written != paneMillis) {
            throw new IOException("burn-rate counts were written with " + written + " ms panes, now configured "
                    + paneMillis + " ms");
        }
        readLevels(in);
    }

    private void readLevels(DataInput in) throws IOException {
        for (int k = 0; k < rings.length; k++) {
            rings[k].readFrom(in, names[k]);
        }
    }

    /** Oldest event time level {@code k} keeps, or {@code Long.MIN_VALUE} if it never forgot anything. */
    private long floorMillis(int k) {
        long f = rings[k].floor();
        return f == Long.MIN_VALUE ? Long.MIN_VALUE : f * sizeMillis[k];
    }

    /** Panes held by a level (0 fine, then minute if any, then hourly), for tests. */
    int panesHeld(int level) {
        return rings[level].size();
    }

    /** Pane slots allocated by a level, for tests. */
    int panesAllocated(int level) {
        return rings[level].capacity();
    }

    /** Number of levels: 3 with a minute level, else 2. */
    int levels() {
        return rings.length;
    }

    private static long floor(long t, long unit) {
        return Math.floorDiv(t, unit) * unit;
    }

    private static long ceil(long t, long unit) {
        return -Math.floorDiv(-t, unit) * unit;
    }

    private static long ceilDiv(long t, long unit) {
        return -Math.floorDiv(-t, unit);
    }
}
