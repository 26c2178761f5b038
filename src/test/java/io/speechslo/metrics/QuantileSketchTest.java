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
}
