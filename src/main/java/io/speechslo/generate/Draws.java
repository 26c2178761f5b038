package io.speechslo.generate;

import java.util.SplittableRandom;

/**
 * Random draws for the generator, built only on {@link SplittableRandom#nextLong()} and
 * {@link StrictMath}, so the same seed gives the same numbers on every JVM and platform.
 */
final class Draws {

    /** z of the 99th percentile of the standard normal. */
    static final double Z99 = 2.3263478740408408;

    private final SplittableRandom rnd;
    private double spareGaussian = Double.NaN;

    Draws(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    // The streams of one service and minute ({@link #seed}'s last coordinate), all here so no two share one:
    // two quantities drawn from one stream would move together.
    /** How many user-facing requests. */
    static final int REQUEST_COUNT = 0;
    /** The requests' fields. */
    static final int REQUEST_FIELDS = 1;
    /** Request fields added to the schemas later, so the earlier fields keep their values for a seed. */
    static final int REQUEST_FIELDS_LATER = 2;
    /** Serving samples. */
    static final int SERVING = 3;
    /** Privacy events. */
    static final int PRIVACY = 4;
    /** The shadow deployment's mirrored copies. */
    static final int SHADOW = 5;
    /** The shadow deployment's serving samples. */
    static final int SHADOW_SERVING = 6;

    /** A seed for one stream of draws, mixed from the run's seed and the stream's coordinates. */
    static long seed(long seed, long a, long b, long c) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        h = mix(h ^ a);
        h = mix(h ^ (b * 0xC2B2AE3D27D4EB4FL));
        return mix(h ^ (c * 0x165667B19E3779F9L));
    }

    /** SplitMix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1). */
    double uniform() {
        return (rnd.nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound). */
    int below(int bound) {
        return (int) (uniform() * bound);
    }

    boolean chance(double p) {
        return p > 0 && uniform() < p;
    }

    /** Standard normal (Marsaglia's polar method). */
    double gaussian() {
        if (!Double.isNaN(spareGaussian)) {
            double g = spareGaussian;
            spareGaussian = Double.NaN;
            return g;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * uniform() - 1;
            v = 2 * uniform() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
        spareGaussian = v * f;
        return u * f;
    }

    /** Log-normal with this median and 99th percentile. */
    double lognormal(double median, double p99) {
        double sigma = p99 > median ? StrictMath.log(p99 / median) / Z99 : 0;
        return median * StrictMath.exp(sigma * gaussian());
    }

    /** Exponential with this mean. */
    double exponential(double mean) {
        return -mean * StrictMath.log(1 - uniform());
    }

    /** Poisson with mean {@code lambda} (normal approximation above 64). */
    long poisson(double lambda) {
        if (lambda <= 0) {
            return 0;
        }
        if (lambda > 64) {
            return Math.max(0, Math.round(lambda + StrictMath.sqrt(lambda) * gaussian()));
        }
        double limit = StrictMath.exp(-lambda);
        double p = uniform();
        long k = 0;
        while (p > limit) {
            p *= uniform();
            k++;
        }
        return k;
    }

    /** Successes in {@code n} trials of probability {@code p}. */
    int binomial(int n, double p) {
        if (p <= 0) {
            return 0;
        }
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (uniform() < p) {
                k++;
            }
        }
        return k;
    }
}
