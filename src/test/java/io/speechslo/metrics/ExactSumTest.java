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

    @Test
    void valuesTheFixedPartCannotHoldSpillAndTheSumStaysExact() {
        // tiny bits (below 2^-96), huge values (2^61 and up) and sums that outgrow 2^93, mixed with
        // ordinary ones, both signs, split and merged in different groupings
        Random rnd = new Random(21);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            double sign = rnd.nextBoolean() ? 1 : -1;
            switch (i % 6) {
                case 0 -> values.add(sign * rnd.nextDouble() * Math.pow(2, -100 - rnd.nextInt(40)));
                case 1 -> values.add(sign * rnd.nextDouble() * Math.pow(2, 61 + rnd.nextInt(40)));
                case 2 -> values.add(sign * Double.MIN_VALUE * rnd.nextInt(1_000));
                case 3 -> values.add(sign * rnd.nextInt(1_000_000));
                default -> values.add(sign * rnd.nextDouble() * Math.pow(10, rnd.nextInt(10) - 5));
            }
        }
        for (int i = 0; i < 40; i++) {
            values.add(0x1p92); // together past 2^93: merges spill
        }
        BigDecimal exact = BigDecimal.ZERO;
        for (double v : values) {
            exact = exact.add(new BigDecimal(v));
        }
        double expected = exact.doubleValue();
        for (int round = 0; round < 4; round++) {
            Collections.shuffle(values, rnd);
            ExactSum[] parts = {new ExactSum(), new ExactSum(), new ExactSum(), new ExactSum()};
            for (double v : values) {
                parts[rnd.nextInt(parts.length)].add(v);
            }
            parts[0].add(parts[1]);
            parts[2].add(parts[3]);
            parts[0].add(parts[2]);
            assertThat(parts[0].value()).isEqualTo(expected);
        }
    }

    @Test
    void roundsHalfwayCasesToEvenAndNegativeSumsLikePositiveOnes() {
        for (double sign : new double[] {1, -1}) {
            ExactSum s = new ExactSum();
            s.add(sign * 0x1p53);
            s.add(sign * 1.0); // exactly between 2^53 and 2^53 + 2: to the even one
            assertThat(s.value()).isEqualTo(sign * 0x1p53);
            s.add(sign * 2.0); // 2^53 + 3, between 2^53 + 2 and 2^53 + 4: to the even one
            assertThat(s.value()).isEqualTo(sign * (0x1p53 + 4));
            ExactSum u = new ExactSum();
            u.add(sign * 0x1p53);
            u.add(sign * 1.0);
            u.add(sign * 0x1p-90); // just past halfway: away from zero
            assertThat(u.value()).isEqualTo(sign * (0x1p53 + 2));
            ExactSum t = new ExactSum();
            t.add(sign * 0.1);
            t.add(sign * 0.2);
            assertThat(t.value()).isEqualTo(new BigDecimal(0.1).add(new BigDecimal(0.2)).multiply(BigDecimal.valueOf(sign))
                    .doubleValue());
        }
    }

    @Test
    void everyFormRoundTripsToTheSameSumAndTheSameBytes() throws IOException {
        ExactSum whole = new ExactSum();
        whole.add(-12);
        ExactSum fraction = new ExactSum();
        fraction.add(-0.013);
        fraction.add(2.5);
        ExactSum wide = new ExactSum();
        for (int i = 0; i < 3_000; i++) {
            wide.add(0x1p53); // past a long in its integer part
        }
        wide.add(0.75);
        ExactSum spilled = new ExactSum();
        spilled.add(1e-40);
        spilled.add(3.0);
        spilled.add(1e30);
        for (ExactSum s : new ExactSum[] {new ExactSum(), whole, fraction, wide, spilled}) {
            byte[] bytes = bytes(s);
            ExactSum back = new ExactSum();
            back.add(99.5); // replaced by what is read
            back.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
            assertThat(back.value()).isEqualTo(s.value());
            assertThat(bytes(back)).isEqualTo(bytes);
        }
        assertThat(bytes(whole)).hasSize(2);
    }

    private static byte[] bytes(ExactSum s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        s.writeTo(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    @Test
    void wholeNumbersAddedAsLongsSumExactlyWithDoublesAndSpillPastTheFixedRange() {
        Random rnd = new Random(8);
        ExactSums asLongs = new ExactSums(2);
        ExactSums asDoubles = new ExactSums(2);
        BigDecimal exact = BigDecimal.ZERO;
        for (int i = 0; i < 20_000; i++) {
            long v = switch (i % 4) {
                case 0 -> rnd.nextInt(1_000);
                case 1 -> -rnd.nextInt(1 << 30);
                case 2 -> (long) rnd.nextInt() * rnd.nextInt(); // squares and products of ints
                default -> rnd.nextLong() >> rnd.nextInt(3); // up to 2^63
            };
            asLongs.add(1, v);
            exact = exact.add(BigDecimal.valueOf(v));
            double d = rnd.nextDouble() * 100;
            asLongs.add(1, d);
            exact = exact.add(new BigDecimal(d));
            asDoubles.add(0, (double) (v >> 32 << 32));
            asDoubles.add(0, (double) (v & 0xffff_ffffL));
            asDoubles.add(0, d);
        }
        assertThat(asLongs.value(1)).isEqualTo(exact.doubleValue()).isEqualTo(asDoubles.value(0));
        assertThat(asLongs.value(0)).isZero();
    }

    @Test
    void sumsThatOutgrowTheFixedRangeThroughMergesSpillAndStayExact() {
        ExactSums a = new ExactSums(1);
        a.add(0, Long.MAX_VALUE);
        a.add(0, 0.375);
        BigDecimal exact = BigDecimal.valueOf(Long.MAX_VALUE).add(new BigDecimal(0.375));
        for (int i = 0; i < 34; i++) { // doubling each time: past 2^93 the merges spill
            a.add(a);
            exact = exact.add(exact);
        }
        for (int i = 0; i < 3; i++) {
            a.add(0, Long.MAX_VALUE);
            a.add(0, 1.5);
            exact = exact.add(BigDecimal.valueOf(Long.MAX_VALUE)).add(new BigDecimal(1.5));
        }
        assertThat(a.value(0)).isEqualTo(exact.doubleValue());
        a.add(0, -exact.doubleValue());
        assertThat(a.value(0)).isEqualTo(exact.subtract(new BigDecimal(exact.doubleValue())).doubleValue());
    }

    /** Whole numbers wait as plain longs before they join the fixed part: no way of reading a sum may see that. */
    @Test
    void wholeNumbersNotYetSettledAreSeenByEveryReadMergeCopyAndWrite() throws IOException {
        ExactSums pending = new ExactSums(3);
        ExactSums settled = new ExactSums(3); // the same additions, each read at once, so settled at once
        long[] values = {7, Long.MAX_VALUE, Long.MAX_VALUE, -3, 1L << 62, Long.MIN_VALUE, 12};
        for (int i = 0; i < values.length; i++) {
            pending.add(i % 3, values[i]);
            settled.add(i % 3, values[i]);
            settled.value(i % 3);
        }
        pending.add(1, 0.25);
        settled.add(1, 0.25);
        for (int i = 0; i < 3; i++) {
            assertThat(sumBytes(pending, i)).isEqualTo(sumBytes(settled, i));
        }

        ExactSums merged = new ExactSums(3);
        merged.add(0, 5L); // pending on both sides of the merge
        pending.add(2, 4L);
        merged.add(pending);
        merged.add(merged); // doubling copies what is pending too
        assertThat(merged.value(0)).isEqualTo((7 - 3 + 12 + 5) * 2);
        BigDecimal s1 = BigDecimal.valueOf(Long.MAX_VALUE).add(BigDecimal.valueOf(1L << 62)).add(new BigDecimal("0.25"))
                .multiply(BigDecimal.valueOf(2)); // past a long: the pending long overflowed and was settled
        assertThat(merged.value(1)).isEqualTo(s1.doubleValue());
        assertThat(merged.value(2)).isEqualTo((Long.MAX_VALUE + Long.MIN_VALUE + 4) * 2);

        ExactSums replaced = new ExactSums(3);
        replaced.add(0, 99L);
        replaced.readFrom(0, new DataInputStream(new ByteArrayInputStream(sumBytes(settled, 0))));
        assertThat(replaced.value(0)).isEqualTo(7 - 3 + 12); // the 99 was replaced, not added later
        replaced.add(0, 42L);
        replaced.clear();
        assertThat(replaced.value(0)).isZero();
        assertThat(replaced.value(1)).isZero();
    }

    private static byte[] sumBytes(ExactSums s, int i) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        s.writeTo(i, new DataOutputStream(bytes));
        return bytes.toByteArray();
    }
}
