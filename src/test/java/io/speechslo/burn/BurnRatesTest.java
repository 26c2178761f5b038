package io.speechslo.burn;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BurnRatesTest {

    @Test
    void burnRateIsTheBadFractionOverTheBudget() {
        assertThat(BurnRates.burnRate(0, 0, 0.001)).isEqualTo(0.0);
        assertThat(BurnRates.burnRate(0, 5000, 0.001)).isEqualTo(0.0);
        assertThat(BurnRates.burnRate(1, 1000, 0.001)).isEqualTo(1.0);
        assertThat(BurnRates.burnRate(20, 1000, 0.001)).isCloseTo(20.0, within(1e-12));
        assertThat(BurnRates.burnRate(1000, 1000, 0.001)).isCloseTo(1000.0, within(1e-9));
    }

    @Test
    void invalidBudgetIsRejected() {
        for (double bad : new double[] {0.0, -0.01, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> BurnRates.burnRate(1, 10, bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("error budget");
            assertThatThrownBy(() -> BurnRates.effectiveThreshold(14.4, bad))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> BurnRates.budgetRemaining(1, 10, bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(BurnRates.burnRate(1, 10, 1.0)).isEqualTo(0.1);
        assertThatThrownBy(() -> BurnRates.errorBudget(1.0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void impossibleCountsAreRejected() {
        assertThatThrownBy(() -> BurnRates.burnRate(11, 10, 0.01))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad=11");
        assertThatThrownBy(() -> BurnRates.budgetRemaining(-1, 10, 0.01)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thresholdIsCappedAtAllRequestsFailing() {
        assertThat(BurnRates.effectiveThreshold(14.4, 0.001)).isEqualTo(14.4);
        // 90% objective: 14.4x would need 144% errors; the most a window can burn is 1 / 0.1 = 10x.
        assertThat(BurnRates.effectiveThreshold(14.4, 0.1)).isEqualTo(10.0);
        assertThat(BurnRates.effectiveThreshold(6, 0.1)).isEqualTo(6.0);
        assertThat(BurnRates.effectiveThreshold(10, 0.1)).isEqualTo(10.0);
        assertThatThrownBy(() -> BurnRates.effectiveThreshold(0, 0.1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("factor");
    }

    @Test
    void budgetRemaining() {
        assertThat(BurnRates.budgetRemaining(0, 0, 0.001)).isEqualTo(1.0);
        assertThat(BurnRates.budgetRemaining(0, 10_000, 0.001)).isEqualTo(1.0);
        assertThat(BurnRates.budgetRemaining(5, 10_000, 0.001)).isCloseTo(0.5, within(1e-12));
        assertThat(BurnRates.budgetRemaining(10, 10_000, 0.001)).isCloseTo(0.0, within(1e-12));
        assertThat(BurnRates.budgetRemaining(20, 10_000, 0.001)).isCloseTo(-1.0, within(1e-12));
    }

    @Test
    void errorBudgetDropsTheBinaryNoiseOfOneMinusObjective() {
        assertThat(1 - 0.999).isNotEqualTo(0.001);
        assertThat(BurnRates.errorBudget(0.999)).isEqualTo(0.001);
        assertThat(BurnRates.errorBudget(0.99)).isEqualTo(0.01);
        assertThat(BurnRates.errorBudget(0.9)).isEqualTo(0.1);
        assertThat(BurnRates.errorBudget(0.9995)).isEqualTo(0.0005);
    }

    @Test
    void reachesIsGreaterOrEqualUpToRoundingOnly() {
        double onThreshold = (144.0 / 10_000) / 0.001;
        assertThat(onThreshold).isLessThan(14.4); // 14.399999999999999 in doubles
        assertThat(BurnRates.reaches(onThreshold, 14.4)).isTrue();
        assertThat(BurnRates.reaches(14.4, 14.4)).isTrue();
        assertThat(BurnRates.reaches(14.5, 14.4)).isTrue();
        assertThat(BurnRates.reaches((143.0 / 10_000) / 0.001, 14.4)).isFalse();
        assertThat(BurnRates.reaches(14.4 * (1 - 1e-6), 14.4)).isFalse();
    }
}
