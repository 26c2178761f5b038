package io.speechslo.diagnosis;

import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Hint;
import io.speechslo.gate.Stats;
import io.speechslo.serving.ServingStats;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

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
 * And, from the requests' own {@code pool} field, whether traffic moved between pools ({@link #poolHints}).
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
            return Stats.sampleVariance(utilSum, utilSquared, minutes);
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

    /** The least share of the requests, on both sides, that must name their pool before pools are compared. */
    public static final double MIN_POOLED = 0.5;
    /** The least move of a pool's share of the requests that names it. */
    public static final double MIN_POOL_SHIFT = 0.10;

    /**
     * Routing evidence for a latency rise: the pool whose share of the requests grew most, by at least
     * {@link #MIN_POOL_SHIFT} and beyond noise (two-proportion z above {@link LatencyDiagnosis#EVIDENCE_Z}),
     * among the requests that name their pool (judged only when at least {@link #MIN_POOLED} of the
     * requests on both sides do), as driver {@code pool} (evidence, {@code share_explained} null); or none.
     *
     * @param now,before requests per pool
     * @param nowRequests,beforeRequests all requests of each side
     */
    public static List<Hint> poolHints(String nowName, Map<String, Long> now, long nowRequests, String beforeName,
            Map<String, Long> before, long beforeRequests) {
        long pooledNow = now.values().stream().mapToLong(Long::longValue).sum();
        long pooledBefore = before.values().stream().mapToLong(Long::longValue).sum();
        if (pooledNow == 0 || pooledBefore == 0 || pooledNow < MIN_POOLED * nowRequests
                || pooledBefore < MIN_POOLED * beforeRequests) {
            return List.of();
        }
        String moved = null;
        double grew = 0;
        double z = 0;
        for (Map.Entry<String, Long> e : new TreeMap<>(now).entrySet()) {
            long n = e.getValue();
            long b = before.getOrDefault(e.getKey(), 0L);
            double shift = (double) n / pooledNow - (double) b / pooledBefore;
            double pz = Stats.proportionZ(n, pooledNow, b, pooledBefore);
            if (shift >= MIN_POOL_SHIFT && pz > LatencyDiagnosis.EVIDENCE_Z && shift > grew) {
                moved = e.getKey();
                grew = shift;
                z = pz;
            }
        }
        if (moved == null) {
            return List.of();
        }
        double shareNow = (double) now.get(moved) / pooledNow;
        double shareBefore = (double) before.getOrDefault(moved, 0L) / pooledBefore;
        String name = moved.startsWith("\u0000") ? "(other pools)" : moved;
        return new Hints().add(Driver.POOL, "pool " + name + " answered " + percentOne(shareNow) + " of the requests"
                + " that name their pool " + nowName + " against " + percentOne(shareBefore) + " " + beforeName + " (z="
                + Advisories.fmt(z) + "; " + pooledNow + " and " + pooledBefore + " requests): traffic moved between"
                + " pools", "pool_share{" + name + "}", shareNow, shareBefore, Double.NaN).sorted();
    }

    private static String percentOne(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }
}
