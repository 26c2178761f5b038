package io.speechslo.gate;

import java.util.Arrays;

/**
 * Benjamini-Hochberg step-up procedure: of m tests, rejects the k smallest p-values where k is the
 * largest rank with p(k) <= k/m * q. Controls the expected share of false alarms among the rejected
 * tests at q, which is what lets the gate test hundreds of slices without rolling back on noise.
 */
public final class BenjaminiHochberg {

    private BenjaminiHochberg() {}

    /** The largest p-value that is rejected at level q, or -1 when none is. NaN p-values never reject. */
    public static double threshold(double[] pValues, double q) {
        double[] p = Arrays.stream(pValues).filter(v -> !Double.isNaN(v)).sorted().toArray();
        int m = pValues.length;
        double cut = -1;
        for (int k = p.length; k >= 1; k--) {
            if (p[k - 1] <= (double) k / m * q) {
                cut = p[k - 1];
                break;
            }
        }
        return cut;
    }

    /** Which of the p-values are rejected (discoveries) at level q. */
    public static boolean[] reject(double[] pValues, double q) {
        double cut = threshold(pValues, q);
        boolean[] r = new boolean[pValues.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = !Double.isNaN(pValues[i]) && pValues[i] <= cut;
        }
        return r;
    }
}
