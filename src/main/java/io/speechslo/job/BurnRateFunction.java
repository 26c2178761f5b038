package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.burn.BurnRateMonitor;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.SloDefinition;
import io.speechslo.scorecard.SloScorecards;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Burn rates per SLO of a service, service-wide and per model version, over exact good/total counts
 * per burn pane ({@link BurnTick}s straight from the pre-aggregator, not slice panes). One
 * {@link BurnRateMonitor} per (SLO, version); state key {@code slo NUL version}, with an empty version
 * for the service-wide monitor. Evaluates as soon as the watermark passes a burn pane's end, whatever
 * the allowed lateness: counts that arrive after that (requests late within the allowed lateness) go
 * into their own burn pane at the next evaluation and count in every later one (metric
 * {@code late_burn_requests}); counts older than the panes a monitor still keeps are refused and
 * counted ({@code late_refused_requests}, once per SLO, on the service-wide monitors). For every minute of event time (or burn pane, if longer) each monitor
 * with traffic in it, or with an alert standing, also gives its SLO scorecard ({@link SloScorecards}),
 * at the first evaluation at or after the minute's end: before that evaluation's counts go in, when
 * it is past the minute (the monitor then holds exactly what had arrived by the minute's end). No
 * timer is added for it, so the advisories are what they were without scorecards; the scorecard of
 * a minute followed by no traffic at all waits for the next request or wake-up. Monitors with no
 * traffic for a whole SLO window go. Without traffic it wakes every burn pane only while an alert
 * stands (so it can resolve), else once more a whole SLO window later, to let idle monitors go.
 * Monitors are held as objects between checkpoints ({@link HeldState}, written back by
 * {@link HeldStateOperator}), not read and written at every burn pane.
 */
final class BurnRateFunction extends EngineFunction<BurnTick> {

    private static final java.util.Comparator<BurnTick> TICK_ORDER = java.util.Comparator
            .<BurnTick>comparingLong(t -> t.tickEnd)
            .thenComparing(t -> t.version);

    /** Monitors held at most between checkpoints (each up to a few hundred KB: hours of panes). */
    static final int MAX_HELD = 1_000;

    private transient HeldState<String, BurnRateMonitor> monitors;
    private transient org.apache.flink.metrics.Counter lateRequests;

    BurnRateFunction(io.speechslo.policy.load.PolicyBundle bundle) {
        super(bundle, 0);
    }

    @Override
    States.Buffer<BurnTick> bufferState() {
        return States.BURN_TICK_BUFFER;
    }

    @Override
    Class<BurnTick> inputType() {
        return BurnTick.class;
    }

    @Override
    long paneEnd(BurnTick t) {
        return t.tickEnd;
    }

    @Override
    java.util.Comparator<BurnTick> foldOrder() {
        return TICK_ORDER;
    }

    @Override
    void openEngine() {
        monitors = new HeldState<>(getRuntimeContext().getMapState(States.BURN_MONITORS), MAX_HELD);
        lateRequests = getRuntimeContext().getMetricGroup().counter("late_burn_requests");
    }

    @Override
    long wakeUp(BurnTick t, long watermark) {
        if (t.tickEnd > watermark || watermark == Long.MAX_VALUE) {
            return t.tickEnd;
        }
        // Its burn pane was evaluated already: its counts go in at the next evaluation, in their own pane.
        for (long n : t.total) {
            lateRequests.inc(n);
        }
        long burnPane = policies.burn().pane().toMillis();
        return Math.floorDiv(watermark, burnPane) * burnPane + burnPane;
    }

    /**
     * Exact counts per monitor key ({@code slo NUL version}, and {@code slo NUL} service-wide), as
     * {tickEnd, good, total} per burn pane in the order of the (sorted) ticks. Counts are matched to the
     * SLOs in force by name (those of an SLO no longer in force are dropped); burn counts without names
     * (held in a savepoint before 2026-12-05) by position.
     */
    static Map<String, List<long[]>> counts(List<SloDefinition> slos, List<BurnTick> ticks) {
        Map<String, List<long[]>> counts = new TreeMap<>();
        Map<String, SloDefinition> byName = new java.util.HashMap<>();
        for (SloDefinition s : slos) {
            byName.put(s.name(), s);
        }
        for (BurnTick t : ticks) {
            for (int i = 0; i < t.total.length; i++) {
                SloDefinition slo = t.slos != null ? byName.get(t.slos[i]) : i < slos.size() ? slos.get(i) : null;
                if (t.total[i] == 0 || slo == null) {
                    continue;
                }
                for (String key : new String[] {key(slo, ""), key(slo, t.version)}) {
                    List<long[]> panes = counts.computeIfAbsent(key, x -> new java.util.ArrayList<>(1));
                    long[] c = panes.isEmpty() ? null : panes.get(panes.size() - 1);
                    if (c == null || c[0] != t.tickEnd) {
                        c = new long[] {t.tickEnd, 0, 0};
                        panes.add(c);
                    }
                    c[1] += t.good[i];
                    c[2] += t.total[i];
                }
            }
        }
        return counts;
    }

    private static String version(String key) {
        String v = Keys.split(key)[1];
        return v.isEmpty() ? null : v;
    }

    @Override
    long onPane(String service, Signal signal, long paneEnd, List<BurnTick> ticks, List<Advisory> out)
            throws Exception {
        List<SloDefinition> slos = policies.slosFor(service, signal);
        long burnPane = policies.burn().pane().toMillis();
        Map<String, List<long[]>> counts = counts(slos, ticks);
        String serviceKey = Keys.service(service, signal);
        TreeSet<String> keys = monitors.keys(serviceKey);
        keys.addAll(counts.keySet());
        boolean alerting = false;
        boolean kept = false; // any monitor left for this key
        long scorecardMillis = scorecardMillis(burnPane);
        for (String key : keys) {
            SloDefinition slo = Keys.slo(slos, key);
            if (slo == null) {
                monitors.remove(serviceKey, key); // the SLO is no longer in the policies
                continue;
            }
            String version = version(key);
            BurnRateMonitor m = monitors.get(serviceKey, key);
            m = m == null ? new BurnRateMonitor(slo, policies.burn(), service, version, policies.version())
                    : m.configure(slo, policies.burn(), service, version, policies.version());
            long minute = Math.floorDiv(paneEnd, scorecardMillis) * scorecardMillis;
            if (minute < paneEnd && m.lastEvaluated() < minute && m.lastEvaluated() != Long.MIN_VALUE) {
                scorecard(m, service, signal, slo, version, minute, scorecardMillis); // a minute passed unevaluated
            }
            for (long[] c : counts.getOrDefault(key, List.of())) {
                if (!m.add(c[0] - 1, c[1], c[2]) && version == null) {
                    lateRefused.inc(c[2]); // older than the panes the monitor keeps (counted service-wide only)
                }
            }
            if (paneEnd % burnPane == 0) {
                m.evaluate(paneEnd).ifPresent(out::add);
            }
            if (minute == paneEnd) {
                scorecard(m, service, signal, slo, version, minute, scorecardMillis);
            }
            if (m.isIdle(paneEnd)) {
                monitors.remove(serviceKey, key);
            } else {
                monitors.put(serviceKey, key, m);
                kept = true;
                alerting |= m.isAlerting();
            }
        }
        if (!kept) {
            return Long.MIN_VALUE;
        }
        if (alerting) {
            return paneEnd + burnPane; // a standing alert resolves (or reminds) even when traffic stops
        }
        // Nothing standing: traffic registers its own wake-ups. One more, a whole SLO window on (on a
        // day boundary, so a busy key holds about one such timer a day), lets idle monitors go.
        long day = java.time.Duration.ofDays(1).toMillis();
        long window = slos.stream().mapToLong(s -> s.window().toMillis()).max().orElse(day);
        return Math.floorDiv(paneEnd + window, day) * day + day;
    }

    /** The SLO scorecard of the minute ending at {@code end}, if the monitor had traffic in it or an alert stands. */
    private void scorecard(BurnRateMonitor m, String service, Signal signal, SloDefinition slo, String version,
            long end, long scorecardMillis) {
        BurnRateMonitor.Status status = m.status(end);
        if (status.incident() != null || status.lastEvent() >= end - scorecardMillis) {
            scorecards.add(SloScorecards.of(service, signal, slo.name(), version, end - scorecardMillis, end, status));
        }
    }

    @Override
    List<HoldsState.Held> heldEngineStates() {
        return List.of(monitors);
    }

    /** How often SLO scorecards are made: every minute, or every burn pane when that is longer. */
    static long scorecardMillis(long burnPane) {
        return Math.max(60_000, burnPane);
    }

    private static String key(SloDefinition slo, String version) {
        return slo.name() + Keys.SEP + version;
    }
}
