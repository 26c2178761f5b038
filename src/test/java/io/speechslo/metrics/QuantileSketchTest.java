package io.speechslo.metrics;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;

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
}
