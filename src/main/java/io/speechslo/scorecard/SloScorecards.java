package io.speechslo.scorecard;

import io.speechslo.burn.BurnRateMonitor;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.Durations;
import io.speechslo.slice.Slice;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The SLO scorecard of one SLO of a service (or of one model version of it), for the executive view:
 * the SLI and the error budget left over the SLO window (always, not only in alerts), the burn rate over
 * every alert window ({@code burn_rate_<window>}, e.g. {@code burn_rate_1h}), the user-visible impact
 * (bad requests and the share of requests affected in the last hour) and the open incident, if any.
 * A threshold SLO's scorecard is for one slice and counts timeslices instead of requests: its SLI is the
 * share of judged timeslices that met the threshold, and its impact is {@code bad_timeslices_1h} and
 * {@code bad_timeslice_share_1h}.
 */
public final class SloScorecards {

    private SloScorecards() {}

    /** @param version the model version, or null for the service-wide monitor */
    public static Scorecard of(String service, Signal signal, String slo, String version, long windowStart,
            long windowEnd, BurnRateMonitor.Status s) {
        return of(service, signal, slo, version, Slice.ALL, false, windowStart, windowEnd, s);
    }

    /**
     * @param slice the slice a threshold SLO's monitor judges (ALL for a request-based SLO)
     * @param timeslices true for a threshold SLO: the counts are of timeslices
     */
    public static Scorecard of(String service, Signal signal, String slo, String version, Slice slice,
            boolean timeslices, long windowStart, long windowEnd, BurnRateMonitor.Status s) {
        ScorecardValues v = new ScorecardValues()
                .ratio("sli", s.good(), s.total(), s.total())
                .value("objective", s.objective(), s.total())
                .value("budget_remaining", s.budgetRemaining(), s.total());
        for (BurnRateMonitor.WindowRate w : s.windows()) {
            v.value("burn_rate_" + Durations.format(w.window()), w.burnRate(), w.total());
        }
        v.count(timeslices ? "bad_timeslices_1h" : "bad_requests_1h", s.badLastHour(), s.totalLastHour())
                .ratio(timeslices ? "bad_timeslice_share_1h" : "affected_share_1h", s.badLastHour(), s.totalLastHour(),
                        s.totalLastHour())
                .count("incident_open", s.incident() == null ? 0 : 1, 1);
        List<Incident> incidents = new ArrayList<>(1);
        if (s.incident() != null) {
            incidents.add(new Incident(s.incident().name(), s.incidentSince()));
        }
        return Scorecard.newBuilder()
                .setKind(ScorecardKind.SLO)
                .setService(service)
                .setSignal(signal.name())
                .setModelVersion(version)
                .setSlice(new LinkedHashMap<>(slice.toMap()))
                .setSlo(slo)
                .setWindowStart(windowStart)
                .setWindowEnd(windowEnd)
                .setValues(v.values())
                .setIncidents(incidents)
                .build();
    }
}
