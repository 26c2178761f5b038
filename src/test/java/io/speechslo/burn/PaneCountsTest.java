package io.speechslo.burn;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PaneCountsTest {

    private static final long MIN = 60_000L;
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;
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
