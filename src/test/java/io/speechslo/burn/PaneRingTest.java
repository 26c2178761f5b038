package io.speechslo.burn;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ring's window sums come from running sums brought up to date lazily; whatever order adds, prunes,
 * push-outs, growth below the oldest pane and restores come in, every sum must be what a plain count of
 * the accepted adds gives.
 */
class PaneRingTest {

    @Test
    void windowSumsEqualABruteForceCountThroughAddsPrunesPushOutsAndRestores() throws IOException {
        Random random = new Random(11);
        for (int run = 0; run < 40; run++) {
            int limit = 1 + random.nextInt(run % 2 == 0 ? 8 : 200);
            PaneRing ring = new PaneRing(limit);
            TreeMap<Long, long[]> expected = new TreeMap<>(); // pane -> {good, total}, the panes held
            long newest = random.nextInt(1_000);
            for (int step = 0; step < 3_000; step++) {
                int op = random.nextInt(100);
                if (op < 60) { // mostly the newest panes, sometimes older ones, sometimes further ahead
                    long pane = op < 40 ? newest + random.nextInt(2)
                            : op < 55 ? newest - random.nextInt(limit + 3) : newest + random.nextInt(3 * limit);
                    long t = random.nextInt(5);
                    long g = t == 0 ? 0 : random.nextInt((int) t + 1);
                    boolean taken = ring.add(pane, g, t);
                    if (taken) {
                        newest = Math.max(newest, pane);
                        expected.computeIfAbsent(pane, p -> new long[2])[0] += g;
                        expected.get(pane)[1] += t;
                    }
                } else if (op < 63) {
                    ring.prune(newest - random.nextInt(limit + 1));
                } else if (op < 65) {
                    ring = restored(ring, limit);
                } else {
                    long from = newest - random.nextInt(2 * limit + 5);
                    long to = from + random.nextInt(2 * limit + 5);
                    // what the ring still holds decides what counts: older panes were pushed out or pruned
                    long kept = ring.floor();
                    expected.headMap(kept).clear();
                    long good = 0;
                    long total = 0;
                    for (var e : expected.subMap(from, to).entrySet()) {
                        good += e.getValue()[0];
                        total += e.getValue()[1];
                    }
                    assertThat(ring.sumGood(from, to)).as("run %d step %d good [%d, %d)", run, step, from, to)
                            .isEqualTo(good);
                    assertThat(ring.sumTotal(from, to)).as("run %d step %d total [%d, %d)", run, step, from, to)
                            .isEqualTo(total);
                }
            }
        }
    }

    @Test
    void aWindowOverTheWholeRingAndOneOverASinglePane() {
        PaneRing ring = new PaneRing(10);
        for (long p = 100; p < 110; p++) {
            ring.add(p, 1, p - 99);
        }
        assertThat(ring.sumTotal(0, 1_000)).isEqualTo(55);
        assertThat(ring.sumTotal(104, 105)).isEqualTo(5);
        ring.add(104, 0, 100); // an older pane changes after it was summed
        assertThat(ring.sumTotal(104, 105)).isEqualTo(105);
        assertThat(ring.sumTotal(103, 110)).isEqualTo(4 + 105 + 6 + 7 + 8 + 9 + 10);
        ring.add(112, 2, 2); // pushes out 100..102
        assertThat(ring.sumGood(0, 1_000)).isEqualTo(7 + 2);
        assertThat(ring.sumTotal(0, 103)).isZero();
    }

    private static PaneRing restored(PaneRing ring, int limit) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ring.writeTo(new DataOutputStream(bytes));
        PaneRing back = new PaneRing(limit);
        back.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), "test");
        return back;
    }
}
