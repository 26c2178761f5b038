package io.speechslo.generate;

import io.speechslo.generate.Scenario.Adjustment;
import io.speechslo.generate.Scenario.Change;
import io.speechslo.generate.Scenario.Privacy;
import io.speechslo.generate.Scenario.Service;
import io.speechslo.generate.Scenario.Serving;
import io.speechslo.telemetry.AccessPurpose;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.PrivacyEventKind;
import io.speechslo.telemetry.Redaction;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.Track;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The optional inputs of one service of a scenario, compiled for generation: its serving pools and
 * the changes that adjust its serving and privacy quantities. Draws one minute of serving samples or
 * privacy events at a time, each from a stream of its own seeded by (seed, service, minute), so they
 * never take a number from the request streams: a scenario's requests are the same, byte for byte,
 * with or without these inputs.
 */
final class InputModel {

    private static final long MINUTE = 60_000;

    private final Service spec;
    private final int index;
    private final long startMillis;
    private final List<Pool> pools = new ArrayList<>();
    private final List<InputChange> changes = new ArrayList<>();

    /** A serving pool: its name, the version and track it serves and its replicas. */
    private record Pool(String name, String version, Track track, int replicas) {}

    /** A change's adjustments of input quantities, with its times as epoch millis. */
    private record InputChange(long from, long until, Track track, String version,
            Map<InputQuantity, Adjustment> adjust) {

        boolean active(long t, Track tr, String ver) {
            return t >= from && t < until && (track == null || track == tr) && (version == null || version.equals(ver));
        }
    }

    InputModel(Scenario scenario, int index) {
        this.spec = scenario.services().get(index);
        this.index = index;
        this.startMillis = scenario.start().toEpochMilli();
        Serving serving = spec.serving();
        if (serving != null) {
            // the pools requests name (ServiceModel.poolName): one per region of the mix, the canary's and
            // the shadow's apart (a shadow pool has as many replicas as a canary pool)
            addPools(Track.STABLE, spec.stableVersion(), serving.replicas());
            addPools(Track.CANARY, spec.canaryVersion(), serving.canaryReplicas());
            addPools(Track.SHADOW, spec.shadowVersion(), serving.canaryReplicas());
        }
        for (Change c : scenario.changes()) {
            if (c.appliesTo(spec.name()) && !c.adjustInputs().isEmpty()) {
                changes.add(new InputChange(startMillis + c.from().toMillis(),
                        c.until() == null ? Long.MAX_VALUE : startMillis + c.until().toMillis(), c.track(), c.version(),
                        c.adjustInputs()));
            }
        }
    }

    /** One pool per region of the mix for a track's version; none when the service has no such version. */
    private void addPools(Track track, String version, int replicas) {
        if (version == null) {
            return;
        }
        for (String region : spec.mix().get("region").keySet()) {
            pools.add(new Pool(ServiceModel.poolName(region, track, false), version, track, replicas));
        }
    }

    boolean hasServing() {
        return spec.serving() != null;
    }

    boolean hasPrivacy() {
        return spec.privacy() != null;
    }

    /**
     * A quantity at {@code t} for traffic of a track and version (both null for service-wide events):
     * the section's setting with the active changes applied in file order, each clamped to the range.
     */
    private double value(Map<InputQuantity, Double> set, InputQuantity q, long t, Track track, String version) {
        double v = set.get(q);
        for (InputChange c : changes) {
            Adjustment a = c.adjust().get(q);
            if (a != null && c.active(t, track, version)) {
                v = q.clamp(a.apply(v));
            }
        }
        return v;
    }

    // ---- serving

    /** A sample due: when, from which pool and replica. */
    private record Due(long time, int pool, int replica) {}

    /**
     * The serving samples of minute {@code m}, in time order: each replica samples every interval, the
     * replicas of a pool spread evenly over it and the pools a second apart.
     */
    List<ServingSample> serving(long seed, long m) {
        Serving s = spec.serving();
        if (s == null) {
            return List.of();
        }
        long interval = s.interval().toMillis();
        long t0 = startMillis + m * MINUTE;
        List<Due> due = new ArrayList<>();
        for (int p = 0; p < pools.size(); p++) {
            Pool pool = pools.get(p);
            for (int r = 0; r < pool.replicas(); r++) {
                long phase = (interval * r / pool.replicas() + p * 1_000L) % interval;
                long first = startMillis + phase;
                long k = t0 <= first ? 0 : Math.floorDiv(t0 - first + interval - 1, interval);
                for (long t = first + k * interval; t < t0 + MINUTE; t += interval) {
                    due.add(new Due(t, p, r));
                }
            }
        }
        due.sort(Comparator.comparingLong(Due::time).thenComparingInt(Due::pool).thenComparingInt(Due::replica));
        Draws user = new Draws(Draws.seed(seed, index, m, Draws.SERVING));
        // the shadow's pools draw from a stream of their own: the other pools' samples stay as they were
        Draws shadow = spec.shadowVersion() == null ? null : new Draws(Draws.seed(seed, index, m, Draws.SHADOW_SERVING));
        List<ServingSample> out = new ArrayList<>(due.size());
        long memTotal = Math.round(s.gpuMemGb() * 1e9);
        for (Due x : due) {
            Pool pool = pools.get(x.pool());
            Draws d = pool.track() == Track.SHADOW ? shadow : user;
            long t = x.time();
            Map<InputQuantity, Double> set = s.set();
            int desired = pool.replicas();
            int ready = pool.replicas();
            Instant requested = null;
            if (s.scaleUpEvery() != null) {
                long every = s.scaleUpEvery().toMillis();
                long asked = startMillis + Math.floorDiv(t - startMillis, every) * every + every / 2;
                if (t >= asked) {
                    long lag = Math.round(value(set, InputQuantity.AUTOSCALER_LAG_S, asked, pool.track(),
                            pool.version()) * 1000);
                    desired++;
                    if (t < asked + lag) {
                        requested = Instant.ofEpochMilli(asked);
                    } else {
                        ready++;
                    }
                }
            }
            double util = value(set, InputQuantity.GPU_UTIL, t, pool.track(), pool.version()) + 0.08 * d.gaussian();
            double mem = value(set, InputQuantity.GPU_MEM_USED, t, pool.track(), pool.version()) + 0.03 * d.gaussian();
            long queue = d.poisson(value(set, InputQuantity.QUEUE_DEPTH, t, pool.track(), pool.version()));
            out.add(ServingSample.newBuilder()
                    .setSampleTime(Instant.ofEpochMilli(t))
                    .setService(spec.name())
                    .setModelVersion(pool.version())
                    .setPool(pool.name())
                    .setReplica(pool.name() + "-" + x.replica())
                    .setGpuUtil((float) Math.max(0, Math.min(1, util)))
                    .setGpuMemUsedBytes(Math.round(Math.max(0, Math.min(1, mem)) * memTotal))
                    .setGpuMemTotalBytes(memTotal)
                    .setQueueDepth((int) Math.min(Integer.MAX_VALUE, queue))
                    .setDesiredReplicas(desired)
                    .setReadyReplicas(ready)
                    .setWarmPoolSize((int) Math.round(value(set, InputQuantity.WARM_POOL, t, pool.track(),
                            pool.version())))
                    .setPrecision(x.replica() < Math.ceil(value(set, InputQuantity.FP32_SHARE, t, pool.track(),
                            pool.version()) * pool.replicas() - 1e-9) ? "fp32" : s.precision())
                    .setMaxBatchSize(s.maxBatchSize())
                    .setScaleUpRequestedAt(requested)
                    .build());
        }
        return out;
    }

    // ---- privacy

    private static final AccessPurpose[] PURPOSES = AccessPurpose.values();
    private static final InputQuantity[] ACCESS_RATES = {InputQuantity.DEBUGGING_ACCESSES_PER_HOUR,
            InputQuantity.LABELLING_ACCESSES_PER_HOUR, InputQuantity.REVIEW_ACCESSES_PER_HOUR};

    /**
     * The privacy events of minute {@code m}, in event-time order: per track (its share of the rates,
     * with the changes of its version) raw audio accesses by purpose and redactions at random times,
     * then the retention sweeps and fixture runs that fall in the minute.
     */
    List<PrivacyEvent> privacy(long seed, long m) {
        Privacy p = spec.privacy();
        if (p == null) {
            return List.of();
        }
        Map<InputQuantity, Double> set = p.set();
        long t0 = startMillis + m * MINUTE;
        long minute = t0 / MINUTE;
        Draws d = new Draws(Draws.seed(seed, index, m, Draws.PRIVACY));
        List<PrivacyEvent> out = new ArrayList<>();
        int n = 0;
        for (Track track : spec.canaryVersion() == null ? List.of(Track.STABLE) : List.of(Track.STABLE, Track.CANARY)) {
            String version = track == Track.CANARY ? spec.canaryVersion() : spec.stableVersion();
            double share = spec.canaryVersion() == null ? 1 : track == Track.CANARY ? spec.canaryShare()
                    : 1 - spec.canaryShare();
            for (int k = 0; k < PURPOSES.length; k++) {
                long count = d.poisson(value(set, ACCESS_RATES[k], t0, track, version) / 60 * share);
                for (long i = 0; i < count; i++) {
                    long t = t0 + d.below((int) MINUTE);
                    out.add(event(t, version, PrivacyEventKind.RAW_AUDIO_ACCESS)
                            .setRequestId(spec.name() + "-" + minute + "-audio-" + n++)
                            .setPurpose(PURPOSES[k])
                            .setOptedIn(d.chance(value(set, InputQuantity.OPT_IN_SHARE, t, track, version)))
                            .build());
                }
            }
            long redactions = d.poisson(value(set, InputQuantity.REDACTIONS_PER_HOUR, t0, track, version) / 60 * share);
            for (long i = 0; i < redactions; i++) {
                long t = t0 + d.below((int) MINUTE);
                boolean failed = d.chance(value(set, InputQuantity.REDACTION_FAILURE_RATE, t, track, version));
                out.add(event(t, version, PrivacyEventKind.REDACTION)
                        .setRequestId(spec.name() + "-" + minute + "-redaction-" + n++)
                        .setRedaction(failed ? Redaction.FAILED : Redaction.REDACTED)
                        .build());
            }
        }
        long sweep = periodic(p.retentionEvery().toMillis(), t0);
        if (sweep >= 0) {
            int due = (int) Math.min(Integer.MAX_VALUE, d.poisson(p.retentionDue()));
            out.add(event(sweep, null, PrivacyEventKind.RETENTION)
                    .setRetentionDue(due)
                    .setRetentionDone(d.binomial(due, value(set, InputQuantity.RETENTION_DONE_SHARE, sweep, null, null)))
                    .build());
        }
        long run = periodic(p.fixtureEvery().toMillis(), t0);
        if (run >= 0) {
            // fixtures run against the candidate when there is one
            Track track = spec.canaryVersion() == null ? Track.STABLE : Track.CANARY;
            String version = track == Track.CANARY ? spec.canaryVersion() : spec.stableVersion();
            out.add(event(run, version, PrivacyEventKind.FIXTURE_RUN)
                    .setFixtureSet(p.fixtureSet())
                    .setFixtureSlicesCovered(d.binomial(p.fixtureSlices(),
                            value(set, InputQuantity.FIXTURE_COVERAGE, run, track, version)))
                    .setFixtureSlicesTotal(p.fixtureSlices())
                    .build());
        }
        out.sort(Comparator.comparing(PrivacyEvent::getEventTime)); // stable: ties keep the order above
        return out;
    }

    /**
     * The time of the periodic event (half-way through each period from the start) that falls in the
     * minute starting at {@code t0}, or -1. A period under a minute has several a minute: only the first
     * counts, so keep such periods out of scenarios (retention sweeps and fixture runs are rare).
     */
    private long periodic(long every, long t0) {
        long k = Math.floorDiv(t0 - startMillis - every / 2 + every - 1, every);
        long t = startMillis + Math.max(0, k) * every + every / 2;
        return t >= t0 && t < t0 + MINUTE ? t : -1;
    }

    private PrivacyEvent.Builder event(long t, String version, PrivacyEventKind kind) {
        return PrivacyEvent.newBuilder()
                .setEventTime(Instant.ofEpochMilli(t))
                .setService(spec.name())
                .setModelVersion(version)
                .setKind(kind);
    }
}
