package io.speechslo.cost;

import io.speechslo.advisory.Action;
import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Direction;
import io.speechslo.advisory.Hint;
import io.speechslo.diagnosis.Driver;
import io.speechslo.diagnosis.Hints;
import io.speechslo.gate.Stats;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.DriftPolicy;
import io.speechslo.scorecard.RequestStats;
import io.speechslo.serving.ServingStats;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.Track;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cost of one service and signal, per model version, against the version's own trailing baseline: a
 * version whose cost per audio minute (ASR) or per generated second (TTS) rose is a COST advisory with
 * the drivers that explain it, whether or not a rollout is under way.
 *
 * <p>Windows are the drift policy's: every {@code current} window (1 h) is compared with up to
 * {@code baseline} (24 h) before it, once at least {@code minBaseline} of it holds data. A version is
 * judged when both windows hold at least {@code minSamples} costed requests and three slice panes; it
 * is flagged when its cost per unit rose by more than the drift policy's {@code relativeThreshold} and
 * the rise is beyond pane-to-pane noise (Welch's test on the panes' cost per unit, one-sided z above
 * {@link #CHANGE_Z}). User-facing traffic only: SHADOW traffic never counts; its spend is a driver of its
 * own, reported beside the user-facing change.
 *
 * <p>Drivers, each named only when its own figure moved beyond noise (z above {@link #DRIVER_Z}) and
 * it explains at least {@link #MIN_SHARE} of the rise:
 * <ul>
 *   <li>{@code retries}: retry and failure waste per unit (the waste's change is its share);
 *   <li>{@code request_mix}: the units moved between values of the mix dimension (language) of
 *       different cost: the shift-share mix effect, each value at its baseline cost per unit;
 *   <li>{@code cache} (TTS): cache hit rate, assuming a hit costs next to nothing;
 *   <li>{@code batching}: mean batch size (compute cost per request taken as 1 / batch);
 *   <li>{@code model}: model time per request (compute cost taken as proportional to it);
 *   <li>{@code fallback}: requests answered by a fallback path, named when their share of the costed
 *       requests moved (two-proportion z); their waste is what they cost beyond the same units at the
 *       other requests' cost per unit, and its change per unit is the share;
 *   <li>{@code audio_length}: mean units per costed request (audio minutes, generated seconds), Welch on
 *       the requests' exact sums; what it explains is the per-request part of the cost spread over fewer
 *       (or more) units: the baseline's intercept of cost on units per request (least squares on the cost
 *       metric's own second moments, 0 when negative) times the change of requests per unit;
 *   <li>{@code pool}: the units moved between serving pools (the requests' {@code pool} field) of
 *       different cost: shift-share over the pools as {@code request_mix} over languages, each pool at
 *       its baseline cost per unit (its own where it is new), named when a pool's share of the costed
 *       requests moved beyond noise;
 *   <li>{@code precision}: the model time's share of the rise ({@code model}'s), named instead of
 *       {@code model} when the version's pools changed precision: a precision's share of the serving
 *       samples grew by at least {@link #MIN_PRECISION_SHIFT} beyond noise (same version, same weights);
 *   <li>{@code autoscaler}, {@code gpu_saturation}: capacity paid for beyond what the load used, from the
 *       serving samples ({@link #capacity});
 *   <li>{@code shadow_traffic}: shadow spend per window against its baseline, as evidence (no share).
 * </ul>
 * The serving drivers need {@link #MIN_SERVING_MINUTES} pool-minutes of serving samples on each side
 * ({@link #addServing}); without serving samples they stay silent.
 * The fallback, audio-length and pool drivers read figures buckets hold since format 2; a baseline
 * restored from format 1 is left out of them (they stay silent until its newer part holds
 * {@code minSamples} costed requests).
 * Re-emitted only when the set of named drivers changes; RESOLVED once when the rise is gone. A cost
 * fall is good news and stays quiet.
 */
public final class CostMonitor {

    /** One-sided z a cost rise must exceed: p below 0.001 per version and window. */
    public static final double CHANGE_Z = 3.09;
    /** z a driver's own figure must move by before it is named. */
    public static final double DRIVER_Z = 3.29;
    /** The least share of the rise a named driver explains. */
    public static final double MIN_SHARE = 0.10;
    /** The dimension whose mix is a driver. */
    public static final String MIX_DIMENSION = "language";
    private static final String SHADOW = "\u0000shadow";
    /**
     * The format {@link #writeTo} writes; its serializer's snapshot records it. 2 (2026-12-05): buckets
     * carry the audio-length, fallback and pool figures; 3 (2026-12-05, later): and the serving samples'
     * figures ({@link ServingFigures}); {@link #readFrom} reads every earlier one.
     */
    public static final int FORMAT = 3;

    private final String service;
    private final Signal signal;
    // configuration, not state
    private DriftPolicy policy;
    private String policyVersion;
    /** By version (SHADOW for the shadow track): window start to bucket. */
    private final Map<String, TreeMap<Long, CostBucket>> versions = new TreeMap<>();
    /** By version: the drivers of its standing INVESTIGATE. */
    private final Map<String, String> standing = new TreeMap<>();

    public CostMonitor(String service, Signal signal) {
        this.service = service;
        this.signal = signal;
    }

    /** Attaches the policy: configuration, not state ({@link #writeTo} leaves it out). */
    public CostMonitor configure(DriftPolicy policy, String policyVersion) {
        this.policy = policy;
        this.policyVersion = policyVersion;
        return this;
    }

    private long window() {
        return policy.current().toMillis();
    }

    private CostBucket bucket(String version, long paneEnd) {
        long start = Math.floorDiv(paneEnd - 1, window()) * window();
        return versions.computeIfAbsent(version, v -> new TreeMap<>()).computeIfAbsent(start, s -> new CostBucket());
    }

    /** Adds one closed slice pane of a cut: the whole service's sums and its mix-dimension slices. */
    public void add(long paneEnd, Track track, String version, MetricSet metrics, RequestStats requests,
            Map<String, MetricSet> byMixValue, CostShares shares) {
        if (track == Track.SHADOW) {
            if (requests.count(RequestStats.COSTED) > 0) {
                bucket(SHADOW, paneEnd).addShadow(requests);
            }
        } else if (metrics.samples(CostBucket.costMetric(signal)) > 0) { // no cost reported: nothing to judge
            bucket(version, paneEnd).add(signal, metrics, requests, byMixValue, shares);
        }
    }

    /**
     * Adds one pool's minute of serving samples of a version ({@code minuteEnd} exclusive). Only a version
     * the monitor already follows takes it (one with costed requests): serving samples alone are nothing
     * to judge, and a service's samples reach the monitor of each of its signals.
     */
    public void addServing(long minuteEnd, String version, ServingStats minute) {
        if (version != null && versions.containsKey(version)) {
            bucket(version, minuteEnd).serving.add(minute);
        }
    }

    public boolean isEmpty() {
        return versions.isEmpty();
    }

    /**
     * Judges every version at the end of a current window and forgets what no later window needs.
     *
     * @param windowEnd a multiple of the current window, event-time millis
     */
    public List<Advisory> evaluate(long windowEnd) {
        long window = window();
        long start = windowEnd - window;
        long baselineStart = start - policy.baseline().toMillis();
        List<Advisory> out = new ArrayList<>();
        TreeMap<Long, CostBucket> shadow = versions.get(SHADOW);
        for (Map.Entry<String, TreeMap<Long, CostBucket>> e : versions.entrySet()) {
            String version = e.getKey();
            if (version.equals(SHADOW)) {
                continue;
            }
            CostBucket now = e.getValue().get(start);
            Map<Long, CostBucket> before = e.getValue().subMap(baselineStart, true, start, false);
            if (now == null || before.size() * window < policy.minBaseline().toMillis()) {
                continue; // nothing new, or too little history: no judgement, the standing state holds
            }
            CostBucket base = new CostBucket();
            CostBucket detailed = new CostBucket();
            before.values().forEach(b -> {
                base.merge(b);
                if (!b.legacy) {
                    detailed.merge(b);
                }
            });
            judge(version, windowEnd, now, base, detailed, shadow == null ? null : shadow.get(start),
                    shadow == null ? null : merged(shadow.subMap(baselineStart, true, start, false)), before.size())
                    .ifPresent(out::add);
        }
        // forget what no later window compares
        for (TreeMap<Long, CostBucket> buckets : versions.values()) {
            buckets.headMap(baselineStart + window, false).clear();
        }
        versions.values().removeIf(TreeMap::isEmpty);
        standing.keySet().removeIf(v -> !versions.containsKey(v));
        return out;
    }

    private static CostBucket merged(Map<Long, CostBucket> buckets) {
        CostBucket b = new CostBucket();
        buckets.values().forEach(b::merge);
        return b;
    }

    private java.util.Optional<Advisory> judge(String version, long windowEnd, CostBucket now, CostBucket base,
            CostBucket detailedBase, CostBucket shadowNow, CostBucket shadowBase, int baselineWindows) {
        double rNow = now.perUnit();
        double rBase = base.perUnit();
        boolean judged = now.costed >= policy.minSamples() && base.costed >= policy.minSamples()
                && now.panes >= 3 && base.panes >= 3 && rBase > 0 && !Double.isNaN(rNow);
        if (!judged) {
            return java.util.Optional.empty();
        }
        double relative = rNow / rBase - 1;
        double z = Stats.welchZ(now.paneMean(), now.paneVariance(), now.panes, base.paneMean(), base.paneVariance(),
                base.panes);
        boolean rose = relative > policy.relativeThreshold() && z > CHANGE_Z;
        String metric = CostBucket.costMetric(signal).id();
        if (!rose) {
            if (standing.remove(version) == null) {
                return java.util.Optional.empty();
            }
            String summary = metric + " of " + service + " " + version + " is back within "
                    + percent(policy.relativeThreshold()) + " of its baseline: " + Advisories.fmt(rNow) + " against "
                    + Advisories.fmt(rBase) + " USD";
            return java.util.Optional.of(advisory(Decision.RESOLVED, version, windowEnd, summary,
                    List.of(finding(metric, Action.RESOLVED, "within_limit", now, base, z)), List.of()));
        }
        List<Hint> hints = drivers(now, base, detailedBase, shadowNow, shadowBase).sorted();
        StringBuilder key = new StringBuilder();
        hints.forEach(h -> key.append(h.getDriver()).append(','));
        if (key.toString().equals(standing.get(version))) {
            return java.util.Optional.empty();
        }
        standing.put(version, key.toString());
        StringBuilder summary = new StringBuilder(metric + " of " + service + " " + version + " rose "
                + percent(relative) + " to " + Advisories.fmt(rNow) + " USD against " + Advisories.fmt(rBase)
                + " over the " + io.speechslo.policy.Durations.format(policy.current().multipliedBy(baselineWindows))
                + " before (" + now.costed + " and " + base.costed + " costed requests)");
        double explained = 0;
        for (Hint h : hints) {
            explained += h.getShareExplained() == null ? 0 : h.getShareExplained();
        }
        if (hints.isEmpty()) {
            summary.append("; no driver explains it (retries, fallbacks, mix, audio length, pools, cache,"
                    + " batching, model time, precision, GPU utilisation and replicas did not move beyond noise)");
        } else {
            summary.append("; first driver: ").append(hints.get(0).getDriver()).append(" (")
                    .append(hints.get(0).getEvidence()).append(')');
            if (explained < 0.75) {
                summary.append("; ").append(percent(Math.max(0, 1 - explained))).append(" of the rise unexplained");
            }
        }
        return java.util.Optional.of(advisory(Decision.INVESTIGATE, version, windowEnd, summary.toString(),
                List.of(finding(metric, Action.INVESTIGATE, "relative_change", now, base, z)), hints));
    }

    private io.speechslo.advisory.Finding finding(String metric, Action action, String reason, CostBucket now,
            CostBucket base, double z) {
        double rBase = base.perUnit();
        return Advisories.finding(metric, Slice.ALL, action, reason, now.perUnit(), rBase,
                rBase * (1 + policy.relativeThreshold()), Direction.LOWER_IS_BETTER, false, now.costed, base.costed,
                Stats.upperTail(z));
    }

    /** As {@link #drivers(CostBucket, CostBucket, CostBucket, CostBucket, CostBucket)} with a baseline of format 2 only. */
    Hints drivers(CostBucket now, CostBucket base, CostBucket shadowNow, CostBucket shadowBase) {
        return drivers(now, base, base, shadowNow, shadowBase);
    }

    /**
     * The drivers the data supports, each with the share of the rise it explains.
     *
     * @param detailedBase the baseline's buckets that hold the fallback, audio-length and pool figures
     */
    Hints drivers(CostBucket now, CostBucket base, CostBucket detailedBase, CostBucket shadowNow,
            CostBucket shadowBase) {
        Hints hints = new Hints();
        double rNow = now.perUnit();
        double rBase = base.perUnit();
        double rise = rNow - rBase;
        String unit = signal == Signal.ASR ? "audio minute" : "generated second";
        // retries: the waste per unit
        double wasteNow = now.retryWaste / now.units;
        double wasteBase = base.retryWaste / base.units;
        double retriedNow = share(now.retried, now.requests);
        double retriedBase = share(base.retried, base.requests);
        if (Stats.proportionZ(now.retried, now.requests, base.retried, base.requests) > DRIVER_Z) {
            name(hints, Driver.RETRIES, (wasteNow - wasteBase) / rise, "retried requests " + percent(retriedBase)
                    + " -> " + percent(retriedNow) + ", waste " + Advisories.fmt(wasteBase) + " -> "
                    + Advisories.fmt(wasteNow) + " USD per " + unit, "retry_waste_per_unit", wasteNow, wasteBase);
        }
        // the mix of the mix dimension, each value at its baseline cost per unit (its own where it is new)
        double mixEffect = shiftShare(now.mix, now.units, base.mix, base.units, rBase);
        double worstZ = 0;
        String moved = null;
        for (Map.Entry<String, double[]> e : now.mix.entrySet()) {
            double[] n = e.getValue();
            double[] b = base.mix.getOrDefault(e.getKey(), NONE);
            double z = Stats.proportionZ((long) n[2], now.requests, (long) b[2], base.requests);
            if (z > worstZ) {
                worstZ = z;
                moved = e.getKey() + " " + percent(share((long) b[2], base.requests)) + " -> "
                        + percent(share((long) n[2], now.requests)) + " of requests";
            }
        }
        if (worstZ > DRIVER_Z) {
            name(hints, Driver.REQUEST_MIX, mixEffect / rise, MIX_DIMENSION + " " + moved + "; at baseline prices the"
                    + " mix alone moves cost per " + unit + " by " + Advisories.fmt(mixEffect) + " USD",
                    "mix_effect_per_unit", rBase + mixEffect, rBase);
        }
        if (signal == Signal.TTS) {
            double hitNow = share(now.cacheHits, now.requests);
            double hitBase = share(base.cacheHits, base.requests);
            if (hitBase < 1 && Stats.proportionZ(now.cacheHits, now.requests, base.cacheHits, base.requests) > DRIVER_Z) {
                double effect = rBase * ((1 - hitNow) / (1 - hitBase) - 1);
                name(hints, Driver.CACHE, effect / rise, "cache hit rate " + percent(hitBase) + " -> " + percent(hitNow),
                        "cache_hit_rate", hitNow, hitBase);
            }
        }
        if (now.batched > 1 && base.batched > 1) {
            double bNow = now.batchSum / now.batched;
            double bBase = base.batchSum / base.batched;
            if (meanZ(now.batchSum, now.batchSquared, now.batched, base.batchSum, base.batchSquared, base.batched)
                    > DRIVER_Z) {
                name(hints, Driver.BATCHING, rBase * (bBase / bNow - 1) / rise, "mean batch " + Advisories.fmt(bBase)
                        + " -> " + Advisories.fmt(bNow) + " requests", "batch_size_mean", bNow, bBase);
            }
        }
        boolean served = now.serving.minutes >= MIN_SERVING_MINUTES && base.serving.minutes >= MIN_SERVING_MINUTES;
        if (now.modelRequests > 1 && base.modelRequests > 1) {
            double mNow = now.modelMs / now.modelRequests;
            double mBase = base.modelMs / base.modelRequests;
            if (meanZ(now.modelMs, now.modelMsSquared, now.modelRequests, base.modelMs, base.modelMsSquared,
                    base.modelRequests) > DRIVER_Z) {
                String modelTime = "model time per request " + Advisories.fmt(mBase) + " -> " + Advisories.fmt(mNow)
                        + " ms";
                // the same version's model time moved: where its pools changed precision, that is the cause
                Precision precision = served ? precisionMoved(now.serving, base.serving) : null;
                if (precision != null) {
                    name(hints, Driver.PRECISION, rBase * (mNow / mBase - 1) / rise, precision.evidence() + "; "
                            + modelTime, "precision_share{" + precision.name() + "}", precision.now(),
                            precision.base());
                } else {
                    name(hints, Driver.MODEL, rBase * (mNow / mBase - 1) / rise, modelTime, "model_ms_mean", mNow,
                            mBase);
                }
            }
        }
        if (served) {
            capacity(hints, now.serving, base.serving, rBase, rise);
        }
        if (!now.legacy && now.costed >= policy.minSamples() && detailedBase.costed >= policy.minSamples()) {
            fallback(hints, now, detailedBase, rise, unit);
            audioLength(hints, now, detailedBase, rise, unit);
            pools(hints, now, detailedBase, rise, unit);
        }
        if (shadowNow != null && shadowNow.panes >= 3) {
            double perPaneNow = shadowNow.paneMean();
            // no shadow pane before: it spent nothing (not NaN)
            double perPaneBase = shadowBase == null || shadowBase.panes == 0 ? 0 : shadowBase.paneMean();
            boolean grew = shadowBase == null || shadowBase.panes < 3 ? perPaneNow > 0
                    : perPaneNow > perPaneBase * (1 + policy.relativeThreshold())
                            && Stats.welchZ(perPaneNow, shadowNow.paneVariance(), shadowNow.panes, perPaneBase,
                                    shadowBase.paneVariance(), shadowBase.panes) > DRIVER_Z;
            if (grew) {
                hints.add(Driver.SHADOW_TRAFFIC, "shadow traffic spends " + Advisories.fmt(perPaneNow)
                        + " USD per pane against " + Advisories.fmt(perPaneBase) + " before; never counted in the"
                        + " user-facing figure", "shadow_cost_usd", perPaneNow, perPaneBase, Double.NaN);
            }
        }
        return hints;
    }

    /** Fallback waste: what fallback requests cost beyond the same units at the others' cost per unit. */
    private static void fallback(Hints hints, CostBucket now, CostBucket base, double rise, String unit) {
        if (Stats.proportionZ(now.fallbackCosted, now.costed, base.fallbackCosted, base.costed) <= DRIVER_Z) {
            return;
        }
        double wasteNow = fallbackWaste(now) / now.units;
        double wasteBase = fallbackWaste(base) / base.units;
        name(hints, Driver.FALLBACK, (wasteNow - wasteBase) / rise, "requests answered by a fallback "
                + percent(share(base.fallbackCosted, base.costed)) + " -> " + percent(share(now.fallbackCosted,
                now.costed)) + ", their cost beyond the other requests' price " + Advisories.fmt(wasteBase) + " -> "
                + Advisories.fmt(wasteNow) + " USD per " + unit, "fallback_waste_per_unit", wasteNow, wasteBase);
    }

    private static double fallbackWaste(CostBucket b) {
        double otherUnits = b.units - b.fallbackUnits;
        if (b.fallbackCosted == 0 || otherUnits <= 0) {
            return 0;
        }
        double otherPrice = (b.cost - b.fallbackCost) / otherUnits;
        return b.fallbackCost - b.fallbackUnits * otherPrice;
    }

    /**
     * Audio length: the per-request part of the cost (the baseline's least-squares intercept of a request's
     * cost on its units) spread over the units a request now brings.
     */
    private static void audioLength(Hints hints, CostBucket now, CostBucket base, double rise, String unit) {
        if (now.costed < 2 || base.costed < 2 || now.units <= 0 || base.units <= 0
                || meanZ(now.units, now.unitsSquared, now.costed, base.units, base.unitsSquared, base.costed)
                        <= DRIVER_Z) {
            return;
        }
        double n = base.costed;
        double sxx = base.unitsSquared - base.units * base.units / n;
        double slope = sxx > 0 ? (base.costUnits - base.units * base.cost / n) / sxx : 0;
        double perRequest = Math.max(0, (base.cost - slope * base.units) / n);
        double effect = perRequest * (now.costed / now.units - base.costed / base.units);
        double meanNow = now.units / now.costed;
        double meanBase = base.units / base.costed;
        boolean asr = unit.startsWith("audio");
        double scale = asr ? 60 : 1; // evidence in seconds
        name(hints, Driver.AUDIO_LENGTH, effect / rise, (asr ? "mean audio per request " : "mean generated audio"
                + " per request ") + Advisories.fmt(meanBase * scale) + " -> " + Advisories.fmt(meanNow * scale)
                + " s; at " + Advisories.fmt(perRequest) + " USD per request beyond its length, that moves cost per "
                + unit + " by " + Advisories.fmt(effect) + " USD", "units_per_request_mean", meanNow, meanBase);
    }

    /** Pools: shift-share of the units over the serving pools, each at its baseline cost per unit. */
    private static void pools(Hints hints, CostBucket now, CostBucket base, double rise, String unit) {
        double unitsNow = 0;
        double requestsNow = 0;
        for (double[] v : now.pools.values()) {
            unitsNow += v[1];
            requestsNow += v[2];
        }
        double unitsBase = 0;
        double requestsBase = 0;
        for (double[] v : base.pools.values()) {
            unitsBase += v[1];
            requestsBase += v[2];
        }
        if (unitsNow <= 0 || unitsBase <= 0 || requestsBase < MIN_POOLED * base.costed
                || requestsNow < MIN_POOLED * now.costed) {
            return; // too few requests name their pool: no driver
        }
        double rBase = base.perUnit();
        double effect = shiftShare(now.pools, unitsNow, base.pools, unitsBase, rBase);
        double largest = Double.NEGATIVE_INFINITY;
        String moved = null;
        for (Map.Entry<String, double[]> e : now.pools.entrySet()) {
            double[] n = e.getValue();
            double[] b = base.pools.getOrDefault(e.getKey(), NONE);
            double rate = baselinePrice(n, b, rBase);
            double part = (n[1] / unitsNow - b[1] / unitsBase) * rate;
            // the evidence names the pool that moved beyond noise and adds the most cost
            double z = Stats.proportionZ((long) n[2], (long) requestsNow, (long) b[2], (long) requestsBase);
            if (z > DRIVER_Z && part > largest) {
                largest = part;
                moved = poolName(e.getKey()) + " " + percent(b[2] / requestsBase) + " -> "
                        + percent(n[2] / requestsNow) + " of requests at " + Advisories.fmt(rate) + " USD per " + unit;
            }
        }
        if (moved != null) {
            String named = requestsNow < now.costed ? " (" + (long) requestsNow + " of " + now.costed
                    + " costed requests name their pool)" : "";
            name(hints, Driver.POOL, effect / rise, "pool " + moved + "; at baseline prices the pool shares alone"
                    + " move cost per " + unit + " by " + Advisories.fmt(effect) + " USD" + named,
                    "pool_effect_per_unit", rBase + effect, rBase);
        }
    }

    /** Pool-minutes of serving samples each side needs before the serving drivers are judged. */
    static final int MIN_SERVING_MINUTES = 10;
    /** The least move of a precision's share of the serving samples that names it. */
    static final double MIN_PRECISION_SHIFT = 0.10;

    /** A precision whose share of the serving samples grew: its name, shares now and before, and the evidence. */
    private record Precision(String name, double now, double base, String evidence) {}

    /** The precision whose share of the samples grew most, beyond noise and by at least a tenth; else null. */
    private static Precision precisionMoved(ServingFigures now, ServingFigures base) {
        Precision grew = null;
        java.util.Set<String> all = new java.util.TreeSet<>(now.precisions.keySet());
        all.addAll(base.precisions.keySet());
        for (String p : all) {
            long n = now.precisions.getOrDefault(p, 0L);
            long b = base.precisions.getOrDefault(p, 0L);
            double sNow = share(n, now.samples);
            double sBase = share(b, base.samples);
            if (sNow - sBase >= MIN_PRECISION_SHIFT && Stats.proportionZ(n, now.samples, b, base.samples) > DRIVER_Z
                    && (grew == null || sNow - sBase > grew.now() - grew.base())) {
                StringBuilder evidence = new StringBuilder("precision " + p + " " + percent(sBase) + " -> "
                        + percent(sNow) + " of the serving samples");
                for (String q : all) { // what it replaced
                    double qNow = share(now.precisions.getOrDefault(q, 0L), now.samples);
                    double qBase = share(base.precisions.getOrDefault(q, 0L), base.samples);
                    if (!q.equals(p) && qBase - qNow >= MIN_PRECISION_SHIFT) {
                        evidence.append(", ").append(q).append(' ').append(percent(qBase)).append(" -> ")
                                .append(percent(qNow));
                    }
                }
                grew = new Precision(p, sNow, sBase, evidence.toString());
            }
        }
        return grew;
    }

    /**
     * Capacity paid for beyond what the load used, read from the serving samples. {@code cost_usd} is taken
     * as the request's share of its pool's GPU time, idle and standby replicas included (fully loaded), so
     * cost per unit goes as 1 / GPU utilisation and as (ready + warm) / ready replicas:
     * <ul>
     *   <li>{@code autoscaler}: a pool's ready replicas or its warm pool grew beyond noise (Welch on the
     *       pool-minutes); it explains the standby share's change and, when utilisation fell with the
     *       replicas, the idle time too;
     *   <li>{@code gpu_saturation}: utilisation fell beyond noise with the same replicas: GPU time paid for
     *       and idle.
     * </ul>
     */
    private static void capacity(Hints hints, ServingFigures now, ServingFigures base, double rBase, double rise) {
        double zUtil = meanDiffZ(now.utilSum, now.utilSquared, now.minutes, base.utilSum, base.utilSquared,
                base.minutes);
        double zReady = meanDiffZ(now.readySum, now.readySquared, now.minutes, base.readySum, base.readySquared,
                base.minutes);
        double zWarm = meanDiffZ(now.warmSum, now.warmSquared, now.minutes, base.warmSum, base.warmSquared,
                base.minutes);
        boolean utilFell = zUtil < -DRIVER_Z && now.utilMean() > 0;
        boolean scaledUp = zReady > DRIVER_Z;
        boolean warmGrew = zWarm > DRIVER_Z;
        double idle = utilFell ? rBase * (base.utilMean() / now.utilMean() - 1) : 0;
        String util = "GPU utilisation " + percent(base.utilMean()) + " -> " + percent(now.utilMean());
        if (scaledUp || warmGrew) {
            double standby = warmGrew ? rBase * ((1 + now.standbyRatio()) / (1 + base.standbyRatio()) - 1) : 0;
            double effect = standby + (scaledUp ? idle : 0);
            name(hints, Driver.AUTOSCALER, effect / rise, "ready replicas per pool " + Advisories.fmt(base.readyMean())
                    + " -> " + Advisories.fmt(now.readyMean()) + ", warm pool " + Advisories.fmt(base.warmMean())
                    + " -> " + Advisories.fmt(now.warmMean()) + " replicas (standby " + percent(base.standbyRatio())
                    + " -> " + percent(now.standbyRatio()) + " of the ready ones), " + util + "; standby and idle"
                    + " replicas are paid for", warmGrew ? "warm_pool_size_mean" : "ready_replicas_mean",
                    warmGrew ? now.warmMean() : now.readyMean(), warmGrew ? base.warmMean() : base.readyMean());
        } else if (utilFell) {
            name(hints, Driver.GPU_SATURATION, idle / rise, util + " with the same replicas ("
                    + Advisories.fmt(now.readyMean()) + " ready per pool): the idle GPU time is paid for",
                    "gpu_util_mean", now.utilMean(), base.utilMean());
        }
    }

    /** A value seen on one side only: no cost, units or requests on the other. */
    private static final double[] NONE = new double[3];

    /**
     * Shift-share at baseline prices: how much the change of each value's share of the units (per value
     * {cost, units, requests}) alone moves the cost per unit, each value at its baseline cost per unit
     * ({@link #baselinePrice}). A value gone from {@code now} takes its baseline share with it.
     */
    static double shiftShare(Map<String, double[]> now, double unitsNow, Map<String, double[]> base, double unitsBase,
            double fallbackPrice) {
        double effect = 0;
        for (Map.Entry<String, double[]> e : now.entrySet()) {
            double[] n = e.getValue();
            double[] b = base.getOrDefault(e.getKey(), NONE);
            effect += (n[1] / unitsNow - b[1] / unitsBase) * baselinePrice(n, b, fallbackPrice);
        }
        for (Map.Entry<String, double[]> e : base.entrySet()) {
            double[] b = e.getValue();
            if (!now.containsKey(e.getKey()) && b[1] > 0) {
                effect -= b[1] / unitsBase * (b[0] / b[1]);
            }
        }
        return effect;
    }

    /** A value's cost per unit at baseline: its own baseline's, else (new) its own now, else {@code fallback}. */
    private static double baselinePrice(double[] now, double[] base, double fallback) {
        return base[1] > 0 ? base[0] / base[1] : now[1] > 0 ? now[0] / now[1] : fallback;
    }

    /** The share of the costed requests (on both sides) that must name their pool before the pool driver is judged. */
    static final double MIN_POOLED = 0.5;

    private static String poolName(String pool) {
        return pool.equals(CostShares.OTHER) ? "(other pools)" : pool;
    }

    private static void name(Hints hints, Driver driver, double share, String evidence, String metric, double value,
            double baseline) {
        if (share >= MIN_SHARE) {
            hints.add(driver, evidence + ": " + percent(Math.min(share, 9.99)) + " of the rise", metric, value, baseline,
                    share);
        }
    }

    private static double share(long part, long whole) {
        return whole > 0 ? (double) part / whole : 0;
    }

    /** Two-sided size of a difference of means from sums, in standard errors (Welch). */
    static double meanZ(double sumNow, double sqNow, long nNow, double sumBase, double sqBase, long nBase) {
        return Math.abs(meanDiffZ(sumNow, sqNow, nNow, sumBase, sqBase, nBase));
    }

    /** The difference of means from sums (now minus base) in standard errors, with its sign (Welch). */
    private static double meanDiffZ(double sumNow, double sqNow, long nNow, double sumBase, double sqBase,
            long nBase) {
        return Stats.welchZ(sumNow / nNow, Stats.sampleVariance(sumNow, sqNow, nNow), nNow, sumBase / nBase,
                Stats.sampleVariance(sumBase, sqBase, nBase), nBase);
    }


    private static String percent(double share) {
        return Advisories.fmt(share * 100) + "%";
    }

    private Advisory advisory(Decision decision, String version, long windowEnd, String summary,
            List<io.speechslo.advisory.Finding> findings, List<Hint> hints) {
        return Advisories.withId(Advisory.newBuilder()
                .setAdvisoryId("")
                .setKind(AdvisoryKind.COST)
                .setDecision(decision)
                .setService(service)
                .setModelVersion(version)
                .setWindowEnd(windowEnd)
                .setPolicyVersion(policyVersion)
                .setSummary(summary)
                .setFindings(findings)
                .setHints(hints)
                .build());
    }

    /** The buckets and standing decisions; the policy is configuration and left out. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeUTF(service);
        out.writeByte(signal.ordinal());
        out.writeInt(versions.size());
        for (Map.Entry<String, TreeMap<Long, CostBucket>> v : versions.entrySet()) {
            out.writeUTF(v.getKey());
            out.writeInt(v.getValue().size());
            for (Map.Entry<Long, CostBucket> b : v.getValue().entrySet()) {
                out.writeLong(b.getKey());
                b.getValue().writeTo(out);
            }
        }
        out.writeInt(standing.size());
        for (Map.Entry<String, String> s : standing.entrySet()) {
            out.writeUTF(s.getKey());
            out.writeUTF(s.getValue());
        }
    }

    /** Reads what {@link #writeTo} wrote in {@code format}; {@link #configure} it before use. */
    public static CostMonitor readFrom(DataInput in, int format) throws IOException {
        if (format < 1 || format > FORMAT) {
            throw new IOException("cost monitor of format " + format + ", this version reads 1 to " + FORMAT);
        }
        CostMonitor m = new CostMonitor(in.readUTF(), Signal.values()[in.readByte()]);
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            String version = in.readUTF();
            TreeMap<Long, CostBucket> buckets = new TreeMap<>();
            int k = in.readInt();
            for (int j = 0; j < k; j++) {
                buckets.put(in.readLong(), CostBucket.readFrom(in, format));
            }
            m.versions.put(version, buckets);
        }
        int s = in.readInt();
        for (int i = 0; i < s; i++) {
            m.standing.put(in.readUTF(), in.readUTF());
        }
        return m;
    }
}
