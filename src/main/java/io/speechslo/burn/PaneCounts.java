package io.speechslo.burn;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Duration;

/**
 * Exact good/total request counts in event-time panes, for the windows of one SLO's burn-rate alerts and
 * for its error budget over the SLO window.
 *
 * <p>Two levels, every accepted request counted in both:
 * <ul>
 *   <li>fine panes of {@code pane} (e.g. 1 minute), keeping the longest alert window (at least an hour);
 *   <li>hourly panes keeping the SLO window (e.g. 30 days), for the budget.
 * </ul>
 *
 * <p>Conventions: panes are aligned to epoch multiples of their size and half-open, {@code [start, start +
 * size)}, so an event exactly at a pane's end belongs to the next pane. A window ending at {@code end}
 * with length {@code L} covers event times {@code [end - L, end)} and sums exactly the panes that lie
 * fully inside it. A window longer than the fine level reaches back through hourly panes, so it starts at
 * the first hour boundary at or after {@code end - L} (it may miss up to an hour at its old edge, never
 * counts anything outside it). Counts are exact longs; nothing is averaged.
 *
 * <p>{@link #prune(long)} forgets what no window ending at or after the given time needs; after that,
 * older events are refused ({@link #add} returns false, the caller counts them as late). Storage covers
 * only the panes between the oldest and the newest one seen. Should events run ahead of the last prune by
 * more than the kept span again, the oldest panes are pushed out, so memory stays bounded at twice the
 * kept span per level.
 */
public final class PaneCounts {

    /** Size of the coarse panes that keep the SLO window. */
    public static final long HOUR_MILLIS = 3_600_000L;

    private final long paneMillis;
    private long fineSpanMillis;
    private long coarseSpanMillis;
    private final PaneRing fine = new PaneRing(Integer.MAX_VALUE);
    private final PaneRing coarse = new PaneRing(Integer.MAX_VALUE);

    /**
     * @param pane fine pane size; must divide an hour
     * @param longestWindow the longest window summed with fine resolution (kept span is at least an hour)
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
        fineSpanMillis = Math.max(longestWindow.toMillis(), HOUR_MILLIS);
        coarseSpanMillis = Math.max(ceil(sloWindow.toMillis(), HOUR_MILLIS), fineSpanMillis);
        fine.limit(Math.toIntExact(2 * (fineSpanMillis / paneMillis)));
        // One hour more than twice the span: the hourly level then always keeps whatever the fine one does.
        coarse.limit(Math.toIntExact(2 * ceilDiv(coarseSpanMillis, HOUR_MILLIS) + 1));
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
        if (!fine.add(Math.floorDiv(eventTimeMillis, paneMillis), good, total)) {
            return false;
        }
        if (!coarse.add(Math.floorDiv(eventTimeMillis, HOUR_MILLIS), good, total)) {
            // The hourly level keeps at least as much as the fine one, so this cannot happen.
            throw new IllegalStateException("hourly panes refused an event the fine panes took at " + eventTimeMillis);
        }
        return true;
    }

    /** Earliest event time {@link #add} still accepts, or {@code Long.MIN_VALUE} before the first prune. */
    public long oldestAcceptedMillis() {
        return fine.floor() == Long.MIN_VALUE ? Long.MIN_VALUE : fine.floor() * paneMillis;
    }

    /** Exact counts over the panes fully inside {@code [windowEnd - windowLength, windowEnd)}. */
    public Counts sum(long windowEndMillis, long windowLengthMillis) {
        if (windowLengthMillis <= 0) {
            throw new IllegalArgumentException("window length must be positive, got " + windowLengthMillis);
        }
        long from = windowEndMillis - windowLengthMillis;
        long fineEnd = Math.floorDiv(windowEndMillis, paneMillis);
        long fineFrom = fine.floor() == Long.MIN_VALUE ? Long.MIN_VALUE : fine.floor() * paneMillis;
        if (from >= fineFrom) {
            return fine.sum(ceilDiv(from, paneMillis), fineEnd);
        }
        // The fine level no longer reaches back to the window start: hourly panes up to the first hour
        // boundary the fine level fully covers, fine panes from there on.
        long cut = Math.min(ceil(fineFrom, HOUR_MILLIS), floor(windowEndMillis, HOUR_MILLIS));
        Counts old = coarse.sum(ceilDiv(from, HOUR_MILLIS), cut / HOUR_MILLIS);
        return old.plus(fine.sum(Math.max(cut / paneMillis, ceilDiv(from, paneMillis)), fineEnd));
    }

    /** Forgets panes that no window ending at or after {@code windowEndMillis} needs. */
    public void prune(long windowEndMillis) {
        if (fineSpanMillis == 0) {
            throw new IllegalStateException("burn-rate counts were read back without their spans: shape them first");
        }
        fine.prune(Math.floorDiv(windowEndMillis - fineSpanMillis, paneMillis));
        coarse.prune(Math.floorDiv(windowEndMillis - coarseSpanMillis, HOUR_MILLIS));
    }

    public boolean isEmpty() {
        return fine.isEmpty() && coarse.isEmpty();
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeLong(paneMillis);
        fine.writeTo(out);
        coarse.writeTo(out);
    }

    /**
     * Reads counts written by {@link #writeTo} without their spans: {@link #shape} them before use.
     */
    public static PaneCounts readUnshaped(DataInput in) throws IOException {
        PaneCounts c = new PaneCounts(in.readLong());
        c.fine.readFrom(in, "fine panes");
        c.coarse.readFrom(in, "hourly panes");
        return c;
    }

    /** Replaces the counts with what {@link #writeTo} wrote; the pane size must be the same. */
    public void readFrom(DataInput in) throws IOException {
        long written = in.readLong();
        if (written != paneMillis) {
            throw new IOException("burn-rate counts were written with " + written + " ms panes, now configured "
                    + paneMillis + " ms");
        }
        fine.readFrom(in, "fine panes");
        coarse.readFrom(in, "hourly panes");
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
