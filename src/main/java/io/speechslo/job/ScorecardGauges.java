package io.speechslo.job;

import io.speechslo.advisory.Decision;
import io.speechslo.scorecard.Scorecard;
import io.speechslo.scorecard.ScorecardKind;
import io.speechslo.scorecard.ScorecardValue;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

import java.util.HashMap;
import java.util.Map;

/**
 * SLO and rollout gauges for Prometheus (or any Flink metric reporter), taken from the scorecards an engine
 * emits, so they read exactly what the executive view reads. Labels (Flink key/value groups) keep the
 * cardinality bounded by what is configured, never by traffic: per service, SLO and model version
 * ({@code all} for the service-wide monitor), SLO scorecards of the whole service only:
 * <ul>
 *   <li>{@code slo_burn_rate} with label {@code window} (every alert window, e.g. 5m ... 3d),
 *   <li>{@code slo_budget_remaining} (1 = untouched, below 0 = overspent),
 *   <li>{@code slo_incident_open} (0 none, 1 TICKET, 2 PAGE);
 * </ul>
 * per service and candidate model version, from ROLLOUT scorecards: {@code rollout_decision} (the last
 * decision published: 0 CONTINUE, 1 PAUSE, 2 ROLLBACK; NaN before the first) and
 * {@code rollout_canary_share}. A gauge reads the latest scorecard's value, NaN while that value has no
 * data. At most {@link #MAX_SERIES} series per operator subtask: more are not registered and counted in
 * {@code gauges_dropped}. Gauges of a monitor that went away keep their last value (Flink cannot
 * unregister one metric), which is why the scorecards, not the gauges, are the record.
 */
final class ScorecardGauges {

    static final int MAX_SERIES = 2_000;

    private final MetricGroup group;
    private final Counter dropped;
    /** Latest value per series: {@code name NUL service NUL slo-or-empty NUL version NUL window-or-empty}. */
    private final Map<String, double[]> series = new HashMap<>();

    ScorecardGauges(MetricGroup group) {
        this.group = group;
        this.dropped = group.counter("gauges_dropped");
    }

    void update(Scorecard s) {
        String version = s.getModelVersion() == null ? "all" : s.getModelVersion();
        if (s.getKind() == ScorecardKind.SLO && s.getSlice().isEmpty()) {
            for (ScorecardValue v : s.getValues()) {
                String name = v.getName();
                double value = v.getValue() == null ? Double.NaN : v.getValue();
                if (name.startsWith("burn_rate_")) {
                    set("slo_burn_rate", s.getService(), s.getSlo(), version, name.substring("burn_rate_".length()), value);
                } else if (name.equals("budget_remaining")) {
                    set("slo_budget_remaining", s.getService(), s.getSlo(), version, "", value);
                }
            }
            double incident = s.getIncidents().isEmpty() ? 0
                    : s.getIncidents().get(0).getDecision().equals(Decision.PAGE.name()) ? 2 : 1;
            set("slo_incident_open", s.getService(), s.getSlo(), version, "", incident);
        } else if (s.getKind() == ScorecardKind.ROLLOUT && s.getRollout() != null) {
            String d = s.getRollout().getDecision();
            double code = d == null ? Double.NaN
                    : d.equals(Decision.ROLLBACK.name()) ? 2 : d.equals(Decision.PAUSE.name()) ? 1 : 0;
            set("rollout_decision", s.getService(), "", version, "", code);
            Double share = s.getRollout().getCanaryShare();
            set("rollout_canary_share", s.getService(), "", version, "", share == null ? Double.NaN : share);
        }
    }

    private void set(String name, String service, String slo, String version, String window, double value) {
        String key = name + Keys.SEP + service + Keys.SEP + slo + Keys.SEP + version + Keys.SEP + window;
        double[] cell = series.get(key);
        if (cell == null) {
            if (series.size() >= MAX_SERIES) {
                dropped.inc();
                return;
            }
            cell = new double[] {value};
            series.put(key, cell);
            MetricGroup g = group.addGroup("service", service);
            if (!slo.isEmpty()) {
                g = g.addGroup("slo", slo);
            }
            g = g.addGroup("model_version", version);
            if (!window.isEmpty()) {
                g = g.addGroup("window", window);
            }
            double[] read = cell;
            g.gauge(name, (Gauge<Double>) () -> read[0]);
        }
        cell[0] = value;
    }
}
