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

    @Test
    void aRestoreKeepsWhatAddingTheWrittenPanesOneByOneKeeps() throws IOException {
        // the restore fills its arrays in one pass; the reference adds every written pane with requests
        // into a ring of the reading limit, as a restore once did, then applies the written floor
        Random random = new Random(5);
        for (int run = 0; run < 200; run++) {
            long floor = random.nextBoolean() ? Long.MIN_VALUE : 990 + random.nextInt(20);
            long first = 1_000;
            int n = random.nextInt(60);
            long[][] panes = new long[n][];
            for (int k = 0; k < n; k++) {
                // zeros at either end too: bytes not written by writeTo must read as adding them would
                long t = random.nextInt(4) == 0 ? 0 : random.nextInt(9);
                panes[k] = new long[] {t, t == 0 ? 0 : random.nextInt((int) t + 1)};
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeLong(floor);
            out.writeLong(first);
            out.writeInt(n);
            for (long[] p : panes) {
                io.speechslo.bytes.Varints.writeUnsigned(out, p[0]);
                io.speechslo.bytes.Varints.writeUnsigned(out, p[1]);
            }
            int limit = 1 + random.nextInt(70);
            PaneRing read = new PaneRing(limit);
            read.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), "test");
            PaneRing reference = new PaneRing(limit);
            for (int k = 0; k < n; k++) {
                if (panes[k][0] > 0) {
                    reference.add(first + k, panes[k][1], panes[k][0]);
                }
            }
            reference.prune(floor);
            assertThat(read.floor()).as("run %d floor (limit %d)", run, limit).isEqualTo(reference.floor());
            assertThat(read.size()).as("run %d size", run).isEqualTo(reference.size());
            for (int step = 0; step < 3; step++) { // and both go on alike
                for (long from = 980; from < 1_080; from += 7) {
                    assertThat(read.sumGood(from, from + 13)).as("run %d good from %d", run, from)
                            .isEqualTo(reference.sumGood(from, from + 13));
                    assertThat(read.sumTotal(from, from + 29)).as("run %d total from %d", run, from)
                            .isEqualTo(reference.sumTotal(from, from + 29));
                }
                long pane = first + random.nextInt(n + 40) - 5;
                assertThat(read.add(pane, 1, 2)).as("run %d add %d", run, pane).isEqualTo(reference.add(pane, 1, 2));
            }
            assertThat(written(read)).as("run %d bytes", run).isEqualTo(written(reference));
        }
    }

    private static byte[] written(PaneRing ring) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ring.writeTo(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private static PaneRing restored(PaneRing ring, int limit) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ring.writeTo(new DataOutputStream(bytes));
        PaneRing back = new PaneRing(limit);
        back.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), "test");
        return back;
    }
}
