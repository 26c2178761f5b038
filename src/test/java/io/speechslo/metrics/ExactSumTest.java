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
    void roundTripsItsState() throws IOException {
        ExactSum s = new ExactSum();
        s.add(1e16);
        s.add(1.0);
        s.add(-1e16);
        assertThat(s.value()).isEqualTo(1.0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        s.writeTo(new DataOutputStream(bytes));
        ExactSum back = new ExactSum();
        back.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(back.value()).isEqualTo(1.0);
    }
}
