package io.speechslo.report;

import io.speechslo.metrics.Signal;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.report.ReplayData.Minute;
import io.speechslo.report.ReplayData.Point;
import io.speechslo.report.ReplayData.SeriesKey;
import io.speechslo.report.ReplayData.SloKey;
import io.speechslo.report.ReplayData.SloPoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Each SLO over the incident: the bad share before and during it on its worst series (service, model
 * version, and for a per-slice SLO the slice), the burn rate that means, the earliest its page alerts could
 * have fired at that rate ({@link BurnMaths}), and the error budget the incident consumed (from the SLO
 * scorecards: the budget left before onset minus the least left after it). Request SLOs count requests
 * (from the SLI over the SLO window, which is cumulative while the data is shorter than the window);
 * per-slice SLOs count judged minutes of the SLICE scorecards, as the job does.
 */
final class SloImpact {

    /** The monitor's least bad count in a long window before it alerts: requests, or timeslices. */
    static final long MIN_BAD_REQUESTS = 10;
    static final long MIN_BAD_TIMESLICES = 3;

    record Result(SloDefinition slo, String service, String version, Map<String, String> slice, double badBefore,
            double badDuring, long badCount, long totalCount, BurnMaths.Earliest earliest, Double budgetBefore,
            Double budgetAfter, String budgetSeries) {

        double burnDuring() {
            return badDuring / (1 - slo.objective());
        }

        Double budgetConsumed() {
            return budgetBefore == null || budgetAfter == null ? null : budgetBefore - budgetAfter;
        }
    }

    private SloImpact() {}

    /** The SLOs the incident made burn (bad share up, burn rate at least 1), worst burn first. */
    static List<Result> of(ReplayData data, Policies policies, IncidentAnalysis a) {
        List<Result> out = new ArrayList<>();
        if (a.onset == null) {
            return out;
        }
        long onset = a.onset;
        long end = a.incidentEnd();
        Set<List<String>> services = new LinkedHashSet<>();
        data.slices.keySet().forEach(k -> services.add(List.of(k.service(), k.signal())));
        for (List<String> sv : services) {
            for (SloDefinition slo : policies.allSlosFor(sv.get(0), Signal.valueOf(sv.get(1)))) {
                Result r = slo.isThreshold() ? timeslices(data, slo, sv.get(0), onset, end)
                        : requests(data, slo, sv.get(0), onset, end);
                // involved: burning its budget faster than it lasts while the incident ran
                if (r != null && r.badDuring() > r.badBefore() && r.badCount() > 0 && r.burnDuring() >= 1) {
                    out.add(withBudget(data, r, onset));
                }
            }
        }
        out.sort((x, y) -> Double.compare(y.burnDuring(), x.burnDuring()));
        return out;
    }

    private static Result requests(ReplayData data, SloDefinition slo, String service, long onset, long end) {
        Result worst = null;
        for (Map.Entry<SloKey, TreeMap<Long, SloPoint>> e : data.slos.entrySet()) {
            SloKey k = e.getKey();
            if (!k.service().equals(service) || !k.slo().equals(slo.name()) || !k.slice().isEmpty()) {
                continue;
            }
            TreeMap<Long, SloPoint> points = e.getValue();
            Map.Entry<Long, SloPoint> atOnset = points.floorEntry(onset);
            Map.Entry<Long, SloPoint> atEnd = points.floorEntry(end);
            if (atEnd == null) {
                continue;
            }
            double bad0 = atOnset == null ? 0 : (1 - atOnset.getValue().sli()) * atOnset.getValue().samples();
            long total0 = atOnset == null ? 0 : atOnset.getValue().samples();
            double bad1 = (1 - atEnd.getValue().sli()) * atEnd.getValue().samples();
            long total1 = atEnd.getValue().samples();
            if (total1 <= total0) {
                continue;
            }
            double before = total0 == 0 ? 0 : bad0 / total0;
            double during = (bad1 - bad0) / (total1 - total0);
            double perMs = (bad1 - bad0) / Math.max(1, end - onset);
            Duration minBad = perMs <= 0 ? Duration.ZERO : Duration.ofMillis((long) Math.ceil(MIN_BAD_REQUESTS / perMs));
            BurnMaths.Earliest earliest = during <= before ? null : BurnMaths.earliestPage(slo.alerts(), slo.objective(),
                    before, during, Duration.ofMillis(onset - data.first), Duration.ofSeconds(1), minBad);
            Result r = new Result(slo, service, k.version(), k.slice(), before, during, Math.round(bad1 - bad0),
                    total1 - total0, earliest, null, null, null);
            if (worst == null || r.badDuring() > worst.badDuring()) {
                worst = r;
            }
        }
        return worst;
    }

    private static Result timeslices(ReplayData data, SloDefinition slo, String service, long onset, long end) {
        Result worst = null;
        for (Map.Entry<SeriesKey, TreeMap<Long, Minute>> e : data.slices.entrySet()) {
            SeriesKey k = e.getKey();
            if (!k.service().equals(service) || !k.signal().equals(slo.signal().name()) || k.slice().size() > 2) {
                continue;
            }
            long[] before = count(e.getValue().subMap(data.first, true, onset, false), slo);
            long[] during = count(e.getValue().subMap(onset, true, end, false), slo);
            if (during[1] == 0 || during[0] == 0) {
                continue;
            }
            double b0 = before[1] == 0 ? 0 : (double) before[0] / before[1];
            double b = (double) during[0] / during[1];
            if (b <= b0) {
                continue;
            }
            Duration minBad = Duration.ofMinutes((long) Math.ceil(MIN_BAD_TIMESLICES / b));
            BurnMaths.Earliest earliest = BurnMaths.earliestPage(slo.alerts(), slo.objective(), b0, b,
                    Duration.ofMinutes(before[1]), slo.threshold().timeslice(), minBad);
            Result r = new Result(slo, service, k.version(), k.slice(), b0, b, during[0], during[1], earliest, null, null,
                    null);
            if (worst == null || r.badDuring() > worst.badDuring()
                    || (r.badDuring() == worst.badDuring() && r.totalCount() > worst.totalCount())) {
                worst = r;
            }
        }
        return worst;
    }

    /** {bad, judged} timeslices. */
    private static long[] count(Map<Long, Minute> minutes, SloDefinition slo) {
        long bad = 0;
        long judged = 0;
        for (Minute m : minutes.values()) {
            Point p = m.values.get(slo.threshold().metric());
            if (p == null || p.samples() < slo.threshold().minSamples()) {
                continue;
            }
            judged++;
            if (!slo.threshold().met(p.value())) {
                bad++;
            }
        }
        return new long[] {bad, judged};
    }

    /** The budget consumed on the SLO's series that lost the most of it since onset. */
    private static Result withBudget(ReplayData data, Result r, long onset) {
        Double before = null;
        Double after = null;
        String series = null;
        double most = Double.NEGATIVE_INFINITY;
        for (Map.Entry<SloKey, TreeMap<Long, SloPoint>> e : data.slos.entrySet()) {
            SloKey k = e.getKey();
            if (!k.service().equals(r.service()) || !k.slo().equals(r.slo().name())) {
                continue;
            }
            Map.Entry<Long, SloPoint> b = e.getValue().floorEntry(onset);
            // a per-slice series is only written while its alert stands: before that its budget was untouched
            double start = b == null || Double.isNaN(b.getValue().budgetRemaining()) ? 1.0 : b.getValue().budgetRemaining();
            double least = Double.POSITIVE_INFINITY;
            for (SloPoint p : e.getValue().tailMap(onset, true).values()) {
                if (!Double.isNaN(p.budgetRemaining())) {
                    least = Math.min(least, p.budgetRemaining());
                }
            }
            if (least != Double.POSITIVE_INFINITY && start - least > most) {
                most = start - least;
                before = start;
                after = least;
                series = ReportModel.seriesName(k.version(), k.slice());
            }
        }
        return new Result(r.slo(), r.service(), r.version(), r.slice(), r.badBefore(), r.badDuring(), r.badCount(),
                r.totalCount(), r.earliest(), before, after, series);
    }
}
