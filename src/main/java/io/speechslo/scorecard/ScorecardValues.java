package io.speechslo.scorecard;

import io.speechslo.metrics.Metric;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.QuantileSketch;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a scorecard's value list in order. Every value says how many samples are behind it, and a
 * value with no samples (or no denominator) is null: no data, never zero.
 */
public final class ScorecardValues {

    private final List<ScorecardValue> values = new ArrayList<>();

    /** The values added so far, in order. */
    public List<ScorecardValue> values() {
        return values;
    }

    /** Names of a value list, in order. */
    public static List<String> names(List<ScorecardValue> values) {
        List<String> names = new ArrayList<>(values.size());
        values.forEach(v -> names.add(v.getName()));
        return names;
    }

    /** A plain figure (a count, a sum) backed by {@code samples}; null without samples. */
    public ScorecardValues count(String name, double value, long samples) {
        return add(name, samples > 0 ? value : null, samples, null);
    }

    /** {@code numerator / denominator} over {@code samples}; null without samples or denominator. */
    public ScorecardValues ratio(String name, double numerator, double denominator, long samples) {
        return add(name, samples > 0 && denominator != 0 ? numerator / denominator : null, samples, null);
    }

    /** A value known or not ({@code NaN}: null) over {@code samples}. */
    public ScorecardValues value(String name, double value, long samples) {
        return add(name, samples > 0 && !Double.isNaN(value) ? value : null, samples, null);
    }

    /** The {@code q}-quantile of a sketch, with the sketch's relative accuracy. */
    public ScorecardValues quantile(String name, QuantileSketch sketch, double q) {
        long n = sketch.count();
        return add(name, n > 0 ? sketch.quantile(q) : null, n, QuantileSketch.RELATIVE_ACCURACY);
    }

    /** {@code <prefix>_p<NN>_ms} for each quantile {@code q} of a latency sketch (p50 for 0.50, ...). */
    public ScorecardValues latencies(String prefix, QuantileSketch sketch, double... qs) {
        for (double q : qs) {
            quantile(prefix + "_p" + Math.round(q * 100) + "_ms", sketch, q);
        }
        return this;
    }

    /** A gate metric of a metric set, a quantile one with its accuracy. */
    public ScorecardValues metric(String name, MetricSet m, Metric metric) {
        long n = m.samples(metric);
        double value = m.value(metric);
        Double accuracy = metric.kind() == io.speechslo.metrics.MetricKind.QUANTILE ? QuantileSketch.RELATIVE_ACCURACY : null;
        return add(name, n > 0 && !Double.isNaN(value) ? value : null, n, accuracy);
    }

    private ScorecardValues add(String name, Double value, long samples, Double accuracy) {
        values.add(new ScorecardValue(name, value, samples, accuracy));
        return this;
    }
}
