package io.speechslo.report;

import io.speechslo.policy.BurnAlert;
import io.speechslo.policy.Severity;

import java.time.Duration;
import java.util.List;

/**
 * The earliest the multiwindow burn-rate alerts could page at an observed error rate: the bad share steps
 * from {@code before} to {@code during} at onset, after {@code history} of data at the old rate (a window
 * reaching back further than the data holds only what there is, as the job's monitors do). A page alert
 * fires once both its long and its short window burn at its threshold or faster; the answer is the first
 * such moment over every page alert, or none. This is the floor detection is measured against: the job can
 * page no sooner at that error rate with those alerts.
 */
final class BurnMaths {

    /**
     * @param alert the page alert that fires first
     * @param after time from onset to the page
     */
    record Earliest(BurnAlert alert, Duration after) {}

    private BurnMaths() {}

    /**
     * @param objective the SLO's target (0.999)
     * @param before bad share before onset
     * @param during bad share from onset on
     * @param history data before onset
     * @param step granularity of the counts (1 s for requests; 1 min for timeslices, which count whole minutes)
     * @param minBadTime the least time from onset for the long window to hold enough bad events (the monitor's
     *     minimum bad count at the observed rate); zero for none
     * @return null when no page alert ever fires at that rate
     */
    static Earliest earliestPage(List<BurnAlert> alerts, double objective, double before, double during,
            Duration history, Duration step, Duration minBadTime) {
        double budget = 1 - objective;
        long stepMs = step.toMillis();
        long historyMs = history.toMillis();
        Earliest best = null;
        for (BurnAlert a : alerts) {
            if (a.severity() != Severity.PAGE) {
                continue;
            }
            long longMs = a.longWindow().toMillis();
            // once the long window holds only incident data, burn stops growing: no later time can fire
            for (long t = stepMs; t <= longMs + stepMs; t += stepMs) {
                if (t < minBadTime.toMillis()) {
                    continue;
                }
                if (burn(before, during, historyMs, t, longMs) / budget >= a.factor() - 1e-9
                        && burn(before, during, historyMs, t, a.shortWindow().toMillis()) / budget >= a.factor() - 1e-9) {
                    if (best == null || t < best.after().toMillis()) {
                        best = new Earliest(a, Duration.ofMillis(t));
                    }
                    break;
                }
            }
        }
        return best;
    }

    /** Bad share over a window ending {@code t} after onset. */
    static double burn(double before, double during, long historyMs, long t, long windowMs) {
        long inWindow = Math.min(windowMs, historyMs + t);
        long incident = Math.min(t, windowMs);
        long old = inWindow - incident;
        return inWindow <= 0 ? 0 : (before * old + during * incident) / inWindow;
    }
}
