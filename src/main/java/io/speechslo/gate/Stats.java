package io.speechslo.gate;

/**
 * The little statistics the gate needs: the standard normal tail and its inverse, one-sided z-test
 * p-values, and the always-valid (sequential) p-value of a mixture likelihood-ratio test.
 */
public final class Stats {

    private Stats() {}

    /**
     * P(Z > z) for a standard normal Z. Uses the complementary error function with fractional
     * error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit), enough for false-discovery control.
     */
    public static double upperTail(double z) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        return 0.5 * erfc(z / Math.sqrt(2));
    }

    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double ans = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? ans : 2.0 - ans;
    }

    /**
     * One-sided p-value that {@code estimate} exceeds {@code bound}, given the standard error of
     * (estimate - bound). With no spread at all the difference is taken at face value: 0 when the
     * estimate is above the bound, 1 otherwise.
     */
    public static double pAbove(double estimate, double bound, double standardError) {
        if (!(standardError > 0)) {
            return estimate > bound ? 0.0 : 1.0;
        }
        return upperTail((estimate - bound) / standardError);
    }

    /**
     * The z with P(Z > z) = p, for 0 < p < 1 (bisection on {@link #upperTail}, to 1e-9): 1.645 for 0.05,
     * 0.842 for 0.2.
     */
    public static double zForUpperTail(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("tail probability must be in (0, 1), not " + p);
        }
        double lo = -40;
        double hi = 40;
        while (hi - lo > 1e-9) {
            double mid = (lo + hi) / 2;
            if (upperTail(mid) > p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /**
     * Always-valid one-sided p-value of a z-statistic after {@code n} samples: the inverse of a mixture
     * sequential probability ratio (Gaussian mixture over the effect, with the spread an estimate has at
     * {@code n0} samples), Lambda = sqrt(n0 / (n + n0)) exp(z^2 n / (2 (n + n0))). By Ville's inequality the
     * chance that it ever falls to alpha, over every look at the growing data, is at most alpha; 1 when z
     * is not positive.
     */
    public static double alwaysValidP(double z, double n, double n0) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        if (z <= 0) {
            return 1;
        }
        double logLambda = 0.5 * Math.log(n0 / (n + n0)) + z * z * n / (2 * (n + n0));
        return Math.min(1, Math.exp(-logLambda));
    }

    /** The z at which {@link #alwaysValidP} reaches {@code alpha} after {@code n} samples. */
    public static double alwaysValidZ(double alpha, double n, double n0) {
        return Math.sqrt(2 * (n + n0) / n * (Math.log(1 / alpha) + 0.5 * Math.log((n + n0) / n0)));
    }

    /**
     * Two-sided size of the difference between the proportions {@code x1/n1} and {@code x2/n2}, in
     * standard errors of the pooled proportion; 0 when either side is empty, infinite when there is no
     * spread and they differ.
     */
    public static double proportionZ(long x1, long n1, long x2, long n2) {
        if (n1 == 0 || n2 == 0) {
            return 0;
        }
        double p = (double) (x1 + x2) / (n1 + n2);
        double se = Math.sqrt(p * (1 - p) * (1.0 / n1 + 1.0 / n2));
        double d = Math.abs((double) x1 / n1 - (double) x2 / n2);
        return se > 0 ? d / se : d > 0 ? Double.POSITIVE_INFINITY : 0;
    }

    /**
     * Sample variance (n - 1 in the denominator) of {@code n} observations from their sum and sum of
     * squares; 0 below two.
     */
    public static double sampleVariance(double sum, double squared, long n) {
        if (n < 2) {
            return 0;
        }
        double mean = sum / n;
        return Math.max(0, (squared - n * mean * mean) / (n - 1));
    }

    /**
     * Welch's z for the difference of two means: (mean1 - mean2) / sqrt(var1 / n1 + var2 / n2). With no
     * spread on either side the difference is taken at face value: infinite with its sign, 0 when none.
     */
    public static double welchZ(double mean1, double var1, long n1, double mean2, double var2, long n2) {
        double d = mean1 - mean2;
        double se = Math.sqrt(var1 / n1 + var2 / n2);
        if (!(se > 0)) {
            return d == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, d);
        }
        return d / se;
    }
}
