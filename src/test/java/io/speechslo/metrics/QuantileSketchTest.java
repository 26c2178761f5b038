package io.speechslo.metrics;

import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import io.speechslo.bytes.Varints;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class QuantileSketchTest {

    @Test
    void quantilesAreWithinTheStatedRelativeAccuracy() {
        SplittableRandom rnd = new SplittableRandom(1);
        int n = 50_000;
        double[] values = new double[n];
        QuantileSketch s = new QuantileSketch();
        for (int i = 0; i < n; i++) {
            values[i] = Math.exp(4 + rnd.nextGaussian()); // heavy right tail, like latency
            s.add(values[i]);
        }
        Arrays.sort(values);
        for (double q : new double[] {0.5, 0.9, 0.95, 0.99, 0.999}) {
            double exact = values[(int) Math.floor(q * (n - 1))];
            assertThat(Math.abs(s.quantile(q) - exact) / exact).as("q=%s", q)
                    .isLessThanOrEqualTo(0.01);
        }
        assertThat(QuantileSketch.RELATIVE_ACCURACY).isLessThanOrEqualTo(0.01);
    }

    @Test
    void countAboveAndMergeAndRoundTrip() throws IOException {
        QuantileSketch a = new QuantileSketch();
        QuantileSketch b = new QuantileSketch();
        for (int i = 1; i <= 1000; i++) {
            (i % 2 == 0 ? a : b).add(i);
        }
        a.add(0, 5);
        a.merge(b);
        assertThat(a.count()).isEqualTo(1005);
        // values 301..1000 are above 300; values within the same 0.5% bin as 300 may count as not above
        assertThat(a.countAbove(300)).isBetween(697L, 700L);
        assertThat(a.countAbove(5000)).isZero();
        assertThat(a.countAbove(-1)).isEqualTo(1000);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        a.writeTo(new DataOutputStream(bytes));
        QuantileSketch back = new QuantileSketch();
        back.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(back.count()).isEqualTo(1005);
        for (double q : new double[] {0.001, 0.5, 0.95, 0.99}) {
            assertThat(back.quantile(q)).isEqualTo(a.quantile(q));
        }
        assertThat(new QuantileSketch().quantile(0.5)).isNaN();
    }

    @Test
    void answersExactlyAsTheLibrarysDDSketchWithACollapsingLowestStoreWhateverTheMergeOrder() {
        java.util.Random rnd = new java.util.Random(5);
        for (int round = 0; round < 20; round++) {
            com.datadoghq.sketch.ddsketch.DDSketch reference = com.datadoghq.sketch.ddsketch.DDSketches
                    .logarithmicCollapsingLowestDense(QuantileSketch.RELATIVE_ACCURACY, QuantileSketch.MAX_BINS);
            QuantileSketch[] parts = {new QuantileSketch(), new QuantileSketch(), new QuantileSketch()};
            QuantileSketch rolledUp = new QuantileSketch(); // many small sketches merged into one: a roll-up
            int n = 1 + rnd.nextInt(round < 10 ? 30 : 3_000);
            for (int i = 0; i < n; i++) {
                // latencies over five decades, some zeros, and (rarely) a huge outlier that forces collapsing
                double v = rnd.nextInt(20) == 0 ? 0 : Math.exp(rnd.nextGaussian() * 2 + 5);
                if (rnd.nextInt(500) == 0) {
                    v = 1e30;
                }
                reference.accept(v);
                parts[rnd.nextInt(3)].add(v);
                QuantileSketch one = new QuantileSketch();
                one.add(v);
                rolledUp.merge(one);
            }
            QuantileSketch merged = parts[round % 3];
            merged.merge(parts[(round + 1) % 3]);
            merged.merge(parts[(round + 2) % 3]);
            assertThat(merged.count()).isEqualTo(Math.round(reference.getCount()));
            assertThat(rolledUp.count()).isEqualTo(merged.count());
            for (double q : new double[] {0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1}) {
                assertThat(merged.quantile(q)).as("round %d q=%s", round, q).isEqualTo(reference.getValueAtQuantile(q));
                assertThat(rolledUp.quantile(q)).as("round %d q=%s", round, q).isEqualTo(reference.getValueAtQuantile(q));
            }
            for (double t : new double[] {-1, 0, 50, 150, 1_000, 1e6}) {
                long above = Math.round(reference.getPositiveValueStore().getAscendingStream()
                        .filter(b -> t < reference.getIndexMapping().minIndexableValue()
                                || b.getIndex() > reference.getIndexMapping().index(t))
                        .mapToDouble(com.datadoghq.sketch.ddsketch.store.Bin::getCount).sum());
                assertThat(merged.countAbove(t)).as("round %d above %s", round, t).isEqualTo(above);
            }
        }
    }

    // The dense form, against a model of the sketch as it was before it had one: bins in a sorted
    // map, collapsed after every add and merge. It never turns dense, so every answer and byte the
    // sketch gives must be the model's, whichever form the sketch is in.

    private static final IndexMapping MAPPING = new LogarithmicMapping(QuantileSketch.RELATIVE_ACCURACY);

    private static final class Model {
        final TreeMap<Integer, Long> bins = new TreeMap<>();
        long zeros;
        long count;

        void add(double value) {
            count++;
            if (Math.max(0, value) > Math.max(0, MAPPING.minIndexableValue())) {
                bins.merge(MAPPING.index(value), 1L, Long::sum);
                collapse();
            } else {
                zeros++;
            }
        }

        void merge(Model o) {
            count += o.count;
            zeros += o.zeros;
            new TreeMap<>(o.bins).forEach((index, c) -> bins.merge(index, c, Long::sum));
            collapse();
        }

        void collapse() {
            if (!bins.isEmpty() && bins.lastKey() - bins.firstKey() >= QuantileSketch.MAX_BINS) {
                int lowest = bins.lastKey() - QuantileSketch.MAX_BINS + 1;
                SortedMap<Integer, Long> below = bins.headMap(lowest);
                long folded = below.values().stream().mapToLong(Long::longValue).sum();
                below.clear();
                bins.merge(lowest, folded, Long::sum);
            }
        }

        double quantile(double q) {
            if (count == 0) {
                return Double.NaN;
            }
            double rank = q * (count - 1);
            double n = zeros;
            if (n > rank) {
                return 0;
            }
            for (Map.Entry<Integer, Long> bin : bins.entrySet()) {
                n += bin.getValue();
                if (n > rank) {
                    return MAPPING.value(bin.getKey());
                }
            }
            throw new IllegalStateException("rank " + rank + " beyond " + count);
        }

        long countAbove(double threshold) {
            SortedMap<Integer, Long> above = threshold < MAPPING.minIndexableValue()
                    ? bins : bins.tailMap(MAPPING.index(threshold), false);
            return above.values().stream().mapToLong(Long::longValue).sum();
        }

        /** The layout of QuantileSketch.writeTo: zeros, bins, then first index / gaps and counts. */
        byte[] bytes() throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            Varints.writeUnsigned(out, zeros);
            Varints.writeUnsigned(out, bins.size());
            Integer previous = null;
            for (Map.Entry<Integer, Long> bin : bins.entrySet()) {
                Varints.writeSigned(out, previous == null ? bin.getKey() : (long) bin.getKey() - previous);
                Varints.writeUnsigned(out, bin.getValue());
                previous = bin.getKey();
            }
            return bytes.toByteArray();
        }
    }

    /** A sketch and the model, fed the same. */
    private static final class Pair {
        QuantileSketch sketch = new QuantileSketch();
        Model model = new Model();

        Pair add(double value) {
            sketch.add(value);
            model.add(value);
            return this;
        }

        void merge(Pair o) {
            sketch.merge(o.sketch);
            model.merge(o.model);
        }

        void assertAsModel(String what) throws IOException {
            assertThat(sketch.count()).as("%s: count", what).isEqualTo(model.count);
            assertThat(sketch.isEmpty()).as("%s: empty", what).isEqualTo(model.count == 0);
            assertThat(bytes(sketch)).as("%s: bytes", what).isEqualTo(model.bytes());
            for (int k = 0; k <= 200; k++) {
                double q = k / 200.0;
                // boxed, so that NaN (empty) equals NaN
                assertThat(sketch.quantile(q)).as("%s: q=%s", what, q).isEqualTo(Double.valueOf(model.quantile(q)));
            }
            double[] thresholds = {-1, 0, 1e-6, 1, 10, 100, 150, 1_000, 1e5, 1e12,
                    model.quantile(0.1), model.quantile(0.5), model.quantile(0.9), model.quantile(1)};
            for (double t : thresholds) {
                if (!Double.isNaN(t)) {
                    assertThat(sketch.countAbove(t)).as("%s: above %s", what, t).isEqualTo(model.countAbove(t));
                }
            }
        }
    }

    private static byte[] bytes(QuantileSketch s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        s.writeTo(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private static QuantileSketch read(byte[] bytes) throws IOException {
        QuantileSketch s = new QuantileSketch();
        s.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
        return s;
    }

    /** Latency-like: a few zeros, the rest log-normal around 150 ms (some hundreds of bins in all). */
    private static double latency(SplittableRandom rnd) {
        return rnd.nextInt(25) == 0 ? 0 : Math.exp(5 + 0.5 * rnd.nextGaussian());
    }

    /** A value in the bin of that index. */
    private static double at(int index) {
        double v = MAPPING.value(index);
        assertThat(MAPPING.index(v)).isEqualTo(index);
        return v;
    }

    private static Pair pane(SplittableRandom rnd, int values) {
        Pair p = new Pair();
        for (int i = 0; i < values; i++) {
            p.add(latency(rnd));
        }
        return p;
    }

    /** 100 adjacent bins, indexes from..from + 99: dense. */
    private static Pair denseOver(int from) {
        Pair p = new Pair();
        for (int i = from; i < from + 100; i++) {
            p.add(at(i));
        }
        assertThat(p.sketch.isDense()).isTrue();
        return p;
    }

    @Test
    void aRollUpOfManySmallPanesAnswersAndWritesAsTheModelBeforeAndAfterItTurnsDense() throws IOException {
        for (long seed = 1; seed <= 4; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            Pair rollUp = new Pair();
            int sparsePanes = 0;
            for (int k = 0; k < 300; k++) {
                Pair pane = pane(rnd, 5 + rnd.nextInt(26));
                assertThat(pane.sketch.isDense()).isFalse();
                rollUp.merge(pane);
                sparsePanes += rollUp.sketch.isDense() ? 0 : 1;
                rollUp.assertAsModel("seed " + seed + " pane " + k);
            }
            assertThat(sparsePanes).as("seed %d", seed).isBetween(1, 299);
            assertThat(rollUp.sketch.isDense()).as("seed %d", seed).isTrue();
        }
    }

    @Test
    void everyPairOfFormsMergesAsTheModel() throws IOException {
        SplittableRandom rnd = new SplittableRandom(11);
        for (boolean intoDense : new boolean[] {false, true}) {
            for (boolean fromDense : new boolean[] {false, true}) {
                for (int round = 0; round < 8; round++) {
                    String what = (fromDense ? "dense" : "sparse") + " into " + (intoDense ? "dense" : "sparse")
                            + ", round " + round;
                    // round 0 merges into an empty sketch; the others' ranges overlap or lie apart
                    Pair into = round == 0 && !intoDense ? new Pair() : pane(rnd, intoDense ? 3_000 : 40);
                    Pair from = pane(rnd, fromDense ? 3_000 : 1 + rnd.nextInt(40));
                    int shift = (round - 4) * 150;
                    for (int i = 0; i < 30; i++) {
                        from.add(at(MAPPING.index(latency(rnd) + 1) + shift));
                    }
                    assertThat(into.sketch.isDense()).as(what).isEqualTo(intoDense);
                    assertThat(from.sketch.isDense()).as(what).isEqualTo(fromDense);
                    into.merge(from);
                    into.assertAsModel(what);
                    from.assertAsModel(what + ", the merged-in one");
                    assertThat(into.sketch.isDense()).as(what).isEqualTo(intoDense || fromDense);
                }
            }
        }
        // two sparse sketches whose union is large and close: dense
        Pair even = new Pair();
        Pair odd = new Pair();
        for (int i = 100; i < 200; i++) {
            (i % 2 == 0 ? even : odd).add(at(i));
        }
        assertThat(even.sketch.isDense()).isFalse();
        even.merge(odd);
        assertThat(even.sketch.isDense()).isTrue();
        even.assertAsModel("sparse and sparse make dense");
        // and a dense sketch into itself
        even.sketch.merge(even.sketch);
        even.model.merge(even.model);
        even.assertAsModel("dense into itself");
    }

    @Test
    void aDenseSketchGrowsBelowAndAboveItsRangeAndCollapsesBeyondMaxBinsAsTheModel() throws IOException {
        // indexes 500..599 to start; then above and below, each further than the window's headroom;
        // then a span of exactly MAX_BINS (nothing folds), one more (the lowest bin folds), one below
        // the kept range (it goes to the lowest kept bin), and far above (everything folds into one)
        int[] indexes = {620, 700, 300, 0, -1000, 1047, 1048, -2000, 1500, 5000, 4000, 2000, 6000, 5999};
        SplittableRandom rnd = new SplittableRandom(3);
        for (String how : new String[] {"add", "a pane", "a dense sketch"}) {
            Pair s = denseOver(500);
            for (int index : indexes) {
                String what = how + " at index " + index;
                switch (how) {
                    case "add" -> s.add(at(index));
                    case "a pane" -> s.merge(pane(rnd, 5).add(at(index)));
                    default -> {
                        Pair other = denseOver(index - 50);
                        s.merge(other);
                        other.assertAsModel(what + ", the merged-in one");
                    }
                }
                assertThat(s.sketch.isDense()).as(what).isTrue();
                s.assertAsModel(what);
            }
        }
        // a far lower dense sketch into a dense one: all of it goes to the lowest kept bin
        Pair high = denseOver(3_000);
        high.merge(denseOver(-3_000));
        high.assertAsModel("far below");
    }

    @Test
    void zerosClearAndReadingBackADenseSketch() throws IOException {
        SplittableRandom rnd = new SplittableRandom(5);
        Pair s = pane(rnd, 3_000);
        s.add(0).add(-3).add(0);
        s.sketch.add(0, 7);
        for (int i = 0; i < 7; i++) {
            s.model.add(0);
        }
        Pair onlyZeros = new Pair().add(0).add(0);
        s.merge(onlyZeros);
        assertThat(s.sketch.isDense()).isTrue();
        s.assertAsModel("dense with zeros");

        byte[] bytes = bytes(s.sketch);
        Pair back = new Pair();
        back.sketch = read(bytes);
        back.model.merge(s.model);
        assertThat(back.sketch.isDense()).isFalse();
        back.assertAsModel("read back");
        Pair other = pane(rnd, 3_000);
        other.merge(back);
        other.assertAsModel("read back, merged into a dense one");
        back.merge(other);
        back.assertAsModel("a dense one merged into the one read back");

        // reading over a dense sketch: what was read, sparse
        other.sketch.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
        other.model = new Model();
        other.model.merge(s.model);
        assertThat(other.sketch.isDense()).isFalse();
        other.assertAsModel("read over a dense one");

        s.sketch.clear();
        s.model = new Model();
        assertThat(s.sketch.isDense()).isFalse();
        assertThat(s.sketch.quantile(0.5)).isNaN();
        assertThat(s.sketch.countAbove(-1)).isZero();
        s.assertAsModel("cleared");
        SplittableRandom again = new SplittableRandom(5);
        for (int i = 0; i < 3_000; i++) {
            s.add(latency(again));
            if (i % 500 == 0) {
                s.assertAsModel("refilled, " + i);
            }
        }
        assertThat(s.sketch.isDense()).isTrue();
        s.assertAsModel("refilled");
    }

    @Test
    void randomAddsMergesReadsAndClearsOnSeveralSketchesAnswerAsTheModel() throws IOException {
        int denseChecks = 0;
        for (long seed = 1; seed <= 10; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            Pair[] sketches = {new Pair(), new Pair(), new Pair()};
            for (int step = 0; step < 1_500; step++) {
                int a = rnd.nextInt(sketches.length);
                int op = rnd.nextInt(1000);
                if (op < 600) {
                    // mostly latencies; rarely a value far out, which collapses
                    sketches[a].add(rnd.nextInt(2000) == 0 ? Math.exp(rnd.nextDouble() * 60 - 30) : latency(rnd));
                } else if (op < 900) {
                    sketches[a].merge(pane(rnd, rnd.nextInt(30)));
                } else if (op < 990) {
                    Pair b = sketches[rnd.nextInt(sketches.length)];
                    if (sketches[a].model.count + b.model.count < 1L << 40) { // merging into itself doubles
                        sketches[a].merge(b);
                    }
                } else if (op < 995) {
                    Pair fresh = new Pair();
                    fresh.merge(sketches[a]);
                    sketches[a] = fresh;
                } else if (op < 998) {
                    Pair back = new Pair();
                    back.sketch = read(bytes(sketches[a].sketch));
                    back.model.merge(sketches[a].model);
                    sketches[a] = back;
                } else {
                    sketches[a] = new Pair();
                }
                if (step % 3 == 0) {
                    denseChecks += sketches[a].sketch.isDense() ? 1 : 0;
                    sketches[a].assertAsModel("seed " + seed + " step " + step);
                }
            }
        }
        assertThat(denseChecks).isGreaterThan(1_000);
    }
}
