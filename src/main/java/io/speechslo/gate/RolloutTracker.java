package io.speechslo.gate;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.Decision;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.GatePolicy;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.Track;

import org.apache.avro.specific.SpecificRecord;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The rollouts of one service and signal, over event time. Every candidate version seen on the CANARY
 * track is compared with the STABLE track's traffic since the candidate's first request, cumulatively,
 * per full slice. Requests land in event-time panes of {@link RolloutSettings#interval()} and an
 * evaluation at time T folds in exactly the panes that end at or before T, so the same telemetry gives
 * the same advisories whatever order or batching it arrives in. SHADOW traffic is not user-facing and
 * stays out of the gate altogether, cost included: mirrored requests are not what the canary costs to
 * serve its users (their cost shows on the SHADOW scorecards as {@code shadow_cost_usd}).
 *
 * <p>Once a candidate is told to ROLLBACK, that decision is held for the rest of its rollout.
 *
 * <p>An advisory is returned when a candidate's decision changes, and again every
 * {@link RolloutSettings#reminder()} while it stands. A candidate idle for
 * {@link RolloutSettings#idleTimeout()} is forgotten.
 *
 * <p>Each candidate keeps its {@link StageHistory}: the canary's traffic share per pane, folded into
 * stages, and its decisions; every advisory carries it as {@code stage_history}.
 *
 * <p>Each candidate also keeps, per arm and full slice, the {@link CohortSums} (confidence, corrections,
 * audio features, the features split at the rollout's first hour): not rolled up, merged only for the
 * slice a ROLLBACK or PAUSE names, for its cohort evidence.
 */
public final class RolloutTracker {

    private final String service;
    private final Signal signal;
    /** Configuration, not state: {@link #writeTo} leaves it out, {@link #configure} attaches it. */
    private RolloutSettings settings;
    private final Map<String, Candidate> candidates = new TreeMap<>();
    /** Stable-track traffic not yet folded: pane end -> slice key -> metrics, and pane end -> version -> requests. */
    private final TreeMap<Long, Map<String, MetricSet>> pendingStable = new TreeMap<>();
    private final TreeMap<Long, Map<String, Long>> pendingStableVersions = new TreeMap<>();
    /** Stable-track cohort sums not yet folded: pane end -> slice key -> sums. */
    private final TreeMap<Long, Map<String, CohortSums>> pendingStableCohorts = new TreeMap<>();
    private long lastEvaluated = Long.MIN_VALUE;

    /** One candidate's rollout. */
    private static final class Candidate {
        long firstPane;
        long lastSeen;
        Decision lastDecision;
        long lastEmitted = Long.MIN_VALUE;
        /** When this candidate was first told to roll back (held from then on), else MIN_VALUE. */
        long rolledBackAt = Long.MIN_VALUE;
        /** Folded (evaluated) totals per full slice key. */
        final Map<String, MetricSet> canary = new TreeMap<>();
        final Map<String, MetricSet> stable = new TreeMap<>();
        final Map<String, Long> stableVersions = new TreeMap<>();
        /**
         * Roll-ups of {@link #canary} and {@link #stable} to {@link #rollupDims} dimensions, kept up to
         * date as panes fold in so an evaluation does not roll every slice up again. Not persisted: null
         * after a restore, and then rebuilt from the full slices at the next evaluation.
         */
        Map<Slice, MetricSet> canaryRollup;
        Map<Slice, MetricSet> stableRollup;
        int rollupDims = -1;
        /**
         * Per full slice key, the sets a pane of that slice folds into (its total, then its roll-ups),
         * so a fold neither parses the key nor looks the roll-ups up again. Kept with the roll-ups:
         * dropped whenever they are.
         */
        final Map<String, MetricSet[]> canaryTargets = new HashMap<>();
        final Map<String, MetricSet[]> stableTargets = new HashMap<>();
        /** Not yet folded: pane end -> slice key -> metrics. */
        final TreeMap<Long, Map<String, MetricSet>> pendingCanary = new TreeMap<>();
        /** Its stages and decisions over event time. */
        StageHistory history = new StageHistory();
        /** Folded cohort sums per full slice key, and the canary's not yet folded (pane end -> key -> sums). */
        final Map<String, CohortSums> canaryCohorts = new TreeMap<>();
        final Map<String, CohortSums> stableCohorts = new TreeMap<>();
        final TreeMap<Long, Map<String, CohortSums>> pendingCanaryCohorts = new TreeMap<>();
    }

    /** How long from a candidate's start its slices' audio features count as their own baseline. */
    public static final long COHORT_BASELINE_MILLIS = java.time.Duration.ofHours(1).toMillis();

    public RolloutTracker(String service, Signal signal, RolloutSettings settings) {
        this(service, signal);
        configure(settings);
    }

    /** A tracker without settings, for {@link #readFrom(String, Signal, DataInput)}. */
    private RolloutTracker(String service, Signal signal) {
        this.service = Objects.requireNonNull(service, "service");
        this.signal = Objects.requireNonNull(signal, "signal");
    }

    /**
     * Attaches the settings to run under. They are configuration, not state: {@link #writeTo} leaves
     * them out, so a tracker read back with {@link #readFrom(String, Signal, DataInput)} needs them
     * attached again before it is used.
     *
     * @return this tracker
     */
    public RolloutTracker configure(RolloutSettings settings) {
        this.settings = Objects.requireNonNull(settings, "rollout settings");
        return this;
    }

    private RolloutSettings settings() {
        if (settings == null) {
            throw new IllegalStateException("rollout tracker of " + service + "/" + signal
                    + " was read back without its settings: configure it before use");
        }
        return settings;
    }

    public String service() {
        return service;
    }

    public Signal signal() {
        return signal;
    }

    /** End of the pane that holds {@code eventTime}: panes are [end - interval, end). */
    public long paneEnd(long eventTime) {
        long step = settings().interval().toMillis();
        return Math.floorDiv(eventTime, step) * step + step;
    }

    /**
     * Adds one request. Returns false (and ignores it) when its pane was already evaluated: the caller
     * counts it as late.
     */
    public boolean add(Track track, String version, long eventTime, Slice fullSlice, SpecificRecord request) {
        MetricSet one = new MetricSet(signal);
        one.add(request);
        io.speechslo.scorecard.RequestStats stats = new io.speechslo.scorecard.RequestStats();
        io.speechslo.drift.DriftStats drift = new io.speechslo.drift.DriftStats();
        if (request instanceof io.speechslo.telemetry.AsrRequest asr) {
            stats.add(asr);
            drift.add(asr);
        } else {
            stats.add((io.speechslo.telemetry.TtsRequest) request);
            drift.add((io.speechslo.telemetry.TtsRequest) request);
        }
        return addTaking(track, version, eventTime, eventTime, fullSlice, one, CohortSums.ofPane(stats, drift));
    }

    /**
     * Adds metrics already aggregated upstream: requests of one track, version and full slice whose
     * event times lie in the pane of {@code eventTime}, the latest of them at {@code lastEventTime}.
     * Returns false (and ignores them) when that pane was already evaluated.
     */
    public boolean add(Track track, String version, long eventTime, long lastEventTime, Slice fullSlice,
            MetricSet metrics) {
        return add(track, version, eventTime, lastEventTime, fullSlice, metrics, null);
    }

    /**
     * As {@link #add(Track, String, long, long, Slice, MetricSet)}, with the same requests' cohort sums
     * ({@link CohortSums#ofPane}; null: none) for the evidence on a cohort the gate names. Sums with
     * nothing in them (requests reporting no confidence, corrections or audio features) are not kept.
     */
    public boolean add(Track track, String version, long eventTime, long lastEventTime, Slice fullSlice,
            MetricSet metrics, CohortSums cohort) {
        return add(track, version, eventTime, lastEventTime, fullSlice, metrics, cohort, false);
    }

    /**
     * As {@link #add(Track, String, long, long, Slice, MetricSet, CohortSums)}, for a caller that hands
     * {@code metrics} and {@code cohort} over (decoded for this call, never used again by it): the first
     * of a slice's pane is kept as it is instead of copied into a new set, which is what nearly every pane
     * is (a slice closes each pane once).
     */
    public boolean addTaking(Track track, String version, long eventTime, long lastEventTime, Slice fullSlice,
            MetricSet metrics, CohortSums cohort) {
        return add(track, version, eventTime, lastEventTime, fullSlice, metrics, cohort, true);
    }

    private boolean add(Track track, String version, long eventTime, long lastEventTime, Slice fullSlice,
            MetricSet metrics, CohortSums cohort, boolean taking) {
        if (metrics.signal() != signal) {
            throw new IllegalArgumentException("a " + metrics.signal() + " metric set cannot go into the "
                    + signal + " rollouts of " + service);
        }
        long pane = paneEnd(eventTime);
        if (pane <= lastEvaluated) {
            return false;
        }
        if (track == Track.CANARY) {
            Candidate c = candidates.get(version);
            if (c == null) {
                c = new Candidate();
                c.firstPane = pane;
                c.lastSeen = lastEventTime;
                candidates.put(version, c);
            }
            c.firstPane = Math.min(c.firstPane, pane);
            c.lastSeen = Math.max(c.lastSeen, lastEventTime);
            mergeInto(c.pendingCanary, pane, fullSlice, metrics, taking, () -> new MetricSet(signal), MetricSet::merge);
            if (cohort != null && !cohort.isEmpty()) {
                mergeInto(c.pendingCanaryCohorts, pane, fullSlice, cohort, taking, CohortSums::new, CohortSums::merge);
            }
        } else if (track == Track.STABLE) {
            mergeInto(pendingStable, pane, fullSlice, metrics, taking, () -> new MetricSet(signal), MetricSet::merge);
            if (cohort != null && !cohort.isEmpty()) {
                mergeInto(pendingStableCohorts, pane, fullSlice, cohort, taking, CohortSums::new, CohortSums::merge);
            }
            pendingStableVersions.computeIfAbsent(pane, p -> new TreeMap<>())
                    .merge(version, metrics.requests(), Long::sum);
        }
        // SHADOW: never user-facing, and not part of the canary's cost comparison either
        return true;
    }

    /** The pane ends holding unevaluated traffic, for the caller's timers. */
    public java.util.NavigableSet<Long> pendingPanes() {
        java.util.TreeSet<Long> panes = new java.util.TreeSet<>(pendingStable.keySet());
        candidates.values().forEach(c -> panes.addAll(c.pendingCanary.keySet()));
        return panes;
    }

    /**
     * Adds {@code m} to the slice's set (metric set or cohort sums) of the pane; with {@code taking}, the
     * first is kept as it is, else a copy made with {@code empty} and {@code merge}.
     */
    private static <T> void mergeInto(TreeMap<Long, Map<String, T>> panes, long pane, Slice slice, T m,
            boolean taking, java.util.function.Supplier<T> empty, java.util.function.BiConsumer<T, T> merge) {
        Map<String, T> sets = panes.computeIfAbsent(pane, p -> new TreeMap<>());
        T held = sets.get(slice.key());
        if (held != null) {
            merge.accept(held, m);
        } else if (taking) {
            sets.put(slice.key(), m);
        } else {
            T copy = empty.get();
            merge.accept(copy, m);
            sets.put(slice.key(), copy);
        }
    }

    /**
     * Folds panes of cohort sums into a candidate's per-slice totals, each pane's features into the
     * rollout's first hour or the time after it.
     */
    private void foldCohorts(Candidate c, long pane, Map<String, CohortSums> sums, Map<String, CohortSums> into) {
        long start = c.firstPane - settings().interval().toMillis();
        int period = pane <= start + COHORT_BASELINE_MILLIS ? CohortSums.FIRST_HOUR : CohortSums.LATER;
        sums.forEach((k, s) -> into.computeIfAbsent(k, x -> new CohortSums()).addPane(s, period));
    }

    /**
     * The candidate's cohort sums merged over the full slices inside {@code slice}: {canary, stable}.
     * Called for the one slice a finding names, so nothing is rolled up ahead of time.
     */
    private static CohortSums[] cohortOf(Candidate c, Slice slice) {
        return new CohortSums[] {within(c.canaryCohorts, slice), within(c.stableCohorts, slice)};
    }

    private static CohortSums within(Map<String, CohortSums> byKey, Slice slice) {
        return SliceRollup.gather(byKey, Slice::parse, slice, new CohortSums(), CohortSums::merge);
    }

    /**
     * Evaluates every candidate at event time {@code windowEnd} (a pane end) and returns the
     * advisories to publish, ordered by candidate version. Candidates idle past the timeout are dropped.
     */
    public List<Advisory> evaluate(long windowEnd, GatePolicy policy, String policyVersion) {
        List<Advisory> out = new ArrayList<>();
        List<String> finished = new ArrayList<>();
        RolloutSettings settings = settings();
        for (Map.Entry<String, Candidate> e : candidates.entrySet()) {
            Candidate c = e.getValue();
            int maxDims = policy.maxSliceDimensions();
            if (c.rollupDims != maxDims) {
                c.canaryRollup = null;
                c.stableRollup = null;
                c.rollupDims = maxDims;
            }
            if (c.canaryRollup == null || c.stableRollup == null) {
                c.canaryTargets.clear();
                c.stableTargets.clear();
            }
            recordShares(c, windowEnd);
            while (!c.pendingCanary.isEmpty() && c.pendingCanary.firstKey() <= windowEnd) {
                fold(c.pendingCanary.pollFirstEntry().getValue(), c.canary, c.canaryRollup, c.canaryTargets, maxDims);
            }
            while (!c.pendingCanaryCohorts.isEmpty() && c.pendingCanaryCohorts.firstKey() <= windowEnd) {
                Map.Entry<Long, Map<String, CohortSums>> p = c.pendingCanaryCohorts.pollFirstEntry();
                foldCohorts(c, p.getKey(), p.getValue(), c.canaryCohorts);
            }
            // stable traffic over the same time as the candidate's: from its first pane on
            for (Map.Entry<Long, Map<String, MetricSet>> p : pendingStable.headMap(windowEnd, true).entrySet()) {
                if (p.getKey() >= c.firstPane) {
                    fold(p.getValue(), c.stable, c.stableRollup, c.stableTargets, maxDims);
                }
            }
            for (Map.Entry<Long, Map<String, Long>> p : pendingStableVersions.headMap(windowEnd, true).entrySet()) {
                if (p.getKey() >= c.firstPane) {
                    p.getValue().forEach((v, n) -> c.stableVersions.merge(v, n, Long::sum));
                }
            }
            for (Map.Entry<Long, Map<String, CohortSums>> p : pendingStableCohorts.headMap(windowEnd, true).entrySet()) {
                if (p.getKey() >= c.firstPane) {
                    foldCohorts(c, p.getKey(), p.getValue(), c.stableCohorts);
                }
            }
            if (c.canary.isEmpty()) {
                continue; // its first requests are still in the future of this evaluation
            }
            if (windowEnd - c.lastSeen >= settings.idleTimeout().toMillis() && c.pendingCanary.isEmpty()) {
                finished.add(e.getKey());
                continue;
            }
            if (c.canaryRollup == null) {
                c.canaryRollup = SliceRollup.rollUp(signal, slices(c.canary), maxDims);
            }
            if (c.stableRollup == null) {
                c.stableRollup = SliceRollup.rollUp(signal, slices(c.stable), maxDims);
            }
            // given the roll-ups, the gate reads nothing else of the candidate: the full slices are not parsed again
            Advisory a = ReleaseGate.evaluate(new GateInput(service, signal, e.getKey(), stableVersion(c),
                    Map.of(), Map.of(), policy, windowEnd, policyVersion, c.firstPane - settings.interval().toMillis()),
                    c.canaryRollup, c.stableRollup, gathering(c.canary), gathering(c.stable),
                    slice -> cohortOf(c, slice));
            if (c.rolledBackAt != Long.MIN_VALUE && a.getDecision() != Decision.ROLLBACK) {
                a = held(a, c.rolledBackAt);
            } else if (a.getDecision() == Decision.ROLLBACK && c.rolledBackAt == Long.MIN_VALUE) {
                c.rolledBackAt = windowEnd;
            }
            c.history.decided(windowEnd, a.getDecision());
            boolean changed = a.getDecision() != c.lastDecision;
            boolean due = c.lastEmitted != Long.MIN_VALUE
                    && windowEnd - c.lastEmitted >= settings.reminder().toMillis();
            if (changed || due) {
                c.lastDecision = a.getDecision();
                c.lastEmitted = windowEnd;
                a.setStageHistory(c.history.entries(c.firstPane - settings.interval().toMillis()));
                out.add(io.speechslo.advisory.Advisories.withId(a));
            }
        }
        pendingStable.headMap(windowEnd, true).clear();
        pendingStableVersions.headMap(windowEnd, true).clear();
        pendingStableCohorts.headMap(windowEnd, true).clear();
        lastEvaluated = Math.max(lastEvaluated, windowEnd);
        finished.forEach(candidates::remove);
        return out;
    }

    /**
     * Feeds the candidate's stage history the canary's and stable's requests of each pane this
     * evaluation folds in (from the candidate's first pane on), in pane order.
     */
    private void recordShares(Candidate c, long windowEnd) {
        if (c.firstPane > windowEnd) {
            return; // its first requests are still in the future of this evaluation
        }
        TreeMap<Long, long[]> panes = new TreeMap<>();
        c.pendingCanary.headMap(windowEnd, true)
                .forEach((pane, sets) -> panes.computeIfAbsent(pane, p -> new long[2])[0] += requests(sets));
        pendingStableVersions.subMap(c.firstPane, true, windowEnd, true).forEach((pane, versions) -> {
            long n = 0;
            for (long v : versions.values()) {
                n += v;
            }
            panes.computeIfAbsent(pane, p -> new long[2])[1] += n;
        });
        long interval = settings().interval().toMillis();
        panes.forEach((pane, n) -> c.history.pane(pane - interval, n[0], n[1]));
    }

    /**
     * A ROLLBACK stands for the rest of the candidate's rollout: a controller acted on it, and a later
     * CONTINUE (more data diluting the regression) must not undo that. The advisory keeps the latest
     * evaluation's findings and says what it alone would have decided.
     */
    private static Advisory held(Advisory latest, long rolledBackAt) {
        Advisory a = Advisory.newBuilder(latest)
                .setDecision(Decision.ROLLBACK)
                .setPromotable(false)
                .setSummary("ROLLBACK held since " + java.time.Instant.ofEpochMilli(rolledBackAt)
                        + "; the latest evaluation alone says: " + latest.getSummary())
                .build();
        return io.speechslo.advisory.Advisories.withId(a);
    }

    /**
     * Adds one pane's metrics per full slice key to the running totals, and to their roll-ups when
     * those are kept (null: rebuilt from the totals at the evaluation).
     */
    private void fold(Map<String, MetricSet> pane, Map<String, MetricSet> totals, Map<Slice, MetricSet> rollups,
            Map<String, MetricSet[]> targets, int maxDims) {
        pane.forEach((k, m) -> {
            if (rollups == null) {
                totals.computeIfAbsent(k, x -> new MetricSet(signal)).merge(m);
                return;
            }
            MetricSet[] into = targets.get(k);
            if (into == null) {
                into = SliceRollup.targets(signal, rollups, Slice.parse(k), maxDims,
                        totals.computeIfAbsent(k, x -> new MetricSet(signal)));
                targets.put(k, into);
            }
            into[0].merge(m);
            for (int i = 1; i < into.length; i++) {
                into[i].mergeJudged(m);
            }
        });
    }

    /** All a finding's slice holds of one arm: its full slices merged in full (read only for hints). */
    private Function<Slice, MetricSet> gathering(Map<String, MetricSet> byKey) {
        return slice -> SliceRollup.gather(signal, byKey, Slice::parse, slice);
    }

    private static Map<Slice, MetricSet> slices(Map<String, MetricSet> byKey) {
        Map<Slice, MetricSet> m = new TreeMap<>();
        byKey.forEach((k, v) -> m.put(Slice.parse(k), v));
        return m;
    }

    /** The stable track's busiest version over the candidate's rollout (ties: the smallest name). */
    private static String stableVersion(Candidate c) {
        String best = null;
        long most = -1;
        for (Map.Entry<String, Long> e : c.stableVersions.entrySet()) {
            if (e.getValue() > most) {
                best = e.getKey();
                most = e.getValue();
            }
        }
        return best;
    }

    /** Whether a candidate is under way. */
    public boolean hasCandidates() {
        return !candidates.isEmpty();
    }

    /** Nothing under way and nothing pending: the caller may drop this tracker's state. */
    public boolean isEmpty() {
        return candidates.isEmpty() && pendingStable.isEmpty() && pendingStableCohorts.isEmpty();
    }

    /**
     * Where a candidate's rollout stands.
     *
     * @param since start of the pane of its first canary request
     * @param baseline the stable version it is compared with, null before any stable traffic
     * @param decision the last decision published, null before the first
     * @param decidedAt when that decision was last published (a reminder included), else MIN_VALUE
     */
    public record Stage(String candidate, String baseline, long since, Decision decision, long decidedAt) {}

    /** The stages of the candidates under way that have been evaluated, ordered by candidate. */
    public List<Stage> stages() {
        long interval = settings().interval().toMillis();
        List<Stage> out = new ArrayList<>();
        candidates.forEach((version, c) -> {
            if (!c.canary.isEmpty()) {
                out.add(new Stage(version, stableVersion(c), c.firstPane - interval, c.lastDecision, c.lastEmitted));
            }
        });
        return out;
    }

    /** Candidate versions under way. */
    public List<String> candidates() {
        return new ArrayList<>(candidates.keySet());
    }

    /** Full slices held, over all candidates (canary and stable, folded and pending). */
    public int activeSlices() {
        int n = 0;
        for (Candidate c : candidates.values()) {
            n += c.canary.size() + c.stable.size();
        }
        return n;
    }

    /**
     * The byte format of {@link #writeTo} (the state serializer's snapshot records which one a state is
     * in). Format 2 (2026-12-05): metric sets in {@link MetricSet} format 2 (with their latency
     * components), and each candidate's {@link StageHistory} after its pending panes. Format 1 (before)
     * had metric sets in format 1 and no history: a candidate read from it starts its history from its
     * totals and its last decision ({@link StageHistory#restoredFromTotals}). Format 3 (2026-12-05):
     * format 2 followed by the stable track's pending {@link CohortSums} and, per candidate in the same
     * order, its folded and pending cohort sums; a tracker read from format 1 or 2 has none, so a
     * rollout under way across the upgrade gives cohort evidence on its traffic from then on (its
     * first-hour baseline is what of that hour is left). A change of these bytes adds format 4 here and
     * a branch in {@link #readFrom(String, Signal, DataInput, int)}.
     */
    public static final int FORMAT = 3;
    /** Format 2: with stage histories, without cohort sums. */
    public static final int FORMAT_WITHOUT_COHORTS = 2;
    /** Format 1: candidates without a stage history, metric sets in MetricSet format 1. */
    public static final int FORMAT_WITHOUT_STAGES = 1;

    /** The {@link MetricSet} format inside a tracker of {@code format}. */
    private static int metricSetFormat(int format) {
        return format == FORMAT_WITHOUT_STAGES ? 1 : 2;
    }

    /** Writes the tracker's state: everything but its service, signal and settings. */
    public void writeTo(DataOutput out) throws IOException {
        writeTo(out, FORMAT);
    }

    /**
     * Writes {@code format} (1 to {@link #FORMAT}) as the release that had it wrote it: format 1 without
     * the stage history, its metric sets in their format 1. For tests of the upgrade path; the job writes
     * the current format.
     */
    public void writeTo(DataOutput out, int format) throws IOException {
        if (format < FORMAT_WITHOUT_STAGES || format > FORMAT) {
            throw new IllegalArgumentException("rollout tracker format " + format + " is unknown");
        }
        int sets = metricSetFormat(format);
        out.writeLong(lastEvaluated);
        writePanes(out, pendingStable, sets);
        out.writeInt(pendingStableVersions.size());
        for (Map.Entry<Long, Map<String, Long>> p : pendingStableVersions.entrySet()) {
            out.writeLong(p.getKey());
            writeCounts(out, p.getValue());
        }
        out.writeInt(candidates.size());
        for (Map.Entry<String, Candidate> e : candidates.entrySet()) {
            Candidate c = e.getValue();
            out.writeUTF(e.getKey());
            out.writeLong(c.firstPane);
            out.writeLong(c.lastSeen);
            out.writeByte(c.lastDecision == null ? -1 : c.lastDecision.ordinal());
            out.writeLong(c.lastEmitted);
            out.writeLong(c.rolledBackAt);
            writeSets(out, c.canary, sets);
            writeSets(out, c.stable, sets);
            writeCounts(out, c.stableVersions);
            writePanes(out, c.pendingCanary, sets);
            if (format != FORMAT_WITHOUT_STAGES) {
                c.history.writeTo(out);
            }
        }
        if (format > FORMAT_WITHOUT_COHORTS) {
            writeCohortPanes(out, pendingStableCohorts);
            for (Candidate c : candidates.values()) {
                writeCohorts(out, c.canaryCohorts);
                writeCohorts(out, c.stableCohorts);
                writeCohortPanes(out, c.pendingCanaryCohorts);
            }
        }
    }

    private static void writeCohorts(DataOutput out, Map<String, CohortSums> sums) throws IOException {
        out.writeInt(sums.size());
        for (Map.Entry<String, CohortSums> e : sums.entrySet()) {
            out.writeUTF(e.getKey());
            e.getValue().writeTo(out);
        }
    }

    private static void readCohorts(DataInput in, Map<String, CohortSums> into) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            into.put(in.readUTF(), CohortSums.readFrom(in));
        }
    }

    private static void writeCohortPanes(DataOutput out, TreeMap<Long, Map<String, CohortSums>> panes)
            throws IOException {
        out.writeInt(panes.size());
        for (Map.Entry<Long, Map<String, CohortSums>> e : panes.entrySet()) {
            out.writeLong(e.getKey());
            writeCohorts(out, e.getValue());
        }
    }

    private static void readCohortPanes(DataInput in, TreeMap<Long, Map<String, CohortSums>> into)
            throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            long pane = in.readLong();
            Map<String, CohortSums> sums = new TreeMap<>();
            readCohorts(in, sums);
            into.put(pane, sums);
        }
    }

    /** Restores a tracker written by {@link #writeTo}, under the given settings. */
    public static RolloutTracker readFrom(String service, Signal signal, RolloutSettings settings, DataInput in)
            throws IOException {
        return readFrom(service, signal, in).configure(settings);
    }

    /**
     * Restores a tracker written by {@link #writeTo} without its settings: {@link #configure} it before
     * use. The service and signal are not written; the caller keeps them.
     */
    public static RolloutTracker readFrom(String service, Signal signal, DataInput in) throws IOException {
        return readFrom(service, signal, in, FORMAT);
    }

    /** Reads a tracker written in {@code format} (1 to {@link #FORMAT}), as {@link #readFrom(String, Signal, DataInput)}. */
    public static RolloutTracker readFrom(String service, Signal signal, DataInput in, int format) throws IOException {
        if (format < FORMAT_WITHOUT_STAGES || format > FORMAT) {
            throw new IOException("rollout tracker state format " + format + " is unknown (this version reads 1 to "
                    + FORMAT + ")");
        }
        int sets = metricSetFormat(format);
        RolloutTracker t = new RolloutTracker(service, signal);
        t.lastEvaluated = in.readLong();
        readPanes(in, signal, t.pendingStable, sets);
        int panes = in.readInt();
        for (int p = 0; p < panes; p++) {
            long pane = in.readLong();
            Map<String, Long> counts = new TreeMap<>();
            readCounts(in, counts);
            t.pendingStableVersions.put(pane, counts);
        }
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            String version = in.readUTF();
            Candidate c = new Candidate();
            c.firstPane = in.readLong();
            c.lastSeen = in.readLong();
            int d = in.readByte();
            c.lastDecision = d < 0 ? null : Decision.values()[d];
            c.lastEmitted = in.readLong();
            c.rolledBackAt = in.readLong();
            readSets(in, signal, c.canary, sets);
            readSets(in, signal, c.stable, sets);
            readCounts(in, c.stableVersions);
            readPanes(in, signal, c.pendingCanary, sets);
            c.history = format == FORMAT_WITHOUT_STAGES ? StageHistory.restoredFromTotals(requests(c.canary),
                    requests(c.stable), c.lastDecision, c.rolledBackAt != Long.MIN_VALUE ? c.rolledBackAt : c.lastEmitted)
                    : StageHistory.readFrom(in);
            t.candidates.put(version, c);
        }
        if (format > FORMAT_WITHOUT_COHORTS) {
            readCohortPanes(in, t.pendingStableCohorts);
            for (Candidate c : t.candidates.values()) {
                readCohorts(in, c.canaryCohorts);
                readCohorts(in, c.stableCohorts);
                readCohortPanes(in, c.pendingCanaryCohorts);
            }
        }
        return t;
    }

    private static long requests(Map<String, MetricSet> sets) {
        long n = 0;
        for (MetricSet m : sets.values()) {
            n += m.requests();
        }
        return n;
    }

    private static void writeSets(DataOutput out, Map<String, MetricSet> sets, int format) throws IOException {
        out.writeInt(sets.size());
        for (Map.Entry<String, MetricSet> e : sets.entrySet()) {
            out.writeUTF(e.getKey());
            e.getValue().writeTo(out, format);
        }
    }

    private static void readSets(DataInput in, Signal signal, Map<String, MetricSet> into, int format)
            throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            into.put(in.readUTF(), MetricSet.readFrom(signal, in, format));
        }
    }

    private static void writePanes(DataOutput out, TreeMap<Long, Map<String, MetricSet>> panes, int format)
            throws IOException {
        out.writeInt(panes.size());
        for (Map.Entry<Long, Map<String, MetricSet>> e : panes.entrySet()) {
            out.writeLong(e.getKey());
            writeSets(out, e.getValue(), format);
        }
    }

    private static void readPanes(DataInput in, Signal signal, TreeMap<Long, Map<String, MetricSet>> into,
            int format) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            long pane = in.readLong();
            Map<String, MetricSet> sets = new TreeMap<>();
            readSets(in, signal, sets, format);
            into.put(pane, sets);
        }
    }

    private static void writeCounts(DataOutput out, Map<String, Long> counts) throws IOException {
        out.writeInt(counts.size());
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    private static void readCounts(DataInput in, Map<String, Long> into) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            into.put(in.readUTF(), in.readLong());
        }
    }
}
