package io.speechslo.cost;

import io.speechslo.metrics.Metric;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.RatioStat;
import io.speechslo.metrics.Signal;
import io.speechslo.scorecard.RequestStats;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one model version's (or the shadow track's) user-facing cost was made of over one window: the
 * cost and its units (audio minutes for ASR, generated seconds for TTS), and what the drivers are read
 * from (retry waste, cache hits, batch sizes, model time, the units per value of the mix dimension).
 * Each slice pane also adds its cost per unit as one observation, so the test of a change sees how much
 * the figure moves from minute to minute, not only between requests.
 *
 * <p>Since {@link CostMonitor} format 2 it also holds what the audio-length, fallback and pool drivers
 * read: the sums of units squared and of cost times units per costed request (from the cost metric's own
 * second moments), the fallback requests' cost and units, and cost and units per serving pool (from the
 * panes' {@link CostShares}). A bucket read from format 1 has none of them and says so ({@link #legacy}):
 * those drivers leave it out. Since format 3 it holds what the version's serving samples said
 * ({@link ServingFigures}), for the precision, GPU utilisation and autoscaler drivers.
 */
final class CostBucket {

    double cost;
    double units;
    long costed;
    long requests;
    long retried;
    double retryWaste;
    long cacheHits;
    long batched;
    double batchSum;
    double batchSquared;
    long modelRequests;
    double modelMs;
    double modelMsSquared;
    /** Panes with costed units, and the sum and sum of squares of their cost per unit. */
    long panes;
    double paneSum;
    double paneSquared;
    /** Per value of the mix dimension: {cost, units, requests}. */
    final Map<String, double[]> mix = new TreeMap<>();
    /** Sum of squared units and of cost times units over the costed requests. */
    double unitsSquared;
    double costUnits;
    /** Costed requests answered by a fallback path, their cost and units. */
    long fallbackCosted;
    double fallbackCost;
    double fallbackUnits;
    /** Per serving pool: {cost, units, costed requests}. */
    final Map<String, double[]> pools = new TreeMap<>();
    /** Read from format 1: holds no audio-length, fallback or pool figures (nor does any merge with it). */
    boolean legacy;
    /** What the version's serving samples said (since format 3; empty in a bucket read from an older one). */
    ServingFigures serving = new ServingFigures();

    static Metric costMetric(Signal signal) {
        return signal == Signal.ASR ? Metric.COST_PER_AUDIO_MINUTE : Metric.COST_PER_GENERATED_SECOND;
    }

    /** Adds one pane of a cut. */
    void add(Signal signal, MetricSet m, RequestStats s, Map<String, MetricSet> byValue, CostShares shares) {
        Metric metric = costMetric(signal);
        RatioStat r = m.ratio(metric);
        cost += r.sumX();
        units += r.sumY();
        costed += r.count();
        unitsSquared += r.sumYY();
        costUnits += r.sumXY();
        fallbackCosted += shares.fallbackRequests();
        fallbackCost += shares.fallbackCost();
        double msPerUnit = signal == Signal.ASR ? 60_000 : 1_000; // the cost metric's unit
        fallbackUnits += shares.fallbackUnits(msPerUnit);
        shares.pools(msPerUnit).forEach(this::addPool);
        if (r.sumY() > 0) {
            double v = r.sumX() / r.sumY();
            panes++;
            paneSum += v;
            paneSquared += v * v;
        }
        requests += s.requests();
        retried += s.count(RequestStats.RETRIED);
        retryWaste += s.sum(RequestStats.RETRY_WASTE);
        cacheHits += s.count(RequestStats.CACHE_HITS);
        batched += s.count(RequestStats.BATCHED);
        batchSum += s.count(RequestStats.BATCH_SUM);
        batchSquared += s.sum(RequestStats.BATCH_SQUARED);
        modelRequests += s.sketch(RequestStats.MODEL).count();
        modelMs += s.sum(RequestStats.MODEL_MS);
        modelMsSquared += s.sum(RequestStats.MODEL_MS_SQUARED);
        byValue.forEach((value, set) -> {
            RatioStat v = set.ratio(metric);
            double[] a = mix.computeIfAbsent(value, k -> new double[3]);
            a[0] += v.sumX();
            a[1] += v.sumY();
            a[2] += set.requests();
        });
    }

    /** Adds a shadow pane: its cost only. */
    void addShadow(RequestStats s) {
        cost += s.sum(RequestStats.COST);
        costed += s.count(RequestStats.COSTED);
        requests += s.requests();
        panes++;
        paneSum += s.sum(RequestStats.COST);
        paneSquared += s.sum(RequestStats.COST) * s.sum(RequestStats.COST);
    }

    /** At most this many pools are kept apart per bucket; the rest add up under {@link CostShares#OTHER}. */
    static final int MAX_POOLS = 64;

    private void addPool(String pool, double[] v) {
        String key = pools.containsKey(pool) || pools.size() < MAX_POOLS ? pool : CostShares.OTHER;
        double[] a = pools.computeIfAbsent(key, k -> new double[3]);
        for (int i = 0; i < 3; i++) {
            a[i] += v[i];
        }
    }

    void merge(CostBucket o) {
        legacy |= o.legacy;
        serving.merge(o.serving);
        unitsSquared += o.unitsSquared;
        costUnits += o.costUnits;
        fallbackCosted += o.fallbackCosted;
        fallbackCost += o.fallbackCost;
        fallbackUnits += o.fallbackUnits;
        o.pools.forEach(this::addPool);
        cost += o.cost;
        units += o.units;
        costed += o.costed;
        requests += o.requests;
        retried += o.retried;
        retryWaste += o.retryWaste;
        cacheHits += o.cacheHits;
        batched += o.batched;
        batchSum += o.batchSum;
        batchSquared += o.batchSquared;
        modelRequests += o.modelRequests;
        modelMs += o.modelMs;
        modelMsSquared += o.modelMsSquared;
        panes += o.panes;
        paneSum += o.paneSum;
        paneSquared += o.paneSquared;
        o.mix.forEach((k, v) -> {
            double[] a = mix.computeIfAbsent(k, x -> new double[3]);
            for (int i = 0; i < 3; i++) {
                a[i] += v[i];
            }
        });
    }

    /** Cost per unit, NaN without units. */
    double perUnit() {
        return units > 0 ? cost / units : Double.NaN;
    }

    /** Mean of the panes' cost per unit (for a shadow bucket: cost per pane). */
    double paneMean() {
        return panes > 0 ? paneSum / panes : Double.NaN;
    }

    /** Variance of the panes' figure. */
    double paneVariance() {
        return panes < 2 ? Double.NaN : io.speechslo.gate.Stats.sampleVariance(paneSum, paneSquared, panes);
    }

    /** Writes the current format ({@link CostMonitor#FORMAT}). */
    void writeTo(DataOutput out) throws IOException {
        for (double d : new double[] {cost, units, retryWaste, batchSum, batchSquared, modelMs, modelMsSquared,
                paneSum, paneSquared}) {
            out.writeDouble(d);
        }
        for (long l : new long[] {costed, requests, retried, cacheHits, batched, modelRequests, panes}) {
            out.writeLong(l);
        }
        out.writeInt(mix.size());
        for (Map.Entry<String, double[]> e : mix.entrySet()) {
            out.writeUTF(e.getKey());
            for (double d : e.getValue()) {
                out.writeDouble(d);
            }
        }
        // format 2
        out.writeBoolean(legacy);
        for (double d : new double[] {unitsSquared, costUnits, fallbackCost, fallbackUnits}) {
            out.writeDouble(d);
        }
        out.writeLong(fallbackCosted);
        out.writeInt(pools.size());
        for (Map.Entry<String, double[]> e : pools.entrySet()) {
            out.writeUTF(e.getKey());
            for (double d : e.getValue()) {
                out.writeDouble(d);
            }
        }
        // format 3
        serving.writeTo(out);
    }

    /**
     * Reads what {@link #writeTo} wrote in {@code format} (1 to 3; format 1 reads as {@link #legacy}, and
     * before 3 there are no serving figures).
     */
    static CostBucket readFrom(DataInput in, int format) throws IOException {
        CostBucket b = new CostBucket();
        b.cost = in.readDouble();
        b.units = in.readDouble();
        b.retryWaste = in.readDouble();
        b.batchSum = in.readDouble();
        b.batchSquared = in.readDouble();
        b.modelMs = in.readDouble();
        b.modelMsSquared = in.readDouble();
        b.paneSum = in.readDouble();
        b.paneSquared = in.readDouble();
        b.costed = in.readLong();
        b.requests = in.readLong();
        b.retried = in.readLong();
        b.cacheHits = in.readLong();
        b.batched = in.readLong();
        b.modelRequests = in.readLong();
        b.panes = in.readLong();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            String k = in.readUTF();
            b.mix.put(k, new double[] {in.readDouble(), in.readDouble(), in.readDouble()});
        }
        if (format == 1) {
            b.legacy = true;
            return b;
        }
        b.legacy = in.readBoolean();
        b.unitsSquared = in.readDouble();
        b.costUnits = in.readDouble();
        b.fallbackCost = in.readDouble();
        b.fallbackUnits = in.readDouble();
        b.fallbackCosted = in.readLong();
        int p = in.readInt();
        for (int i = 0; i < p; i++) {
            String k = in.readUTF();
            b.pools.put(k, new double[] {in.readDouble(), in.readDouble(), in.readDouble()});
        }
        if (format >= 3) {
            b.serving = ServingFigures.readFrom(in);
        }
        return b;
    }
}
