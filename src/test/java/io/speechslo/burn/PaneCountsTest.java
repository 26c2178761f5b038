package io.speechslo.burn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PaneCountsTest {

    private static final long MIN = 60_000L;
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;
    private static final long SEC = 1_000L;
    /** 2025-01-01T00:00:00Z, a multiple of every pane size used here. */
    private static final long T0 = 1_735_689_600_000L;

    private static PaneCounts counts(Duration longest) {
        return new PaneCounts(Duration.ofMinutes(1), longest, Duration.ofDays(30));
    }

    @Test
    void anEventExactlyAtAPaneEndBelongsToTheNextPane() {
        PaneCounts c = counts(Duration.ofHours(1));
        c.add(T0 + MIN - 1, 1, 1); // last millisecond of pane [T0, T0+1m)
        c.add(T0 + MIN, 0, 1); // first millisecond of pane [T0+1m, T0+2m)
        assertThat(c.sum(T0 + MIN, MIN)).isEqualTo(new Counts(1, 1));
        assertThat(c.sum(T0 + 2 * MIN, MIN)).isEqualTo(new Counts(0, 1));
        assertThat(c.sum(T0 + 2 * MIN, 2 * MIN)).isEqualTo(new Counts(1, 2));
        // A window covers [end - length, end): the pane starting at its end is outside it.
        assertThat(c.sum(T0, MIN)).isEqualTo(Counts.ZERO);
    }

    @Test
    void partialPanesAtAnUnalignedWindowAreLeftOut() {
        PaneCounts c = counts(Duration.ofHours(1));
        c.add(T0 + 10, 1, 1);
        c.add(T0 + MIN + 10, 1, 1);
        c.add(T0 + 2 * MIN + 10, 1, 1);
        // [T0+30s, T0+2m30s): only pane [T0+1m, T0+2m) lies fully inside.
        assertThat(c.sum(T0 + 2 * MIN + 30_000, 2 * MIN)).isEqualTo(new Counts(1, 1));
    }

    @Test
    void lateEventsOlderThanTheOldestKeptPaneAreRefused() {
        PaneCounts c = counts(Duration.ofHours(6));
        long end = T0 + DAY;
        assertThat(c.add(end - 10 * DAY, 1, 1)).isTrue(); // nothing pruned yet: still accepted
        c.prune(end);
        assertThat(c.oldestAcceptedMillis()).isEqualTo(end - 6 * HOUR);
        assertThat(c.add(end - 6 * HOUR - 1, 1, 1)).isFalse();
        assertThat(c.add(end - 6 * HOUR, 1, 1)).isTrue();
        assertThat(c.sum(end, 6 * HOUR)).isEqualTo(new Counts(1, 1));
    }

    @Test
    void eventsAheadOfTheEvaluationAreKeptAndCountedLater() {
        PaneCounts c = counts(Duration.ofHours(1));
        c.add(T0 + 30 * MIN, 5, 10);
        c.add(T0 + 90 * MIN, 7, 7); // far ahead of the next evaluation
        c.prune(T0 + HOUR);
        assertThat(c.sum(T0 + HOUR, HOUR)).isEqualTo(new Counts(5, 10));
        c.prune(T0 + 2 * HOUR);
        assertThat(c.sum(T0 + 2 * HOUR, HOUR)).isEqualTo(new Counts(7, 7));
        assertThat(c.sum(T0 + 2 * HOUR, 2 * HOUR)).isEqualTo(new Counts(12, 17));
    }

    @Test
    void aJumpFarAheadPushesOutTheOldPanesAndStaysSmall() throws IOException {
        PaneCounts c = counts(Duration.ofHours(1));
        assertThat(c.add(T0, 1, 1)).isTrue();
        assertThat(c.add(T0 + 3650 * DAY, 2, 2)).isTrue();
        assertThat(c.add(T0, 1, 1)).isFalse();
        assertThat(c.sum(T0 + 3650 * DAY + MIN, HOUR)).isEqualTo(new Counts(2, 2));
        assertThat(bytes(c).length).isLessThan(200);
    }

    @Test
    void fineWindowsAndTheThirtyDayBudgetAreExactAgainstABruteForceCount() {
        PaneCounts c = counts(Duration.ofHours(1));
        Random random = new Random(42);
        List<long[]> events = new ArrayList<>();
        long end = T0;
        for (int minute = 0; minute < 32 * 24 * 60; minute += 7) {
            long t = T0 + minute * MIN + random.nextInt(60_000);
            long total = 3 + random.nextInt(50);
            long good = total - random.nextInt(3);
            assertThat(c.add(t, good, total)).isTrue();
            events.add(new long[] {t, good, total});
            end = T0 + Math.floorDiv(minute, 60) * HOUR; // evaluation follows the events hour by hour
            c.prune(end);
        }
        assertThat(c.sum(end, HOUR)).isEqualTo(bruteForce(events, end - HOUR, end));
        assertThat(c.sum(end, 5 * MIN)).isEqualTo(bruteForce(events, end - 5 * MIN, end));
        // 30 days reach past the fine panes: hourly panes from the first hour boundary at or after end - 30d.
        long from = end - 30 * DAY;
        long hourAligned = -Math.floorDiv(-from, HOUR) * HOUR;
        Counts budget = c.sum(end, 30 * DAY);
        assertThat(budget).isEqualTo(bruteForce(events, hourAligned, end));
        // The same at an evaluation time that is not on an hour boundary (the fine panes give the last part).
        long unaligned = end + 17 * MIN;
        assertThat(c.sum(unaligned, 30 * DAY))
                .isEqualTo(bruteForce(events, -Math.floorDiv(-(unaligned - 30 * DAY), HOUR) * HOUR, unaligned));
    }

    @Test
    void budgetRemainingOverThirtyDaysOfHourlyPanes() {
        PaneCounts c = counts(Duration.ofHours(1));
        // 31 days, one bad request in every 4000: a 0.25x burn spends a quarter of a 99.9% budget.
        long end = T0;
        for (int hour = 0; hour < 31 * 24; hour++) {
            c.add(T0 + hour * HOUR + 10 * MIN, 3_999, 4_000);
            end = T0 + (hour + 1) * HOUR;
            c.prune(end);
        }
        Counts month = c.sum(end, 30 * DAY);
        assertThat(month).isEqualTo(new Counts(720L * 3_999, 720L * 4_000));
        assertThat(BurnRates.budgetRemaining(month.bad(), month.total(), 0.001)).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void snapshotRoundTripKeepsCountsAndTheLateBoundary() throws IOException {
        PaneCounts c = counts(Duration.ofHours(2));
        for (int m = 0; m < 300; m++) {
            c.add(T0 + m * MIN + 1, m % 3, 3);
        }
        c.prune(T0 + 240 * MIN);
        PaneCounts back = counts(Duration.ofHours(2));
        back.readFrom(new DataInputStream(new ByteArrayInputStream(bytes(c))));
        for (long len : new long[] {MIN, HOUR, 2 * HOUR, 30 * DAY}) {
            assertThat(back.sum(T0 + 300 * MIN, len)).isEqualTo(c.sum(T0 + 300 * MIN, len));
        }
        assertThat(back.sum(T0 + 300 * MIN, 2 * HOUR)).isEqualTo(new Counts(120, 360));
        assertThat(back.oldestAcceptedMillis()).isEqualTo(c.oldestAcceptedMillis()).isEqualTo(T0 + 120 * MIN);
        assertThat(back.add(T0 + 120 * MIN - 1, 1, 1)).isFalse();
        assertThat(bytes(back)).isEqualTo(bytes(c));
    }

    @Test
    void countsReadWithoutSpansAndShapedLaterEqualCountsReadIntoThatShape() throws IOException {
        PaneCounts c = counts(Duration.ofHours(4));
        for (int m = 0; m < 400; m++) {
            c.add(T0 + m * MIN + 1, m % 3, 3);
        }
        c.prune(T0 + 300 * MIN);
        byte[] written = bytes(c);
        PaneCounts unshaped = PaneCounts.readUnshaped(new DataInputStream(new ByteArrayInputStream(written)));
        assertThat(bytes(unshaped)).isEqualTo(written);
        assertThatThrownBy(() -> unshaped.prune(T0 + 400 * MIN))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without their spans");

        // narrower than written: the newest panes are kept, older ones refused from now on
        unshaped.shape(Duration.ofHours(1), Duration.ofDays(30));
        PaneCounts narrow = counts(Duration.ofHours(1));
        narrow.readFrom(new DataInputStream(new ByteArrayInputStream(written)));
        assertThat(bytes(unshaped)).isEqualTo(bytes(narrow));
        assertThat(unshaped.oldestAcceptedMillis()).isEqualTo(narrow.oldestAcceptedMillis()).isEqualTo(T0 + 280 * MIN);
        for (long len : new long[] {MIN, HOUR, 2 * HOUR, 30 * DAY}) {
            assertThat(unshaped.sum(T0 + 400 * MIN, len)).isEqualTo(narrow.sum(T0 + 400 * MIN, len));
        }
        unshaped.prune(T0 + 400 * MIN);
        narrow.prune(T0 + 400 * MIN);
        assertThat(bytes(unshaped)).isEqualTo(bytes(narrow));
    }

    @Test
    void restoringWithAnotherPaneSizeFails() throws IOException {
        PaneCounts c = counts(Duration.ofHours(1));
        c.add(T0, 1, 1);
        PaneCounts other = new PaneCounts(Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofDays(30));
        assertThatThrownBy(() -> other.readFrom(new DataInputStream(new ByteArrayInputStream(bytes(c)))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("60000 ms panes");
    }

    @Test
    void paneMustDivideAnHourAndWindowsMustBeWholePanes() {
        assertThatThrownBy(() -> new PaneCounts(Duration.ofMinutes(7), Duration.ofHours(1), Duration.ofDays(30)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("divide one hour");
        assertThatThrownBy(() -> new PaneCounts(Duration.ofMinutes(5), Duration.ofMinutes(62), Duration.ofDays(30)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole number");
    }

    // ---- panes shorter than a minute: fine panes keep an hour, minute panes the longest window ----

    private static PaneCounts fiveSecond(Duration longest) {
        return new PaneCounts(Duration.ofSeconds(5), longest, Duration.ofDays(30));
    }

    @Test
    void aOneMinutePaneWritesTheSameBytesAsBeforeTheMinuteLevel() throws IOException {
        PaneCounts c = counts(Duration.ofHours(2));
        c.add(T0 + 10, 3, 4);
        c.add(T0 + 59 * MIN + 59_999, 1, 1);
        c.add(T0 + 2 * HOUR + 5 * MIN, 200, 300);
        c.add(T0 + 3 * HOUR + 1, 0, 2);
        c.prune(T0 + 3 * HOUR + 30 * MIN);
        c.add(T0 + 3 * HOUR + 40 * MIN, 7, 7);
        // Written by the two-level implementation: pane size, fine panes, hourly panes.
        String before = "000000000000ea600000000001b968fa0000000001b9691d00000060"
                + "ac02c801" + "00".repeat(108) + "0200" + "00".repeat(78) + "0707"
                + "000000000007588b0000000000075b580000000405040000ac02c8010907";
        assertThat(HexFormat.of().formatHex(bytes(c))).isEqualTo(before);
        assertThat(c.levels()).isEqualTo(2);
        assertThat(c.sum(T0 + 4 * HOUR, 30 * DAY)).isEqualTo(new Counts(211, 314));
        assertThat(c.sum(T0 + 4 * HOUR, 2 * HOUR)).isEqualTo(new Counts(207, 309));
        assertThat(c.oldestAcceptedMillis()).isEqualTo(T0 + 90 * MIN);
    }

    @Test
    void fiveSecondPanesSumExactlyInsideTheLastHour() {
        PaneCounts c = fiveSecond(Duration.ofDays(3));
        long end = T0 + DAY + 35 * SEC; // not on a minute boundary
        // One event in each 5 s pane of the last hour and a bit, counts telling the panes apart.
        for (long t = end - HOUR - 10 * MIN; t < end + MIN; t += 5 * SEC) {
            long i = (t - T0) / (5 * SEC);
            assertThat(c.add(t + 1 + i % 4_999, i % 2, 1 + i % 7)).isTrue();
        }
        c.prune(end - 5 * SEC); // as the monitor does: the previous evaluation pruned
        for (long len : new long[] {5 * SEC, 10 * SEC, 35 * SEC, MIN, 5 * MIN + 25 * SEC, 30 * MIN, HOUR}) {
            assertThat(c.sum(end, len)).as("window %d ms", len).isEqualTo(perPane(end - len, end));
        }
        // The same at an evaluation time on a minute boundary, and a window whose start is mid-minute.
        assertThat(c.sum(end + 25 * SEC, HOUR)).isEqualTo(perPane(end + 25 * SEC - HOUR, end + 25 * SEC));
        assertThat(c.sum(end, 17 * MIN + 5 * SEC)).isEqualTo(perPane(end - 17 * MIN - 5 * SEC, end));
        // A window ending mid-pane leaves that pane out; one starting mid-pane leaves the first out.
        assertThat(c.sum(end + 2 * SEC, 10 * SEC)).isEqualTo(perPane(end - 5 * SEC, end));
        assertThat(c.sum(end, 5 * SEC)).isNotEqualTo(c.sum(end - 5 * SEC, 5 * SEC));
    }

    /** What {@link #fiveSecondPanesSumExactlyInsideTheLastHour} put into the 5 s panes inside [from, to). */
    private static Counts perPane(long from, long to) {
        long g = 0;
        long t = 0;
        for (long p = -Math.floorDiv(-from, 5 * SEC) * 5 * SEC; p + 5 * SEC <= to; p += 5 * SEC) {
            long i = (p - T0) / (5 * SEC);
            g += i % 2;
            t += 1 + i % 7;
        }
        return new Counts(g, t);
    }

    @Test
    void sixHourAndThreeDayWindowsReachBackThroughMinuteAndHourlyPanes() {
        long end = T0 + 10 * DAY + 30 * MIN + 35 * SEC;
        // Longest window 3 d: 6 h and 3 d in minute panes (plus the last hour in 5 s panes), 30 d in hours.
        PaneCounts c = fiveSecond(Duration.ofDays(3));
        // Longest window 1 h: 6 h and 3 d reach back through hourly panes.
        PaneCounts h = fiveSecond(Duration.ofHours(1));
        for (PaneCounts x : List.of(c, h)) {
            // Oldest first, so none is pushed out by a newer one before the prune at end.
            long[][] events = {
                {end - 3 * DAY - 5 * SEC, 3}, // just before the 3 d window
                {end - 3 * DAY + 20 * SEC, 30}, // in its first (partial) minute: missed
                {end - 3 * DAY + 26 * MIN, 300}, // in its first whole minute, in a partial hour
                {end - 3 * DAY + 60 * MIN, 3_000}, // in its first whole hour
                {end - 6 * HOUR + 10 * SEC, 1}, // in the minute that starts before the 6 h window: missed
                {end - 6 * HOUR + 25 * SEC, 10}, // first whole minute of it
                {end - 5 * HOUR - 30 * MIN - 35 * SEC, 100}, // first whole hour of it
                {end - HOUR - 3 * SEC, 1_000}, // minute panes, not fine ones
                {end - HOUR + 20 * SEC, 10_000}, // in the fine hour, in a minute the fine panes only partly cover
                {end - 1, 100_000}, // last fine pane
                {end, 7}, // outside every window ending at end
            };
            for (long[] e : events) {
                assertThat(x.add(e[0], e[1], e[1])).isTrue();
            }
            x.prune(end);
        }
        Counts lastHour = new Counts(110_000, 110_000);
        assertThat(c.sum(end, HOUR)).isEqualTo(lastHour);
        assertThat(h.sum(end, HOUR)).isEqualTo(lastHour);
        assertThat(c.sum(end, 6 * HOUR)).isEqualTo(new Counts(111_110, 111_110));
        assertThat(h.sum(end, 6 * HOUR)).isEqualTo(new Counts(111_100, 111_100));
        assertThat(c.sum(end, 3 * DAY)).isEqualTo(new Counts(114_411, 114_411));
        assertThat(h.sum(end, 3 * DAY)).isEqualTo(new Counts(114_111, 114_111));
        // 30 days reach back through hourly panes in both; everything above lies inside.
        assertThat(c.sum(end, 30 * DAY)).isEqualTo(new Counts(114_444, 114_444));
        assertThat(h.sum(end, 30 * DAY)).isEqualTo(new Counts(114_444, 114_444));
    }

    @ParameterizedTest(name = "pane {0} s, longest window {1}")
    @CsvSource({"5, PT1H", "5, PT6H", "5, P3D", "10, P3D", "10, PT30M", "60, PT1H", "60, P3D"})
    void windowsAndTheThirtyDayBudgetAreExactAgainstABruteForceCount(long paneSeconds, Duration longest) {
        long pane = paneSeconds * SEC;
        PaneCounts c = new PaneCounts(Duration.ofSeconds(paneSeconds), longest, Duration.ofDays(30));
        boolean minuteLevel = pane < MIN;
        assertThat(c.levels()).isEqualTo(minuteLevel ? 3 : 2);
        long fineSpan = minuteLevel ? HOUR : Math.max(longest.toMillis(), HOUR);
        long minuteSpan = Math.max(longest.toMillis(), HOUR);
        Random random = new Random(7 + paneSeconds);
        List<long[]> accepted = new ArrayList<>();
        long[] windows = {pane, 5 * MIN, HOUR, HOUR + pane, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY, 30 * DAY};
        long t = T0 + random.nextInt(100_000);
        long end = T0;
        int n = 0;
        // Sparse events for 31 days, then a dense last day; the evaluation follows two minutes behind the
        // newest event, pane by pane, and a few events arrive late.
        while (t < T0 + 32 * DAY) {
            t += t < T0 + 31 * DAY ? random.nextInt((int) (20 * MIN)) : random.nextInt((int) (20 * SEC));
            long at = random.nextInt(50) == 0 ? t - HOUR - random.nextInt((int) (3 * HOUR)) : t;
            long total = 1 + random.nextInt(50);
            long good = total - random.nextInt((int) Math.min(total, 4));
            boolean late = at < c.oldestAcceptedMillis();
            assertThat(c.add(at, good, total)).isEqualTo(!late);
            if (!late) {
                accepted.add(new long[] {at, good, total});
            }
            long due = Math.floorDiv(t - 2 * MIN, pane) * pane;
            if (due > end) {
                end = due;
                c.prune(end);
            }
            if (++n % 400 == 0 || t >= T0 + 32 * DAY) {
                for (long len : windows) {
                    long from = end - len;
                    // The window starts at the first boundary of the finest level still keeping its start.
                    long unit = from >= Math.floorDiv(end - fineSpan, pane) * pane ? pane
                            : minuteLevel && from >= Math.floorDiv(end - minuteSpan, MIN) * MIN ? MIN : HOUR;
                    long start = -Math.floorDiv(-from, unit) * unit;
                    assertThat(c.sum(end, len))
                            .as("window %d ms ending at %d", len, end)
                            .isEqualTo(bruteForce(accepted, start, end));
                }
            }
        }
        assertThat(n).isGreaterThan(6_000);
    }

    @Test
    void lateEventsAreRefusedAtTheFiveSecondFloorNotTheMinuteOne() throws IOException {
        PaneCounts c = fiveSecond(Duration.ofHours(6));
        long end = T0 + DAY + 35 * SEC;
        assertThat(c.add(end - 10 * DAY, 1, 1)).isTrue(); // nothing pruned yet: still accepted
        c.prune(end);
        assertThat(c.oldestAcceptedMillis()).isEqualTo(end - HOUR);
        byte[] before = bytes(c);
        assertThat(c.add(end - HOUR - 1, 1, 1)).isFalse(); // inside a minute the minute level still keeps
        assertThat(c.add(end - 2 * HOUR, 1, 1)).isFalse();
        assertThat(bytes(c)).isEqualTo(before);
        assertThat(c.add(end - HOUR, 2, 2)).isTrue();
        assertThat(c.sum(end, HOUR)).isEqualTo(new Counts(2, 2));
        assertThat(c.sum(end, 6 * HOUR)).isEqualTo(new Counts(2, 2));
        // Pushed out rather than pruned: a day ahead of the last prune, the floor follows the newest event.
        assertThat(c.add(end + DAY, 5, 5)).isTrue();
        assertThat(c.oldestAcceptedMillis()).isEqualTo(end + DAY - 2 * HOUR + 5 * SEC);
        assertThat(c.add(end + DAY - 2 * HOUR + 5 * SEC - 1, 1, 1)).isFalse();
        assertThat(c.add(end + DAY - 2 * HOUR + 5 * SEC, 1, 1)).isTrue();
    }

    @ParameterizedTest(name = "pane {0} s, longest window {1}")
    @CsvSource({"5, PT1H", "10, PT1H", "5, PT90M", "60, PT1H"})
    void coarserLevelsTakeEveryEventTheFinePanesTakeWhereverTheNewestFalls(long paneSeconds, Duration longest) {
        long pane = paneSeconds * SEC;
        for (long offset = 0; offset < HOUR; offset += pane) {
            PaneCounts c = new PaneCounts(Duration.ofSeconds(paneSeconds), longest, Duration.ofDays(30));
            c.add(T0 + offset, 1, 1);
            assertThat(c.add(T0 + DAY + offset, 2, 2)).isTrue(); // far ahead: the old panes are pushed out
            long oldest = c.oldestAcceptedMillis();
            assertThat(oldest).isGreaterThan(T0 + DAY + offset - 2 * Math.max(longest.toMillis(), HOUR));
            assertThat(c.add(oldest, 4, 4)).as("offset %d", offset).isTrue();
            assertThat(c.sum(T0 + DAY + offset + pane, DAY)).isEqualTo(new Counts(6, 6));
        }
    }

    @Test
    void aDayOfEventsEveryFiveSecondsKeepsTheRingsBounded() throws IOException {
        // Evaluated pane by pane: about an hour of 5 s panes, 3 days of minutes, 30 days of hours at most.
        PaneCounts pruned = fiveSecond(Duration.ofDays(3));
        // Never evaluated (a stalled watermark): the oldest panes are pushed out at twice the span.
        PaneCounts pushed = fiveSecond(Duration.ofDays(3));
        for (long t = T0; t < T0 + DAY; t += 5 * SEC) {
            pruned.add(t + 1, 9, 10);
            pruned.prune(t);
            pushed.add(t + 1, 9, 10);
        }
        for (PaneCounts c : List.of(pruned, pushed)) {
            assertThat(c.panesHeld(0)).isLessThanOrEqualTo(1_440); // 2 h of 5 s panes
            assertThat(c.panesAllocated(0)).isLessThanOrEqualTo(1_440);
            assertThat(c.panesHeld(1)).isEqualTo(24 * 60); // the whole day so far, in minutes
            assertThat(c.panesAllocated(1)).isLessThanOrEqualTo(2 * 3 * 24 * 60 + 1);
            assertThat(c.panesHeld(2)).isEqualTo(24);
            assertThat(c.sum(T0 + DAY, DAY)).isEqualTo(new Counts(9 * 17_280, 10 * 17_280));
        }
        assertThat(pruned.panesHeld(0)).isEqualTo(721); // the last hour and the pane being filled
        assertThat(pushed.panesHeld(0)).isEqualTo(1_440);
        assertThat(pushed.oldestAcceptedMillis()).isEqualTo(T0 + DAY - 2 * HOUR);
        assertThat(pruned.sum(T0 + DAY, HOUR)).isEqualTo(new Counts(9 * 720, 10 * 720));
        assertThat(bytes(pruned).length).isLessThan(3 * 1_440 + 24 * 60 * 3 + 24 * 4 + 100);
    }

    @Test
    void fiveSecondCountsRoundTripToEqualBytesAndEqualSums() throws IOException {
        PaneCounts c = fiveSecond(Duration.ofDays(3));
        Random random = new Random(5);
        for (long t = T0; t < T0 + 4 * DAY; t += random.nextInt((int) (3 * MIN))) {
            long total = 3 + random.nextInt(1_000);
            assertThat(c.add(t, total - random.nextInt(3), total)).isTrue();
        }
        long end = T0 + 4 * DAY - 40 * MIN + 15 * SEC;
        c.prune(end);
        byte[] written = bytes(c);

        // Layout: pane size, then the fine, minute and hourly rings, nothing after them.
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(written));
        assertThat(in.readLong()).isEqualTo(5 * SEC);
        PaneRing fine = new PaneRing(Integer.MAX_VALUE);
        PaneRing minutes = new PaneRing(Integer.MAX_VALUE);
        PaneRing hours = new PaneRing(Integer.MAX_VALUE);
        fine.readFrom(in, "fine");
        minutes.readFrom(in, "minutes");
        hours.readFrom(in, "hours");
        assertThat(in.available()).isZero();
        assertThat(fine.floor() * 5 * SEC).isEqualTo(end - HOUR);
        assertThat(minutes.floor() * MIN).isEqualTo(T0 + DAY - 40 * MIN); // end - 3 d, whole minutes
        assertThat(hours.floor() * HOUR).isEqualTo(T0 - 26 * DAY - HOUR); // end - 30 d, whole hours

        PaneCounts back = fiveSecond(Duration.ofDays(3));
        back.readFrom(new DataInputStream(new ByteArrayInputStream(written)));
        PaneCounts unshaped = PaneCounts.readUnshaped(new DataInputStream(new ByteArrayInputStream(written)));
        assertThat(bytes(back)).isEqualTo(written);
        assertThat(bytes(unshaped)).isEqualTo(written);
        unshaped.shape(Duration.ofDays(3), Duration.ofDays(30));
        for (PaneCounts r : List.of(back, unshaped)) {
            assertThat(r.oldestAcceptedMillis()).isEqualTo(c.oldestAcceptedMillis());
            for (long len : new long[] {5 * SEC, 5 * MIN, HOUR, 6 * HOUR, 3 * DAY, 30 * DAY}) {
                for (long e : new long[] {end, end + 5 * SEC, end + 45 * SEC, end + 20 * MIN}) {
                    assertThat(r.sum(e, len)).isEqualTo(c.sum(e, len));
                }
            }
        }
        assertThat(c.sum(end, 6 * HOUR).total()).isPositive();

        // Narrower spans forget what no longer fits, as reading into narrower counts does.
        unshaped.shape(Duration.ofHours(6), Duration.ofDays(30));
        PaneCounts narrow = fiveSecond(Duration.ofHours(6));
        narrow.readFrom(new DataInputStream(new ByteArrayInputStream(written)));
        assertThat(bytes(unshaped)).isEqualTo(bytes(narrow));
        assertThat(narrow.panesHeld(1)).isLessThanOrEqualTo(2 * 6 * 60 + 1);
        assertThat(narrow.sum(end, 6 * HOUR)).isEqualTo(c.sum(end, 6 * HOUR));
        narrow.prune(end + MIN);
        unshaped.prune(end + MIN);
        assertThat(bytes(unshaped)).isEqualTo(bytes(narrow));
    }

    @Test
    void subMinutePanesMustDivideAMinuteAndStateKeepsItsPaneSize() throws IOException {
        assertThatThrownBy(() -> new PaneCounts(Duration.ofSeconds(45), Duration.ofHours(1), Duration.ofDays(30)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT45S")
                .hasMessageContaining("divide one minute");
        assertThatThrownBy(() -> new PaneCounts(Duration.ofSeconds(7), Duration.ofHours(1), Duration.ofDays(30)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("divide one hour");
        assertThat(new PaneCounts(Duration.ofSeconds(90), Duration.ofHours(3), Duration.ofDays(30)).levels())
                .isEqualTo(2);
        PaneCounts c = fiveSecond(Duration.ofHours(1));
        c.add(T0, 1, 1);
        PaneCounts tenSecond = new PaneCounts(Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofDays(30));
        assertThatThrownBy(() -> tenSecond.readFrom(new DataInputStream(new ByteArrayInputStream(bytes(c)))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("5000 ms panes");
        assertThat(fiveSecond(Duration.ofHours(1)).isEmpty()).isTrue();
        assertThat(c.isEmpty()).isFalse();
        c.prune(T0 + 31 * DAY);
        assertThat(c.isEmpty()).isTrue();
    }

    private static Counts bruteForce(List<long[]> events, long from, long to) {
        long g = 0;
        long t = 0;
        for (long[] e : events) {
            if (e[0] >= from && e[0] < to) {
                g += e[1];
                t += e[2];
            }
        }
        return new Counts(g, t);
    }

    private static byte[] bytes(PaneCounts c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.writeTo(new DataOutputStream(out));
        return out.toByteArray();
    }
}
