package io.speechslo.diagnosis;

import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Hint;
import io.speechslo.gate.Stats;
import io.speechslo.serving.ServingStats;

import java.util.List;
import java.util.Locale;

/**
 * Supporting evidence for a latency alert whose latency rose: did the serving pools run out of capacity?
 * Read from the serving samples of the alert's window against the window before, each pool's minute one
 * observation ({@link ServingStats} of one pool, version and minute):
 * <ul>
 *   <li>{@code autoscaler}: the share of pool-minutes in which replicas the autoscaler had asked for were
 *       not ready yet (a sample with a pending scale-up) rose beyond noise (two-proportion z above
 *       {@link LatencyDiagnosis#EVIDENCE_Z});
 *   <li>{@code gpu_saturation}: the GPUs' mean utilisation rose beyond noise (Welch on the pool-minutes'
 *       means) to at least {@link #SATURATED}.
 * </ul>
 * Evidence, not a decomposition: {@code share_explained} is null (waiting requests and pending replicas
 * are not on one scale). Each side needs {@link #MIN_MINUTES} pool-minutes; no serving samples, no hint.
 */
public final class CapacityDiagnosis {

    /** Pool-minutes of serving samples each window needs. */
    public static final long MIN_MINUTES = 10;
    /** Mean GPU utilisation from which busy GPUs are called saturated. */
    public static final double SATURATED = 0.85;

    private CapacityDiagnosis() {}

    /** What the serving samples of one window said: pool-minutes, those with a pending scale-up, utilisation. */
    public static final class Window {
        private long minutes;
        private long pending;
        private long lagMaxMillis;
        private double utilSum;
        private double utilSquared;

        /** Adds one pool's minute. */
        public void add(ServingStats minute) {
            if (minute.samples() == 0) {
                return;
            }
            minutes++;
            if (minute.autoscalerLagMillis() > 0) {
                pending++;
            }
            lagMaxMillis = Math.max(lagMaxMillis, minute.autoscalerLagMillis());
            double u = minute.gpuUtilMean();
            utilSum += u;
            utilSquared += u * u;
        }

        double pendingShare() {
            return (double) pending / minutes;
        }

        double utilMean() {
            return utilSum / minutes;
        }

        double utilVariance() {
            if (minutes < 2) {
                return 0;
            }
            double mean = utilMean();
            return Math.max(0, (utilSquared - minutes * mean * mean) / (minutes - 1));
        }
    }

    /**
     * The capacity hints for a latency rise from {@code before} to {@code now} (or of one arm against the
     * other), or none.
     *
     * @param nowName,beforeName the windows (or arms) in a sentence, e.g. "on the whole service in
     *        08:00-09:00 UTC", "in 07:00-08:00 UTC"
     */
    public static List<Hint> hints(String nowName, Window now, String beforeName, Window before) {
        if (now.minutes < MIN_MINUTES || before.minutes < MIN_MINUTES) {
            return List.of();
        }
        Hints hints = new Hints();
        double zPending = Stats.proportionZ(now.pending, now.minutes, before.pending, before.minutes);
        if (now.pendingShare() > before.pendingShare() && zPending > LatencyDiagnosis.EVIDENCE_Z) {
            hints.add(Driver.AUTOSCALER, "replicas the autoscaler asked for were not ready in " + now.pending + " of "
                    + now.minutes + " pool-minutes " + nowName + " (longest wait "
                    + Advisories.fmt(now.lagMaxMillis / 1000.0) + " s) against " + before.pending + " of " + before.minutes
                    + " " + beforeName + " (z=" + Advisories.fmt(zPending) + "): requests queue for capacity that"
                    + " is late", "autoscaler_pending_share", now.pendingShare(), before.pendingShare(), Double.NaN);
        }
        double zUtil = Stats.welchZ(now.utilMean(), now.utilVariance(), now.minutes, before.utilMean(),
                before.utilVariance(), before.minutes);
        if (now.utilMean() >= SATURATED && zUtil > LatencyDiagnosis.EVIDENCE_Z) {
            hints.add(Driver.GPU_SATURATION, "GPUs " + percent(now.utilMean()) + " busy (mean of " + now.minutes
                    + " pool-minutes) " + nowName + " against " + percent(before.utilMean()) + " " + beforeName
                    + " (z=" + Advisories.fmt(zUtil) + "): saturated GPUs queue requests", "gpu_util_mean",
                    now.utilMean(), before.utilMean(), Double.NaN);
        }
        return hints.sorted();
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }
}
