package io.speechslo.diagnosis;

import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Hint;
import io.speechslo.gate.Stats;
import io.speechslo.policy.SloDefinition;

import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;

/**
 * Whether an availability page is about timeouts: its bad requests (TIMEOUT and ERROR) are mostly
 * TIMEOUT, and the share of requests that timed out rose beyond sampling noise (a two-proportion z above
 * {@link LatencyDiagnosis#EVIDENCE_Z}) against the window before. Then driver {@code timeouts} with
 * {@code share_explained = Δ timeout rate / Δ (timeout + error) rate}, and the outcome counts of both
 * windows in the sentence: requests that run out of time point at capacity (queues, autoscaling) or a
 * slow dependency, not at a crash. A page whose bad requests are mostly ERROR, whose timeouts did not
 * move, or with fewer than {@link #MIN_TIMEOUTS} timeouts names nothing.
 */
public final class TimeoutDiagnosis {

    /** Fewest timeouts in the page's window before timeouts are named. */
    public static final long MIN_TIMEOUTS = 10;

    private TimeoutDiagnosis() {}

    /**
     * Whether an SLO judges availability: request-based, its good filter on the outcome only (OK or
     * CANCELLED), so its bad requests are those that ended TIMEOUT or ERROR.
     */
    public static boolean judgesOutcomes(SloDefinition slo) {
        return !slo.isThreshold() && !slo.good().fields().isEmpty()
                && slo.good().fields().stream().allMatch("outcome"::equals);
    }

    /** Requests of one window and how many ended TIMEOUT and ERROR. */
    public record Window(String name, long requests, long timeouts, long errors) {

        double timeoutRate() {
            return (double) timeouts / requests;
        }

        double badRate() {
            return (double) (timeouts + errors) / requests;
        }
    }

    /**
     * The hint for a rise of timeouts from {@code before} to {@code now}, or none.
     *
     * @param where where the page is, for the sentence ("of asr-2026.01.2", "on the whole service")
     */
    public static List<Hint> hints(String where, Window now, Window before) {
        if (now.requests() <= 0 || before.requests() <= 0 || now.timeouts() < MIN_TIMEOUTS
                || now.timeouts() <= now.errors()) {
            return List.of(); // too few timeouts, or mostly errors: not a timeout page
        }
        double rise = now.timeoutRate() - before.timeoutRate();
        double badRise = now.badRate() - before.badRate();
        double z = Stats.proportionZ(now.timeouts(), now.requests(), before.timeouts(), before.requests());
        if (!(rise > 0) || !(badRise > 0) || !(z > LatencyDiagnosis.EVIDENCE_Z)) {
            return List.of(); // timeouts did not move beyond noise
        }
        double share = rise / badRise;
        String evidence = "TIMEOUT ended " + count(now.timeouts()) + " of " + count(now.requests()) + " requests ("
                + percent(now.timeoutRate()) + ") " + now.name() + " against " + count(before.timeouts()) + " of "
                + count(before.requests()) + " (" + percent(before.timeoutRate()) + ") " + before.name() + " (z="
                + Advisories.fmt(z) + "): " + Advisories.fmt(share * 100) + "% of the rise in requests ending TIMEOUT or"
                + " ERROR " + where + "; ERROR " + count(now.errors()) + " (" + percent((double) now.errors() / now.requests())
                + ") against " + count(before.errors()) + " (" + percent((double) before.errors() / before.requests()) + ")";
        return new Hints().add(Driver.TIMEOUTS, evidence, "timeout_rate", now.timeoutRate(), before.timeoutRate(), share)
                .sorted();
    }

    private static String count(long n) {
        NumberFormat f = NumberFormat.getIntegerInstance(Locale.ROOT);
        f.setGroupingUsed(true);
        return f.format(n);
    }

    private static String percent(double share) {
        double p = share * 100;
        return (p >= 1 || p == 0 ? String.format(Locale.ROOT, "%.1f", p) : String.format(Locale.ROOT, "%.3f", p)) + "%";
    }
}
