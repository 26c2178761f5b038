package io.speechslo.metrics;

/**
 * The exact sums behind a ratio metric, as read from a {@link MetricSet}: the value is sum(x) / sum(y)
 * over the contributing units (requests), so WER is total word errors over total reference words,
 * never a mean of per-request WERs. The second moments give the variance of the ratio by the delta
 * method (units are the independent observations, so clustered words within one request are handled
 * correctly). Each sum is exact and rounded once, so the same requests give the same figures whatever
 * order they were added and merged in.
 *
 * @param count contributing units (requests)
 */
public record RatioStat(long count, double sumX, double sumY, double sumXX, double sumYY, double sumXY) {

    /** sum(x)/sum(y), or NaN when there is no denominator. */
    public double value() {
        return sumY == 0 ? Double.NaN : sumX / sumY;
    }

    /**
     * Variance of the ratio estimate (delta method):
     * Var(r) ~ (Sxx - 2 r Sxy + r^2 Syy) / (n (n-1) ybar^2) with S the centred sums; 0 for fewer than two units.
     */
    public double variance() {
        long n = count;
        if (n < 2 || sumY == 0) {
            return 0;
        }
        double r = sumX / sumY;
        double mx = sumX / n;
        double my = sumY / n;
        double cxx = sumXX - n * mx * mx;
        double cyy = sumYY - n * my * my;
        double cxy = sumXY - n * mx * my;
        double v = (cxx - 2 * r * cxy + r * r * cyy) / ((double) n * (n - 1) * my * my);
        return Math.max(v, 0);
    }
}
