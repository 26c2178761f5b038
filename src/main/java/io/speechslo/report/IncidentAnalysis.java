package io.speechslo.report;

import io.speechslo.advisory.Direction;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.MetricKind;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.GateRule;
import io.speechslo.policy.LimitMode;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.report.ReplayData.Minute;
import io.speechslo.report.ReplayData.Point;
import io.speechslo.report.ReplayData.SeriesKey;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where the telemetry left its baseline, for how long, and whom it hurt; no Flink, only a replay's
 * scorecards. Every slice series (service, track, model version, slice) of every user-facing metric (the
 * release gate's and the per-slice SLOs') is compared with its own baseline (the data before the
 * incident, or its first 30 minutes) in 5-minute blocks: a block is off its baseline when it is worse by
 * more than the gate rule's limit (10% for a metric without one) and, for a ratio, by more than its
 * sampling noise (3.29 standard errors, as drift uses); a block counts only next to another off block, so
 * one noisy block of hundreds of slices tested is no incident. Onset is the first minute of the earliest
 * such run that is itself beyond the limit; recovery the minute after the last.
 */
final class IncidentAnalysis {

    static final Duration BLOCK = Duration.ofMinutes(5);
    static final Duration DEFAULT_BASELINE = Duration.ofMinutes(30);
    static final double NOISE_Z = 3.29;
    static final double DEFAULT_RELATIVE_LIMIT = 0.10;
    static final long MIN_RATIO_SAMPLES = 10;
    static final long MIN_QUANTILE_SAMPLES = 50;
    private static final long MINUTE = 60_000;

    /** A user-facing metric of one signal, and how far it may move before it has left its baseline. */
    record Tracked(Signal signal, Metric metric, GateRule rule) {
        Direction direction() {
            return rule != null ? rule.direction() : metric.direction();
        }

        /** The worst value still at baseline. */
        double bound(double baseline) {
            boolean lower = direction() != Direction.HIGHER_IS_BETTER;
            if (rule == null) {
                return lower ? baseline * (1 + DEFAULT_RELATIVE_LIMIT) : baseline * (1 - DEFAULT_RELATIVE_LIMIT);
            }
            if (rule.mode() == LimitMode.ABSOLUTE) {
                // an absolute rule judges a candidate, not a change: from a baseline already past it, 10% more
                boolean within = lower ? baseline <= rule.limit() : baseline >= rule.limit();
                return within ? rule.limit() : lower ? baseline * (1 + DEFAULT_RELATIVE_LIMIT)
                        : baseline * (1 - DEFAULT_RELATIVE_LIMIT);
            }
            return rule.bound(baseline);
        }

        boolean worse(double value, double bound) {
            return direction() == Direction.HIGHER_IS_BETTER ? value < bound : value > bound;
        }
    }

    /** One series' metric away from its baseline: when, how far, how many requests. */
    record Departure(SeriesKey series, String metric, boolean higherIsBetter, double baseline, double value, long from,
            long until, long affectedMinutes, long affectedRequests) {
        /** How much worse than baseline, as a share of it (positive: worse, whichever way is better). */
        double relativeChange() {
            double worse = higherIsBetter ? baseline - value : value - baseline;
            return baseline == 0 ? (worse == 0 ? 0 : Double.POSITIVE_INFINITY) : worse / Math.abs(baseline);
        }
    }

    /** User impact of one metric on one slice of a service, every version and track together. */
    record Impact(String service, String signal, String metric, Map<String, String> slice, Set<String> versions,
            double baseline, double value, double relativeChange, long affectedRequests, long sliceRequests,
            long from, long until, long affectedMinutes) {
        double share() {
            return sliceRequests == 0 ? 0 : (double) affectedRequests / sliceRequests;
        }
    }

    final long dataStart;
    final long dataEnd;
    final long baselineEnd;
    final List<Departure> departures = new ArrayList<>();
    /** First minute off baseline, or null when nothing left it. */
    final Long onset;
    final Departure onsetDeparture;
    /** The minute after the last off baseline, or null: still off at the end of the data (or no onset). */
    final Long recovery;
    final List<Impact> impacts;

    /**
     * @param baselineEnd the end of the baseline: the incident's start, or null for the first 30 minutes
     */
    IncidentAnalysis(ReplayData data, Policies policies, Long baselineEnd) {
        this.dataStart = data.first;
        this.dataEnd = data.last;
        this.baselineEnd = baselineEnd != null ? baselineEnd
                : Math.min(dataStart + DEFAULT_BASELINE.toMillis(), dataStart + (dataEnd - dataStart) / 4 / MINUTE * MINUTE);
        for (Map.Entry<SeriesKey, TreeMap<Long, Minute>> e : data.slices.entrySet()) {
            for (Tracked t : tracked(policies, e.getKey())) {
                Departure d = depart(e.getKey(), e.getValue(), t);
                if (d != null) {
                    departures.add(d);
                }
            }
        }
        // of the series off baseline from the first minute, the coarsest within 20% of the largest change names it
        long firstMinute = departures.stream().mapToLong(Departure::from).min().orElse(Long.MAX_VALUE);
        double largest = departures.stream().filter(d -> d.from() == firstMinute)
                .mapToDouble(d -> Math.min(d.relativeChange(), 1e9)).max().orElse(0);
        Departure first = departures.stream().filter(d -> d.from() == firstMinute
                        && Math.min(d.relativeChange(), 1e9) >= 0.8 * largest)
                .min(Comparator.comparingInt((Departure d) -> d.series().slice().size())
                        .thenComparing(Comparator.comparingDouble((Departure d) -> Math.min(d.relativeChange(), 1e9)).reversed())
                        .thenComparing(d -> -d.affectedRequests())).orElse(null);
        this.onsetDeparture = first;
        this.onset = first == null ? null : first.from();
        long lastOff = departures.stream().mapToLong(Departure::until).max().orElse(Long.MIN_VALUE);
        // recovered only if clean data follows for at least two blocks
        this.recovery = first == null || lastOff + 2 * BLOCK.toMillis() > dataEnd ? null : lastOff;
        this.impacts = impacts(data);
    }

    /**
     * The slice that best names the harm: of the slices within 20% of the largest relative change on the most
     * harmed metric, the one of fewest dimensions (a parent that carries the whole harm says more than its
     * noisiest child), then the larger change. Null when no slice left its baseline.
     */
    Impact mostHarmed(java.util.function.Predicate<Impact> eligible) {
        Impact top = impacts.stream().filter(i -> !i.slice().isEmpty() && eligible.test(i)
                && !Double.isInfinite(i.relativeChange())).max(Comparator.comparingDouble(Impact::relativeChange)).orElse(null);
        if (top == null) {
            return null;
        }
        return impacts.stream().filter(i -> !i.slice().isEmpty() && eligible.test(i) && i.metric().equals(top.metric())
                && i.service().equals(top.service()) && i.relativeChange() >= 0.8 * top.relativeChange()
                && !Double.isInfinite(i.relativeChange()))
                .min(Comparator.comparingInt((Impact i) -> i.slice().size())
                        .thenComparing(Comparator.comparingDouble(Impact::relativeChange).reversed())).orElse(top);
    }

    /** The end of the incident for the report: recovery, or the end of the data. */
    long incidentEnd() {
        return recovery != null ? recovery : dataEnd;
    }

    /** The metrics judged for a series: its signal's gate rules and per-slice SLO metrics. */
    static List<Tracked> tracked(Policies policies, SeriesKey key) {
        Signal signal = Signal.valueOf(key.signal());
        Map<String, Tracked> out = new LinkedHashMap<>();
        for (GateRule r : policies.gateFor(key.service()).rulesFor(signal)) {
            out.put(r.metric().id(), new Tracked(signal, r.metric(), r));
        }
        for (SloDefinition s : policies.thresholdSlosFor(key.service(), signal)) {
            Metric m = Metric.find(signal, s.threshold().metric());
            if (m != null) {
                out.putIfAbsent(m.id(), new Tracked(signal, m, null));
            }
        }
        return new ArrayList<>(out.values());
    }

    /** Every metric id any signal tracks, for {@link ReplayData#read}. */
    static Set<String> trackedNames(Policies policies) {
        Set<String> names = new HashSet<>();
        for (Signal s : Signal.values()) {
            policies.defaultGate().rulesFor(s).forEach(r -> names.add(r.metric().id()));
            policies.serviceGates().values().forEach(g -> g.rulesFor(s).forEach(r -> names.add(r.metric().id())));
            policies.slos().stream().filter(SloDefinition::isThreshold).forEach(d -> names.add(d.threshold().metric()));
        }
        return names;
    }

    private Departure depart(SeriesKey key, TreeMap<Long, Minute> minutes, Tracked t) {
        String id = t.metric().id();
        boolean quantile = t.metric().kind() == MetricKind.QUANTILE;
        Pooled base = pool(minutes.subMap(dataStart, true, baselineEnd, false), id, quantile);
        if (base == null || (quantile ? base.minutes < 3 : base.samples < 30)) {
            return null;
        }
        double bound = t.bound(base.value);
        List<long[]> blocks = new ArrayList<>();
        List<Boolean> off = new ArrayList<>();
        for (long b = baselineEnd; b < dataEnd; b += BLOCK.toMillis()) {
            Pooled p = pool(minutes.subMap(b, true, b + BLOCK.toMillis(), false), id, quantile);
            blocks.add(new long[] {b});
            off.add(p != null && offBaseline(p, base.value, bound, t, quantile));
        }
        List<Integer> affected = new ArrayList<>();
        for (int i = 0; i < off.size(); i++) {
            if (off.get(i) && ((i > 0 && off.get(i - 1)) || (i + 1 < off.size() && off.get(i + 1)))) {
                affected.add(i);
            }
        }
        if (affected.isEmpty()) {
            return null;
        }
        long firstBlock = blocks.get(affected.get(0))[0];
        long lastBlock = blocks.get(affected.get(affected.size() - 1))[0];
        long from = firstBlock;
        for (Map.Entry<Long, Minute> m : minutes.subMap(firstBlock, true, firstBlock + BLOCK.toMillis(), false).entrySet()) {
            Point p = m.getValue().values.get(id);
            if (p != null && t.worse(p.value(), bound)) {
                from = m.getKey();
                break;
            }
        }
        long until = Math.min(lastBlock + BLOCK.toMillis(), dataEnd);
        for (Map.Entry<Long, Minute> m : minutes.subMap(lastBlock, true, lastBlock + BLOCK.toMillis(), false)
                .descendingMap().entrySet()) {
            Point p = m.getValue().values.get(id);
            if (p != null && t.worse(p.value(), bound)) {
                until = m.getKey() + MINUTE;
                break;
            }
        }
        // value and requests over the affected blocks
        double sum = 0;
        long samples = 0;
        long requests = 0;
        long affectedMinutes = 0;
        List<Double> quantiles = new ArrayList<>();
        for (int i : affected) {
            long b = blocks.get(i)[0];
            for (Minute m : minutes.subMap(b, true, b + BLOCK.toMillis(), false).values()) {
                requests += m.requests;
                affectedMinutes++;
                Point p = m.values.get(id);
                if (p != null) {
                    sum += p.value() * p.samples();
                    samples += p.samples();
                    quantiles.add(p.value());
                }
            }
        }
        double value = quantile ? median(quantiles) : samples == 0 ? Double.NaN : sum / samples;
        return new Departure(key, id, t.direction() == Direction.HIGHER_IS_BETTER, base.value, value, from, until, affectedMinutes, requests);
    }

    private static boolean offBaseline(Pooled p, double baseline, double bound, Tracked t, boolean quantile) {
        if (!t.worse(p.value, bound)) {
            return false;
        }
        if (quantile) {
            return p.samples >= MIN_QUANTILE_SAMPLES;
        }
        if (p.samples < MIN_RATIO_SAMPLES) {
            return false;
        }
        // a proportion's binomial spread; other ratios (cost, ratings) a coefficient of variation of 1/2
        double variance = baseline >= 0 && baseline <= 1 ? baseline * (1 - baseline) : Math.pow(0.5 * baseline, 2);
        variance = Math.max(variance, 1.0 / ((double) p.samples * p.samples));
        double z = Math.abs(p.value - baseline) / Math.sqrt(variance / p.samples);
        return z >= NOISE_Z;
    }

    private record Pooled(double value, long samples, int minutes) {}

    /** Ratios: sums over sums (weighted by samples); quantiles: the median of the minutes' values. */
    private static Pooled pool(NavigableMap<Long, Minute> minutes, String id, boolean quantile) {
        double sum = 0;
        long samples = 0;
        List<Double> values = new ArrayList<>();
        for (Minute m : minutes.values()) {
            Point p = m.values.get(id);
            if (p == null || p.samples() == 0) {
                continue;
            }
            sum += p.value() * p.samples();
            samples += p.samples();
            values.add(p.value());
        }
        if (values.isEmpty()) {
            return null;
        }
        return new Pooled(quantile ? median(values) : sum / samples, samples, values.size());
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /**
     * Per service, metric and slice, every version and track together: requests while off baseline, the
     * slice's requests over the incident, and how far it moved. Ordered per metric by how far the slice moved
     * from its baseline (relative change), then by requests affected: a slice that carries the harm comes
     * before a larger one that only contains it. The whole service is a row of its own (empty slice).
     */
    private List<Impact> impacts(ReplayData data) {
        if (onset == null) {
            return List.of();
        }
        long end = incidentEnd();
        Map<List<Object>, List<Departure>> groups = new LinkedHashMap<>();
        for (Departure d : departures) {
            groups.computeIfAbsent(List.of(d.series().service(), d.series().signal(), d.metric(), d.series().slice()),
                    k -> new ArrayList<>()).add(d);
        }
        List<Impact> out = new ArrayList<>();
        for (List<Departure> ds : groups.values()) {
            SeriesKey k = ds.get(0).series();
            long sliceRequests = 0;
            for (Map.Entry<SeriesKey, TreeMap<Long, Minute>> e : data.slices.entrySet()) {
                SeriesKey s = e.getKey();
                if (s.service().equals(k.service()) && s.signal().equals(k.signal()) && s.slice().equals(k.slice())) {
                    for (Minute m : e.getValue().subMap(onset, true, end, false).values()) {
                        sliceRequests += m.requests;
                    }
                }
            }
            // the departure of the most requests speaks for value and baseline
            Departure main = ds.stream().max(Comparator.comparingLong(Departure::affectedRequests)).get();
            Set<String> versions = new TreeSet<>();
            long affected = 0;
            long minutes = 0;
            long from = Long.MAX_VALUE;
            long until = Long.MIN_VALUE;
            for (Departure d : ds) {
                versions.add(d.series().version());
                affected += d.affectedRequests();
                minutes = Math.max(minutes, d.affectedMinutes());
                from = Math.min(from, d.from());
                until = Math.max(until, d.until());
            }
            out.add(new Impact(k.service(), k.signal(), main.metric(), k.slice(), versions, main.baseline(), main.value(),
                    main.relativeChange(), affected, Math.max(sliceRequests, affected), from, until, minutes));
        }
        out.sort(Comparator.comparing(Impact::service).thenComparing(Impact::metric)
                .thenComparing(i -> i.slice().isEmpty() ? 0 : 1)
                .thenComparing(Comparator.comparingDouble(Impact::relativeChange).reversed())
                .thenComparing(Comparator.comparingLong(Impact::affectedRequests).reversed()));
        return out;
    }
}
