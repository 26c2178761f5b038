package io.speechslo.gate;

/** The little statistics the gate needs: the standard normal tail and one-sided z-test p-values. */
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
}
