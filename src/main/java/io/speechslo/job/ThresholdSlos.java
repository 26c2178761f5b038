package io.speechslo.job;

import io.speechslo.advisory.Action;
import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Finding;
import io.speechslo.burn.BurnRateMonitor;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.Durations;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.scorecard.Scorecard;
import io.speechslo.scorecard.ScorecardKind;
import io.speechslo.scorecard.ScorecardValue;
import io.speechslo.scorecard.SloScorecards;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.Track;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.metrics.Counter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The threshold SLOs of one service and signal (OpenSLO {@code thresholdMetric} budgeted in
 * {@code Timeslices}), judged on its SLICE scorecards: per SLO, model version and slice (the whole
 * service and every slice of one and two dimensions a scorecard is made for), each scorecard window is one
 * timeslice, good when the scorecard's value meets the threshold, bad when not, and not judged when the
 * value rests on fewer than the SLO's {@code minSamples} (a quiet minute of a small cohort is no evidence
 * either way). A {@link BurnRateMonitor} per (SLO, version, slice) burns the budget over the judged
 * timeslices with the SLO's alert policies, exactly as request-based SLOs burn theirs over requests, so a
 * service without a canary still pages on one cohort's quality. Shadow traffic is not judged.
 *
 * <p>One advisory per SLO and version, not one per slice: a broken cohort burns the slices around it too
 * (German phone lines also worsen "German, noisy" and "phone line, noisy"), and its on-call wants one page
 * naming them all, the worst first. Each slice's monitor decides for its slice as a request-based SLO's
 * does; the SLO's advisory is PAGE while any slice pages, else TICKET while any holds a ticket, and is
 * emitted when that decision or the set of slices it holds on changes, every {@code reminder} while it
 * stands, and once RESOLVED when no slice burns any more. Its findings are every burning (or just
 * resolved) slice's conditions that fired; its windows, rates and budget are the worst slice's.
 *
 * <p>Cost (measured): a monitor with days of history holds about 300 KB on the heap (the minute panes of
 * the longest alert window, 3 days, as running sums in long arrays) and about 10 KB in a checkpoint; there is
 * one per SLO, version and slice that was ever judged. Counts of timeslices (0 or 1 a minute) would fit
 * far smaller panes; until they do, the RocksDB backend suits a job with many busy services.
 *
 * <p>SLO scorecards: every timeslice the whole service was judged in, and for every slice while its alert
 * stands (one per slice and minute for every cohort would double the scorecard volume for little: the
 * SLICE scorecards carry each slice's value).
 */
final class ThresholdSlos {

    private static final String SLICES_SEP = "\u0001";

    private final HeldState<String, BurnRateMonitor> monitors;
    private final MapState<String, String> alerts;

    /** Judged timeslices a monitor refused as older than the panes it keeps (metric {@code late_refused_timeslices}). */
    private final Counter lateRefused;

    /** @param monitors the key's monitors, held between checkpoints ({@link HeldState}) */
    ThresholdSlos(HeldState<String, BurnRateMonitor> monitors, MapState<String, String> alerts, Counter lateRefused) {
        this.monitors = monitors;
        this.alerts = alerts;
        this.lateRefused = lateRefused;
    }

    /** The monitors, held between checkpoints. */
    HeldState<String, BurnRateMonitor> monitors() {
        return monitors;
    }

    /**
     * Judges the timeslice ending at {@code end} on its SLICE scorecards, then evaluates every monitor of
     * the key at {@code end} (also those without a judged timeslice now, so standing alerts resolve).
     *
     * @return true while an alert stands on any of them
     */
    boolean onTimeslice(Policies policies, String service, Signal signal, long end, List<Scorecard> sliceScorecards,
            List<Advisory> advisories, List<Scorecard> scorecards) throws Exception {
        List<SloDefinition> slos = policies.thresholdSlosFor(service, signal);
        Map<String, Boolean> judged = slos.isEmpty() ? Map.of() : judge(slos, sliceScorecards);
        String serviceKey = Keys.service(service, signal);
        TreeSet<String> keys = monitors.keys(serviceKey);
        keys.addAll(judged.keySet());
        boolean alerting = false;
        Map<String, List<Advisory>> assessed = new TreeMap<>();
        for (String key : keys) {
            String[] k = Keys.split(key);
            SloDefinition slo = Keys.slo(slos, key);
            if (slo == null) {
                monitors.remove(serviceKey, key); // the SLO is no longer in the policies
                continue;
            }
            Slice slice = Slice.parse(k[2]);
            BurnRateMonitor m = monitors.get(serviceKey, key);
            m = m == null
                    ? new BurnRateMonitor(slo, BurnRateMonitor.settings(slo, policies.burn()), service, k[1], slice,
                            policies.version())
                    : m.configure(slo, BurnRateMonitor.settings(slo, policies.burn()), service, k[1], slice,
                            policies.version());
            long timeslice = slo.threshold().timeslice().toMillis();
            Boolean good = judged.get(key);
            if (good != null && !m.onRequest(end - 1, good)) {
                lateRefused.inc();
            }
            if (end % timeslice == 0) {
                m.evaluate(end); // the SLO's advisory groups its slices' assessments, below
                if (m.assessment() != null) {
                    assessed.computeIfAbsent(k[0] + Keys.SEP + k[1], x -> new ArrayList<>()).add(m.assessment());
                }
            }
            if ((good != null && slice.isAll()) || m.isAlerting()) {
                scorecards.add(SloScorecards.of(service, signal, slo.name(), k[1], slice, true, end - timeslice, end,
                        m.status(end)));
            }
            if (m.isIdle(end)) {
                monitors.remove(serviceKey, key);
            } else {
                monitors.put(serviceKey, key, m);
                alerting |= m.isAlerting();
            }
        }
        TreeSet<String> groups = new TreeSet<>(assessed.keySet());
        for (String g : alerts.keys()) {
            groups.add(g);
        }
        for (String group : groups) {
            SloDefinition slo = Keys.slo(slos, group);
            if (slo == null) {
                alerts.remove(group);
                continue;
            }
            group(group, assessed.getOrDefault(group, List.of()), end, policies.burn().reminder().toMillis())
                    .ifPresent(advisories::add);
        }
        return alerting;
    }

    /** The SLO's advisory over its slices' assessments at {@code end}, when one is due. */
    private Optional<Advisory> group(String group, List<Advisory> assessments, long end, long reminderMillis)
            throws Exception {
        List<Advisory> standing = new ArrayList<>();
        List<Advisory> resolved = new ArrayList<>();
        for (Advisory a : assessments) {
            (a.getDecision() == Decision.RESOLVED ? resolved : standing).add(a);
        }
        standing.sort(WORST_FIRST);
        Decision decision = standing.isEmpty() ? null : standing.get(0).getDecision();
        String slices = String.join(SLICES_SEP, standing.stream().map(ThresholdSlos::sliceKey).toList());

        String last = alerts.get(group);
        Decision lastDecision = null;
        long lastEmit = Long.MIN_VALUE;
        String lastSlices = "";
        if (last != null) {
            String[] f = last.split(";", 4);
            if (f.length != 4 || !f[0].equals("1")) {
                throw new IllegalStateException("threshold SLO alert state of " + group.replace(Keys.SEP, '/')
                        + " has an unknown format: " + last);
            }
            lastDecision = Decision.valueOf(f[1]);
            lastEmit = Long.parseLong(f[2]);
            lastSlices = f[3];
        }
        if (decision == null) {
            alerts.remove(group);
            if (lastDecision == null || resolved.isEmpty()) {
                return Optional.empty();
            }
            Advisory first = resolved.get(0);
            return Optional.of(Advisories.withId(Advisory.newBuilder(first)
                    .setFindings(findings(resolved))
                    .setSummary(who(first) + ": no slice burns its " + first.getSlo()
                            + " error budget too fast any more: resolved. " + first.getSummary())
                    .build()));
        }
        boolean emit = decision != lastDecision || !slices.equals(lastSlices) || end - reminderMillis >= lastEmit;
        if (!emit) {
            return Optional.empty();
        }
        alerts.put(group, "1;" + decision.name() + ";" + end + ";" + slices);
        List<Advisory> shown = new ArrayList<>(standing);
        shown.addAll(resolved);
        Advisory worst = standing.get(0);
        String summary = worst.getSummary();
        if (standing.size() > 1) {
            List<String> others = new ArrayList<>();
            for (Advisory a : standing.subList(1, Math.min(standing.size(), 6))) {
                others.add(cohort(a).describe() + " (" + a.getDecision().name().toLowerCase(java.util.Locale.ROOT) + ", "
                        + Advisories.fmt(a.getLongBurnRate() == null ? Double.NaN : a.getLongBurnRate()) + "x over " + Durations.format(
                                java.time.Duration.ofMillis(a.getLongWindow())) + ")");
            }
            summary += " It burns on " + (standing.size() - 1) + " more slice" + (standing.size() > 2 ? "s" : "")
                    + " too: " + String.join("; ", others) + (standing.size() > 6 ? "; ..." : "") + ".";
        }
        return Optional.of(Advisories.withId(Advisory.newBuilder(worst)
                .setFindings(findings(shown))
                .setSummary(summary)
                .build()));
    }

    /** Worst first: a page before a ticket, then the faster long-window burn, then the slice. */
    private static final Comparator<Advisory> WORST_FIRST = Comparator
            .<Advisory>comparingInt(a -> a.getDecision() == Decision.PAGE ? 0 : 1)
            .thenComparing(a -> a.getLongBurnRate() == null ? 0 : -a.getLongBurnRate())
            .thenComparing(ThresholdSlos::sliceKey);

    private static String sliceKey(Advisory a) {
        return cohort(a).key();
    }

    /** The slice a slice monitor's advisory is about, without its model version. */
    private static Slice cohort(Advisory a) {
        Map<String, String> dims = new TreeMap<>(a.getFindings().get(0).getSlice());
        dims.remove("model_version");
        return Slice.of(dims);
    }

    private static String who(Advisory a) {
        return a.getService() + (a.getModelVersion() == null ? "" : " (model " + a.getModelVersion() + ")");
    }

    /** Each slice's findings of conditions that fired or just resolved, in slice order. */
    private static List<Finding> findings(List<Advisory> slices) {
        List<Finding> out = new ArrayList<>();
        for (Advisory a : slices) {
            for (Finding f : a.getFindings()) {
                if (f.getAction() != Action.CONTINUE) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    /** Per monitor key, whether the timeslice is good; keys with too few samples are absent. */
    private static Map<String, Boolean> judge(List<SloDefinition> slos, List<Scorecard> sliceScorecards) {
        Map<String, Boolean> judged = new TreeMap<>();
        for (Scorecard s : sliceScorecards) {
            if (s.getKind() != ScorecardKind.SLICE || Track.SHADOW.name().equals(s.getTrack())
                    || s.getModelVersion() == null) {
                continue;
            }
            String slice = Slice.of(s.getSlice()).key();
            for (SloDefinition slo : slos) {
                ScorecardValue v = value(s, slo.threshold().metric());
                if (v != null && v.getValue() != null && v.getSamples() >= slo.threshold().minSamples()) {
                    judged.putIfAbsent(slo.name() + Keys.SEP + s.getModelVersion() + Keys.SEP + slice,
                            slo.threshold().met(v.getValue()));
                }
            }
        }
        return judged;
    }

    private static ScorecardValue value(Scorecard s, String name) {
        for (ScorecardValue v : s.getValues()) {
            if (v.getName().equals(name)) {
                return v;
            }
        }
        return null;
    }
}
