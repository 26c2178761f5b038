package io.speechslo.metrics;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Exact sums behind a ratio metric: the value is sum(x) / sum(y) over the contributing units
 * (requests), so WER is total word errors over total reference words, never a mean of per-request
 * WERs. The second moments give the variance of the ratio by the delta method (units are the
 * independent observations, so clustered words within one request are handled correctly).
 */
public final class RatioStat {

    private long n;
    private double sx;
    private double sy;
    private double sxx;
    private double syy;
    private double sxy;

    public void add(double x, double y) {
        n++;
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
    }

    public void merge(RatioStat o) {
        n += o.n;
        sx += o.sx;
        sy += o.sy;
        sxx += o.sxx;
        syy += o.syy;
        sxy += o.sxy;
    }

    public void clear() {
        n = 0;
        sx = sy = sxx = syy = sxy = 0;
    }

    /** Number of contributing units (requests). */
    public long count() {
        return n;
    }

    public double sumX() {
        return sx;
    }

    public double sumY() {
        return sy;
    }

    /** sum(x)/sum(y), or NaN when there is no denominator. */
    public double value() {
        return sy == 0 ? Double.NaN : sx / sy;
    }

    /**
     * Variance of the ratio estimate (delta method):
     * Var(r) ~ (Sxx - 2 r Sxy + r^2 Syy) / (n (n-1) ybar^2) with S the centred sums; 0 for fewer than two units.
     */
    public double variance() {
        if (n < 2 || sy == 0) {
            return 0;
        }
        double r = sx / sy;
        double mx = sx / n;
        double my = sy / n;
        double cxx = sxx - n * mx * mx;
        double cyy = syy - n * my * my;
        double cxy = sxy - n * mx * my;
        double v = (cxx - 2 * r * cxy + r * r * cyy) / ((double) n * (n - 1) * my * my);
        return Math.max(v, 0);
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeLong(n);
        if (n > 0) {
            out.writeDouble(sx);
            out.writeDouble(sy);
            out.writeDouble(sxx);
            out.writeDouble(syy);
            out.writeDouble(sxy);
        }
    }

    public void readFrom(DataInput in) throws IOException {
        n = in.readLong();
        if (n > 0) {
            sx = in.readDouble();
            sy = in.readDouble();
            sxx = in.readDouble();
            syy = in.readDouble();
            sxy = in.readDouble();
        } else {
            sx = sy = sxx = syy = sxy = 0;
        }
    }

    @Override
    public String toString() {
        return "RatioStat{n=" + n + ", value=" + value() + "}";
    }
}
