package io.speechslo.metrics;

import io.speechslo.bytes.Varints;

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
    private final ExactSum ex = new ExactSum();
    private final ExactSum ey = new ExactSum();
    private final ExactSum exx = new ExactSum();
    private final ExactSum eyy = new ExactSum();
    private final ExactSum exy = new ExactSum();

    public void add(double x, double y) {
        n++;
        ex.add(x);
        ey.add(y);
        exx.add(x * x);
        eyy.add(y * y);
        exy.add(x * y);
    }

    public void merge(RatioStat o) {
        n += o.n;
        ex.add(o.ex);
        ey.add(o.ey);
        exx.add(o.exx);
        eyy.add(o.eyy);
        exy.add(o.exy);
    }

    public void clear() {
        n = 0;
        ex.clear(); ey.clear(); exx.clear(); eyy.clear(); exy.clear();
    }

    /** Number of contributing units (requests). */
    public long count() {
        return n;
    }

    public double sumX() {
        return ex.value();
    }

    public double sumY() {
        return ey.value();
    }

    /** sum(x)/sum(y), or NaN when there is no denominator. */
    public double value() {
        double sy = ey.value();
        return sy == 0 ? Double.NaN : ex.value() / sy;
    }

    /**
     * Variance of the ratio estimate (delta method):
     * Var(r) ~ (Sxx - 2 r Sxy + r^2 Syy) / (n (n-1) ybar^2) with S the centred sums; 0 for fewer than two units.
     */
    public double variance() {
        double sx = ex.value();
        double sy = ey.value();
        if (n < 2 || sy == 0) {
            return 0;
        }
        double sxx = exx.value();
        double syy = eyy.value();
        double sxy = exy.value();
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
        Varints.writeUnsigned(out, n);
        if (n > 0) {
            ex.writeTo(out); ey.writeTo(out); exx.writeTo(out); eyy.writeTo(out); exy.writeTo(out);
        }
    }

    public void readFrom(DataInput in) throws IOException {
        n = Varints.readUnsigned(in);
        ex.clear(); ey.clear(); exx.clear(); eyy.clear(); exy.clear();
        if (n > 0) {
            ex.readFrom(in); ey.readFrom(in); exx.readFrom(in); eyy.readFrom(in); exy.readFrom(in);
        }
    }

    @Override
    public String toString() {
        return "RatioStat{n=" + n + ", value=" + value() + "}";
    }
}
