package io.speechslo.gate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

class StatsTest {

    @Test
    void normalUpperTailMatchesTables() {
        assertThat(Stats.upperTail(0)).isCloseTo(0.5, offset(1e-7));
        assertThat(Stats.upperTail(1.6448536)).isCloseTo(0.05, offset(1e-6));
        assertThat(Stats.upperTail(1.959964)).isCloseTo(0.025, offset(1e-6));
        assertThat(Stats.upperTail(3.0)).isCloseTo(0.0013499, offset(1e-6));
        assertThat(Stats.upperTail(-1.959964)).isCloseTo(0.975, offset(1e-6));
        assertThat(Stats.upperTail(8)).isGreaterThan(0).isLessThan(1e-14);
    }

    @Test
    void pAboveWithoutSpreadTakesTheDifferenceAtFaceValue() {
        assertThat(Stats.pAbove(1.1, 1.0, 0)).isZero();
        assertThat(Stats.pAbove(1.0, 1.0, 0)).isEqualTo(1.0);
        assertThat(Stats.pAbove(1.0, 1.0, 0.1)).isCloseTo(0.5, offset(1e-7));
    }

    @Test
    void benjaminiHochbergRejectsTheStepUpSet() {
        // m = 10, q = 0.05: thresholds k/m*q = 0.005, 0.010, 0.015, 0.020, ...
        double[] p = {0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216};
        boolean[] r = BenjaminiHochberg.reject(p, 0.05);
        assertThat(r).containsExactly(true, true, false, false, false, false, false, false, false, false);
        // step-up: a later rank passing lets earlier, larger-than-their-own-threshold ones through
        double[] q = {0.012, 0.013, 0.014};
        assertThat(BenjaminiHochberg.reject(q, 0.05)).containsExactly(true, true, true);
        assertThat(BenjaminiHochberg.reject(new double[] {0.5, 0.9}, 0.05)).containsExactly(false, false);
        assertThat(BenjaminiHochberg.reject(new double[] {Double.NaN, 0.0001}, 0.05)).containsExactly(false, true);
        assertThat(BenjaminiHochberg.reject(new double[0], 0.05)).isEmpty();
    }

    @Test
    void inverseTailAndAlwaysValidBoundaryAgree() {
        assertThat(Stats.zForUpperTail(0.05)).isCloseTo(1.644854, offset(1e-5));
        assertThat(Stats.zForUpperTail(0.5)).isCloseTo(0, offset(1e-6));
        // the always-valid boundary: at n = n0, Lambda = sqrt(1/2) exp(z^2 / 4) = 20 at z = 3.6624
        assertThat(Stats.alwaysValidZ(0.05, 500, 500)).isCloseTo(Math.sqrt(4 * Math.log(20 * Math.sqrt(2))), offset(1e-9));
        assertThat(Stats.alwaysValidP(Stats.alwaysValidZ(0.05, 500, 500), 500, 500)).isCloseTo(0.05, offset(1e-12));
        assertThat(Stats.alwaysValidP(Stats.alwaysValidZ(0.001, 40_000, 200), 40_000, 200)).isCloseTo(0.001, offset(1e-12));
        // stricter than one look, and growing slowly with the samples
        assertThat(Stats.alwaysValidZ(0.05, 500, 500)).isGreaterThan(Stats.zForUpperTail(0.05));
        assertThat(Stats.alwaysValidZ(0.05, 50_000, 500)).isGreaterThan(Stats.alwaysValidZ(0.05, 5_000, 500));
        assertThat(Stats.alwaysValidP(-1, 1000, 100)).isEqualTo(1.0);
        assertThat(Stats.alwaysValidP(0.5, 1000, 100)).isEqualTo(1.0);
    }
}
