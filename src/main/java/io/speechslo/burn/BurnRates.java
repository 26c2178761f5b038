package io.speechslo.burn;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The arithmetic of error-budget burn rates (SRE Workbook, chapter 5).
 *
 * <p>A burn rate is how fast a window spends the error budget relative to spending it exactly over the
 * SLO window: the window's bad fraction divided by the allowed bad fraction {@code 1 - objective}. A
 * burn rate of 1 spends the whole budget in exactly one SLO window; 14.4 spends a 30-day budget in
 * 50 hours.
 */
public final class BurnRates {

    private BurnRates() {}

    /** Relative slack of {@link #reaches}: far below any meaningful difference in burn rate. */
    public static final double TOLERANCE = 1e-9;

    /**
     * The error budget 1 - objective, rounded to 12 significant digits so that the binary error of the
     * subtraction does not leak into comparisons: {@code 1 - 0.999} is 0.0010000000000000009 in doubles,
     * this gives 0.001.
     *
     * @throws IllegalArgumentException if objective is not in (0, 1)
     */
    public static double errorBudget(double objective) {
        if (!(objective > 0 && objective < 1)) {
            throw new IllegalArgumentException("SLO objective must be in (0, 1), got " + objective);
        }
        return new BigDecimal(1 - objective).round(new MathContext(12)).doubleValue();
    }

    /**
     * Whether a burn rate is at or above a threshold ({@code >=}, as the SRE Workbook writes its rules).
     * Burn rates are quotients of doubles, so a window exactly on the threshold can come out one unit in
     * the last place below it ((144 / 10000) / 0.001 is 14.399999999999999); a relative slack of
     * {@link #TOLERANCE} makes "exactly at the threshold" fire as the rule intends.
     */
    public static boolean reaches(double burnRate, double threshold) {
        return burnRate >= threshold * (1 - TOLERANCE);
    }

    /**
     * (bad / total) / errorBudget; 0 for a window without requests.
     *
     * @throws IllegalArgumentException if errorBudget is not in (0, 1] or the counts are impossible
     */
    public static double burnRate(long bad, long total, double errorBudget) {
        checkBudget(errorBudget);
        checkCounts(bad, total);
        return total == 0 ? 0.0 : ((double) bad / total) / errorBudget;
    }

    /**
     * The burn rate an alert with this factor actually needs. A window can at most be 100% bad, which
     * is a burn rate of 1 / errorBudget; a factor above that could never fire (an SLO of 90% cannot
     * reach a burn rate of 14.4, since that would need 144% errors), so it is capped at 1 / errorBudget,
     * meaning "every request in both windows failed".
     *
     * @throws IllegalArgumentException if errorBudget is not in (0, 1] or factor is not positive
     */
    public static double effectiveThreshold(double factor, double errorBudget) {
        checkBudget(errorBudget);
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("burn-rate factor must be a positive number, got " + factor);
        }
        return factor * errorBudget > 1 ? 1 / errorBudget : factor;
    }

    /**
     * Share of the error budget left after this window: 1 - bad / (errorBudget * total). 1 when nothing
     * was served, 0 when exactly spent, negative when overspent.
     */
    public static double budgetRemaining(long bad, long total, double errorBudget) {
        checkBudget(errorBudget);
        checkCounts(bad, total);
        return total == 0 ? 1.0 : 1 - bad / (errorBudget * total);
    }

    private static void checkBudget(double errorBudget) {
        if (!(errorBudget > 0 && errorBudget <= 1)) {
            throw new IllegalArgumentException(
                    "error budget (1 - objective) must be in (0, 1], got " + errorBudget);
        }
    }

    private static void checkCounts(long bad, long total) {
        if (bad < 0 || total < 0 || bad > total) {
            throw new IllegalArgumentException(
                    "impossible counts: bad=" + bad + ", total=" + total + " (need 0 <= bad <= total)");
        }
    }
}
