package io.speechslo.metrics;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ExactSumTest {

    @Test
    void theSumIsTheCorrectlyRoundedExactSumWhateverTheOrder() {
        Random rnd = new Random(3);
        List<Double> values = new ArrayList<>();
        BigDecimal exact = BigDecimal.ZERO;
        for (int i = 0; i < 10_000; i++) {
            double v = rnd.nextDouble() * Math.pow(10, rnd.nextInt(12) - 6) * (rnd.nextBoolean() ? 1 : -1);
            values.add(v);
            exact = exact.add(new BigDecimal(v));
        }
        double expected = exact.doubleValue();
        double plain = 0;
        for (double v : values) {
            plain += v;
        }
        for (int round = 0; round < 5; round++) {
            Collections.shuffle(values, rnd);
            ExactSum a = new ExactSum();
            ExactSum b = new ExactSum();
            for (int i = 0; i < values.size(); i++) {
                (i % 3 == 0 ? a : b).add(values.get(i));
            }
            a.add(b);
            assertThat(a.value()).isEqualTo(expected);
        }
        assertThat(plain).as("plain += is order-dependent and inexact here").isNotEqualTo(expected);
    }

    @Test
    void wholeNumbersFractionsAndLongOverflowSumExactlyInAnyOrderAndGrouping() {
        Random rnd = new Random(11);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            values.add(0x1p53); // 3,000 of these overflow a long: the sum is near 2.7e19
        }
        for (int i = 0; i < 5_000; i++) {
            values.add((double) rnd.nextInt(1_000)); // counts: the long path
            values.add(-(double) rnd.nextInt(50));
            values.add(rnd.nextDouble() * 0.01); // fractions: the partials
        }
        values.add(-0x1p60);
        values.add(0x1p62 + 4096);
        BigDecimal exact = BigDecimal.ZERO;
        for (double v : values) {
            exact = exact.add(new BigDecimal(v));
        }
        double expected = exact.doubleValue();
        for (int round = 0; round < 5; round++) {
            Collections.shuffle(values, rnd);
            ExactSum[] parts = {new ExactSum(), new ExactSum(), new ExactSum()};
            for (int i = 0; i < values.size(); i++) {
                parts[rnd.nextInt(3)].add(values.get(i));
            }
            parts[round % 3].add(parts[(round + 1) % 3]);
            parts[round % 3].add(parts[(round + 2) % 3]);
            assertThat(parts[round % 3].value()).isEqualTo(expected);
        }
    }

    @Test
    void mergingTwoNearlyFullLongsIsStillExact() {
        ExactSum a = new ExactSum();
        ExactSum b = new ExactSum();
        for (int i = 0; i < 1_000; i++) {
            a.add(0x1p53);
            b.add(0x1p53);
        }
        a.add(1.0);
        a.add(b);
        BigDecimal exact = new BigDecimal(0x1p53).multiply(BigDecimal.valueOf(2_000)).add(BigDecimal.ONE);
        assertThat(a.value()).isEqualTo(exact.doubleValue());
        a.add(-0x1p53 * 2_000);
        assertThat(a.value()).isEqualTo(1.0);
    }

    @Test
    void roundTripsItsState() throws IOException {
        ExactSum s = new ExactSum();
        s.add(1e16);
        s.add(1.0);
        s.add(0.25);
        s.add(-1e16);
        assertThat(s.value()).isEqualTo(1.25);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        s.writeTo(new DataOutputStream(bytes));
        ExactSum back = new ExactSum();
        back.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(back.value()).isEqualTo(1.25);
    }
}
