package io.speechslo.drift;

import io.speechslo.advisory.Action;
import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Direction;
import io.speechslo.advisory.Finding;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.DriftPolicy;
import io.speechslo.policy.Durations;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Slice drift of one service's input: each slice's current pane against the trailing baseline panes
 * just before it, per {@link DriftPolicy}. One monitor per service and signal.
 *
 * <p>Requests are counted into panes of {@link DriftPolicy#current()} by event time, per full slice
 * (every slice dimension of the signal). {@link #evaluate(long)} is called at each pane end: the pane
 * just ended is the current window, up to {@code baseline / current} panes before it the baseline.
 * Both are rolled up to every combination of up to {@code maxSliceDimensions} dimensions, the whole
 * service included, and compared slice by slice:
 * <ul>
 *   <li>{@code new_slice}: the slice has at least minSamples requests now and none in the baseline
 *       (metric traffic_share). Only the smallest new slices are reported: when {device=car} is new,
 *       {device=car, region=x} is not reported again.</li>
 *   <li>{@code zero_baseline}: a feature's baseline mean is exactly 0 and its current mean is not,
 *       by more than {@link #NOISE_Z} standard errors (the finding's limit), so one stray clipped
 *       request does not count.</li>
 *   <li>{@code relative_change}: |current - baseline| / |baseline| of a feature's mean or the slice's
 *       traffic share exceeds relativeThreshold plus {@link #NOISE_Z} standard errors of that
 *       relative change (the finding's limit; binomial for traffic share). The allowance is small
 *       for slices of a few thousand requests and keeps slices near minSamples from drifting by
 *       chance.</li>
 *   <li>{@code distribution_shift}: the mean did not trigger, but the population stability index of
 *       the feature's histogram exceeds distributionThreshold plus the PSI that sampling noise alone
 *       gives at these sample sizes ({@link FeatureHistogram#psiNoise}), so a small slice does not drift
 *       by chance; the finding's value is the PSI, its baseline 0 and its limit that sum. The noise
 *       allowance is 0.05 at 200 samples now and 4,800 in the baseline, and vanishes as samples grow.</li>
 * </ul>
 * A slice or feature with fewer than minSamples in either window is not compared, and neither is a
 * slice present only in the baseline. Nothing is judged (no advisory, decision state unchanged) when
 * the baseline panes holding data cover less than minBaseline or when the whole service has fewer
 * than minSamples requests in either window.
 *
 * <p>Decision: INVESTIGATE when there is any finding, re-emitted only when the set of
 * (slice, metric, reason) changes; RESOLVED once when an investigation ends with no finding. At most
 * {@link #MAX_FINDINGS} findings are listed, the largest by effect (zero_baseline and new_slice first,
 * then by statistic over its limit, ties by larger value), in order of slice (coarsest first, then by
 * key) then feature (in {@link DriftPolicy#ALL_FEATURES} order); the summary names the largest and
 * says how many more there are and how many were not listed.
 *
 * <p>Panes older than baseline + current before the latest evaluation are dropped, and so are requests
 * that would fall into them. When no pane is left the monitor {@link #isEmpty()} and forgets its
 * decision state, so a caller may drop it: a standing INVESTIGATE of a service that stopped sending
 * traffic lapses without a RESOLVED.
 */
public final class DriftMonitor {

    /** Findings listed per advisory at most; the summary counts the rest. */
    public static final int MAX_FINDINGS = 50;

    public static final String TRAFFIC_SHARE = "traffic_share";
    public static final String NEW_SLICE = "new_slice";
    public static final String ZERO_BASELINE = "zero_baseline";
    public static final String RELATIVE_CHANGE = "relative_change";
    public static final String DISTRIBUTION_SHIFT = "distribution_shift";

    /**
     * Standard errors a change must clear on top of its threshold (two-sided 99.9%): with hundreds of
     * slice-feature pairs judged every hour, a bare threshold on a skewed feature of a slice near
     * minSamples (the clipping ratio of a 3% language) fires by chance every few days.
     */
    public static final double NOISE_Z = 3.29;

    /**
     * Byte formats of a monitor (see {@link #writeTo}; the state serializer's snapshot records which one a
     * state is in). Format 1 (savepoints before 2026-12-05) begins with a byte 1; format 2 drops it: the
     * snapshot records the format once.
     */
    public static final int FORMAT = 2;
    private static final int TRAFFIC_ORDER = DriftPolicy.ALL_FEATURES.indexOf(TRAFFIC_SHARE);

    private final String service;
    private final Signal signal;
    // Configuration, not state: writeTo leaves it out, configure attaches it.
    private DriftPolicy policy;
    private String policyVersion;
    private long paneMillis;
    private long baselineMillis;
    private long minSamples;
    /** Projections of a full slice to roll up to, by bit mask over its (sorted) dimensions. */
    private int[] masks;
    /** Policy features in canonical order (DriftPolicy.ALL_FEATURES). */
    private List<String> features;

    /** Pane start to full slice to stats. */
    private final TreeMap<Long, Map<Slice, DriftStats>> panes = new TreeMap<>();
    /** Panes starting before this are dropped and not accepted again. */
    private long horizon = Long.MIN_VALUE;
    private boolean investigating;
    /** slice|metric|reason of the findings of the standing INVESTIGATE. */
    private SortedSet<String> standing = new TreeSet<>();

    public DriftMonitor(String service, Signal signal, DriftPolicy policy, String policyVersion) {
        this(service, signal);
        configure(policy, policyVersion);
    }

    /** A monitor without its policy, for {@link #readFrom(DataInput)}. */
    private DriftMonitor(String service, Signal signal) {
        this.service = requireText(service, "service");
        this.signal = Objects.requireNonNull(signal, "signal");
    }

    /**
     * Attaches the policy to judge under. It is configuration, not state: {@link #writeTo} leaves it
     * out, so a monitor read back with {@link #readFrom(DataInput)} needs it attached again before use.
     * Attaching the policy it already has changes nothing.
     *
     * @return this monitor
     */
    public DriftMonitor configure(DriftPolicy policy, String policyVersion) {
        Objects.requireNonNull(policy, "drift policy");
        requireText(policyVersion, "policy version");
        if (policy.equals(this.policy) && policyVersion.equals(this.policyVersion)) {
            return this;
        }
        long pane = policy.current().toMillis();
        long baseline = policy.baseline().toMillis();
        if (pane <= 0) {
            throw new IllegalArgumentException("drift current window must be positive, got " + policy.current());
        }
        if (baseline < pane || baseline % pane != 0) {
            throw new IllegalArgumentException("drift baseline " + Durations.format(policy.baseline())
                    + " must be a whole multiple of the current window " + Durations.format(policy.current()));
        }
        if (policy.maxSliceDimensions() < 0) {
            throw new IllegalArgumentException("drift maxSliceDimensions must be >= 0, got " + policy.maxSliceDimensions());
        }
        this.policy = policy;
        this.policyVersion = policyVersion;
        this.paneMillis = pane;
        this.baselineMillis = baseline;
        this.minSamples = Math.max(1, policy.minSamples());
        int dims = signal.sliceDimensions().size();
        this.masks = IntStream.range(0, 1 << dims)
                .filter(m -> Integer.bitCount(m) <= policy.maxSliceDimensions())
                .toArray();
        this.features = DriftPolicy.ALL_FEATURES.stream().filter(policy.features()::contains).toList();
        return this;
    }

    private void requirePolicy() {
        if (policy == null) {
            throw new IllegalStateException("drift monitor of " + service + "/" + signal
                    + " was read back without its policy: configure it before use");
        }
    }

    private static String requireText(String s, String what) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("drift monitor needs a non-empty " + what);
        }
        return s;
    }

    public String service() {
        return service;
    }

    public Signal signal() {
        return signal;
    }

    /**
     * Counts an ASR request into the pane of its event time.
     *
     * @return false when the request is older than the panes still kept, and so was dropped
     */
    public boolean add(AsrRequest r) {
        check(Signal.ASR, r.getService());
        DriftStats s = statsFor(r.getEventTime().toEpochMilli(),
                List.of(r.getLanguage(), r.getRegion(), r.getDevice(), r.getAcousticCondition()));
        if (s == null) {
            return false;
        }
        s.add(r);
        return true;
    }

    /** Counts a TTS request (traffic only) into the pane of its event time; false when too old. */
    public boolean add(TtsRequest r) {
        check(Signal.TTS, r.getService());
        DriftStats s = statsFor(r.getEventTime().toEpochMilli(),
                List.of(r.getLanguage(), r.getRegion(), r.getDevice(), r.getVoice()));
        if (s == null) {
            return false;
        }
        s.add(r);
        return true;
    }

    /**
     * Merges stats already aggregated upstream (one full slice over part of a pane) into the pane
     * that holds {@code eventMillis}.
     *
     * @return false when that pane is older than the panes still kept, and so was dropped
     */
    public boolean add(long eventMillis, Slice fullSlice, DriftStats stats) {
        requirePolicy();
        long start = Math.floorDiv(eventMillis, paneMillis) * paneMillis;
        if (start < horizon) {
            return false;
        }
        panes.computeIfAbsent(start, k -> new HashMap<>()).computeIfAbsent(fullSlice, k -> new DriftStats()).merge(stats);
        return true;
    }

    private void check(Signal s, String requestService) {
        if (s != signal) {
            throw new IllegalArgumentException("drift monitor of " + service + " counts " + signal
                    + " requests, was given a " + s + " request");
        }
        if (!service.equals(requestService)) {
            throw new IllegalArgumentException("drift monitor of " + service + " was given a request of service "
                    + requestService);
        }
    }

    private DriftStats statsFor(long eventMillis, List<String> values) {
        requirePolicy();
        long start = Math.floorDiv(eventMillis, paneMillis) * paneMillis;
        if (start < horizon) {
            return null;
        }
        Slice slice = Slice.of(signal.sliceDimensions(), values);
        return panes.computeIfAbsent(start, k -> new HashMap<>()).computeIfAbsent(slice, k -> new DriftStats());
    }

    /**
     * The trailing baseline as of {@code before}: the panes of the {@code baseline} window before the
     * pane that holds it, merged and rolled up to every slice of at most {@code maxDims} dimensions
     * (the whole service included). What the scorecards measure each minute's drift against.
     */
    public Map<Slice, DriftStats> trailing(long before, int maxDims) {
        requirePolicy();
        long currentStart = Math.floorDiv(before, paneMillis) * paneMillis;
        Map<Slice, DriftStats> full = new HashMap<>();
        panes.subMap(currentStart - baselineMillis, currentStart).values().forEach(pane -> pane.forEach(
                (slice, stats) -> full.computeIfAbsent(slice, k -> new DriftStats()).merge(stats)));
        Map<Slice, DriftStats> rolled = new HashMap<>();
        full.forEach((slice, stats) -> {
            for (int mask = 0; mask < 1 << slice.size(); mask++) {
                if (Integer.bitCount(mask) <= maxDims) {
                    rolled.computeIfAbsent(slice.project(mask), k -> new DriftStats()).merge(stats);
                }
            }
        });
        return rolled;
    }

    /** Start of the current window that holds {@code eventMillis}. */
    public long paneStart(long eventMillis) {
        requirePolicy();
        return Math.floorDiv(eventMillis, paneMillis) * paneMillis;
    }

    /** Panes held. */
    public int paneCount() {
        return panes.size();
    }

    /** True when no pane is left: the monitor holds nothing worth keeping. */
    public boolean isEmpty() {
        return panes.isEmpty();
    }

    /**
     * Judges the pane ending at {@code windowEndMillis} against the baseline before it, drops panes
     * that are too old, and returns an advisory when the decision calls for one.
     *
     * @param windowEndMillis a pane end (a multiple of the current window) in event-time millis
     */
    public Optional<Advisory> evaluate(long windowEndMillis) {
        requirePolicy();
        if (Math.floorMod(windowEndMillis, paneMillis) != 0) {
            throw new IllegalArgumentException("drift window end " + windowEndMillis + " of " + service
                    + " is not a multiple of the current window " + Durations.format(policy.current()));
        }
        long currentStart = windowEndMillis - paneMillis;
        long baselineStart = currentStart - baselineMillis;
        horizon = Math.max(horizon, baselineStart);
        panes.headMap(horizon).clear();
        if (panes.isEmpty()) {
            investigating = false;
            standing = new TreeSet<>();
            return Optional.empty();
        }
        Map<Long, Map<Slice, DriftStats>> basePanes = panes.subMap(baselineStart, currentStart);
        Map<Slice, DriftStats> currentPane = panes.get(currentStart);
        long history = 0;
        long oldest = currentStart;
        for (Map.Entry<Long, Map<Slice, DriftStats>> p : basePanes.entrySet()) {
            if (!p.getValue().isEmpty()) {
                history += paneMillis;
                oldest = Math.min(oldest, p.getKey());
            }
        }
        if (currentPane == null || history < policy.minBaseline().toMillis()) {
            return Optional.empty();
        }
        Map<Slice, DriftStats> now = rollUp(List.of(currentPane));
        Map<Slice, DriftStats> before = rollUp(basePanes.values());
        long serviceNow = now.get(Slice.ALL).requests();
        long serviceBefore = before.get(Slice.ALL).requests();
        if (serviceNow < minSamples || serviceBefore < minSamples) {
            return Optional.empty();
        }
        List<Candidate> found = compare(now, before, serviceNow, serviceBefore);
        return decide(found, windowEndMillis, Duration.ofMillis(currentStart - oldest));
    }

    /** Merges the panes' full slices, then projects each onto every slice of up to maxSliceDimensions. */
    private Map<Slice, DriftStats> rollUp(Iterable<Map<Slice, DriftStats>> source) {
        Map<Slice, DriftStats> full = new HashMap<>();
        for (Map<Slice, DriftStats> pane : source) {
            pane.forEach((slice, stats) -> full.computeIfAbsent(slice, k -> new DriftStats()).merge(stats));
        }
        Map<Slice, DriftStats> rolled = new HashMap<>();
        full.forEach((slice, stats) -> {
            for (int mask : masks) {
                rolled.computeIfAbsent(slice.project(mask), k -> new DriftStats()).merge(stats);
            }
        });
        return rolled;
    }

    private List<Candidate> compare(
            Map<Slice, DriftStats> now, Map<Slice, DriftStats> before, long serviceNow, long serviceBefore) {
        List<Candidate> found = new ArrayList<>();
        for (Map.Entry<Slice, DriftStats> e : now.entrySet()) {
            Slice slice = e.getKey();
            DriftStats cur = e.getValue();
            DriftStats base = before.get(slice);
            if (base == null) {
                if (cur.requests() >= minSamples && smallestNew(slice, before)) {
                    double share = (double) cur.requests() / serviceNow;
                    found.add(new Candidate(slice, TRAFFIC_ORDER, TRAFFIC_SHARE, NEW_SLICE, share, 0, Double.NaN,
                            cur.requests(), 0, Double.POSITIVE_INFINITY, share, 0));
                }
                continue;
            }
            for (String metric : features) {
                AudioFeature f = AudioFeature.byId(metric);
                int order = DriftPolicy.ALL_FEATURES.indexOf(metric);
                if (f == null) {
                    if (!slice.isAll() && cur.requests() >= minSamples && base.requests() >= minSamples) {
                        double c = (double) cur.requests() / serviceNow;
                        double b = (double) base.requests() / serviceBefore;
                        double se = Math.hypot(
                                Math.sqrt(c * (1 - c) / serviceNow), Math.sqrt(b * (1 - b) / serviceBefore));
                        meanChange(found, slice, order, metric, c, b, 0, se, cur.requests(), base.requests());
                    }
                    continue;
                }
                FeatureHistogram hc = cur.histogram(f);
                FeatureHistogram hb = base.histogram(f);
                if (hc.count() < minSamples || hb.count() < minSamples) {
                    continue;
                }
                double se = Math.hypot(hc.meanStandardError(), hb.meanStandardError());
                if (!meanChange(found, slice, order, metric, hc.mean(), hb.mean(), hc.meanStandardError(), se,
                        hc.count(), hb.count())) {
                    double psi = hc.psi(hb);
                    double limit = policy.distributionThreshold() + hc.psiNoise(hb);
                    if (psi > limit) {
                        found.add(new Candidate(slice, order, metric, DISTRIBUTION_SHIFT, psi, 0, limit,
                                hc.count(), hb.count(), psi / limit, hc.mean(), hb.mean()));
                    }
                }
            }
        }
        return found;
    }

    /** A new slice is reported only when none of the slices one dimension coarser is new as well. */
    private static boolean smallestNew(Slice slice, Map<Slice, DriftStats> before) {
        int all = (1 << slice.size()) - 1;
        for (int i = 0; i < slice.size(); i++) {
            if (!before.containsKey(slice.project(all & ~(1 << i)))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Adds a zero_baseline or relative_change finding when the mean moved beyond its sampling noise;
     * true when it did.
     *
     * @param seNow standard error of the current mean
     * @param seDiff standard error of the difference current - baseline
     */
    private boolean meanChange(List<Candidate> found, Slice slice, int order, String metric,
            double c, double b, double seNow, double seDiff, long samples, long baselineSamples) {
        if (b == 0) {
            double limit = NOISE_Z * seNow;
            if (!(Math.abs(c) > limit)) {
                return false;
            }
            found.add(new Candidate(slice, order, metric, ZERO_BASELINE, c, b, limit, samples, baselineSamples,
                    Double.POSITIVE_INFINITY, c, b));
            return true;
        }
        double limit = policy.relativeThreshold() + NOISE_Z * seDiff / Math.abs(b);
        double rel = Math.abs(c - b) / Math.abs(b);
        if (!(rel > limit)) {
            return false;
        }
        found.add(new Candidate(slice, order, metric, RELATIVE_CHANGE, c, b, limit, samples, baselineSamples,
                rel / limit, c, b));
        return true;
    }

    private Optional<Advisory> decide(List<Candidate> found, long windowEnd, Duration span) {
        if (found.isEmpty()) {
            if (!investigating) {
                return Optional.empty();
            }
            int was = standing.size();
            investigating = false;
            standing = new TreeSet<>();
            String summary = service + ": no slice drifts against the trailing " + hours(span)
                    + " any more (was " + was + (was == 1 ? " finding)" : " findings)");
            return Optional.of(advisory(Decision.RESOLVED, windowEnd, summary, List.of()));
        }
        SortedSet<String> keys = new TreeSet<>();
        for (Candidate c : found) {
            keys.add(c.slice.key() + "|" + c.metric + "|" + c.reason);
        }
        if (investigating && keys.equals(standing)) {
            return Optional.empty();
        }
        investigating = true;
        standing = keys;

        found.sort(Comparator.comparingDouble((Candidate c) -> -c.effect)
                .thenComparingDouble(c -> -Math.abs(c.value))
                .thenComparing(BY_SLICE_AND_FEATURE));
        List<Candidate> listed = new ArrayList<>(found.subList(0, Math.min(MAX_FINDINGS, found.size())));
        StringBuilder summary = new StringBuilder(service).append(": ").append(found.get(0).describe())
                .append(" vs the trailing ").append(hours(span));
        int more = found.size() - 1;
        if (more > 0) {
            summary.append("; ").append(more).append(more == 1 ? " more finding" : " more findings");
            int unlisted = found.size() - listed.size();
            if (unlisted > 0) {
                summary.append(" (").append(unlisted).append(" smallest not listed)");
            }
        }
        listed.sort(BY_SLICE_AND_FEATURE);
        List<Finding> findings = new ArrayList<>(listed.size());
        for (Candidate c : listed) {
            findings.add(Advisories.finding(c.metric, c.slice, Action.INVESTIGATE, c.reason, c.value, c.baseline,
                    c.limit, Direction.EITHER, false, c.samples, c.baselineSamples, Double.NaN));
        }
        return Optional.of(advisory(Decision.INVESTIGATE, windowEnd, summary.toString(), findings));
    }

    /** "24h" rather than "1d": baselines are thought of in hours. */
    private static String hours(Duration d) {
        return d.toMillis() % 3_600_000 == 0 ? d.toHours() + "h" : Durations.format(d);
    }

    private Advisory advisory(Decision decision, long windowEnd, String summary, List<Finding> findings) {
        return Advisories.withId(Advisory.newBuilder()
                .setAdvisoryId("")
                .setKind(AdvisoryKind.DRIFT)
                .setDecision(decision)
                .setService(service)
                .setModelVersion(null)
                .setWindowEnd(windowEnd)
                .setPolicyVersion(policyVersion)
                .setSummary(summary)
                .setFindings(findings)
                .build());
    }

    private static final Comparator<Candidate> BY_SLICE_AND_FEATURE = Comparator
            .comparing((Candidate c) -> c.slice)
            .thenComparingInt(c -> c.order)
            .thenComparing(c -> c.reason);

    /** A finding before it is ranked and built; meanNow/meanBefore only feed the summary. */
    private record Candidate(Slice slice, int order, String metric, String reason, double value, double baseline,
            double limit, long samples, long baselineSamples, double effect, double meanNow, double meanBefore) {

        String describe() {
            String where = slice.isAll() ? "the whole service" : "{" + slice.describe() + "}";
            if (reason.equals(NEW_SLICE)) {
                return "new slice " + where + " carries " + percent(value) + " of traffic (" + samples + " requests)";
            }
            boolean share = metric.equals(TRAFFIC_SHARE);
            AudioFeature f = AudioFeature.byId(metric);
            String unit = f == null ? "" : f.unit();
            String from = share ? percent(meanBefore) : Advisories.fmt(meanBefore);
            String to = (share ? percent(meanNow) : Advisories.fmt(meanNow)) + (share ? "" : unit);
            if (reason.equals(DISTRIBUTION_SHIFT)) {
                return metric + " of " + where + " changed shape (PSI " + Advisories.fmt(value) + " > "
                        + Advisories.fmt(limit) + ") while its mean went from " + from + " to " + to;
            }
            String verb = meanNow < meanBefore ? " fell from " : " rose from ";
            String text = metric + " of " + where + verb + from + " to " + to;
            if (reason.equals(RELATIVE_CHANGE)) {
                long pct = Math.round((meanNow - meanBefore) / Math.abs(meanBefore) * 100);
                text += " (" + (pct > 0 ? "+" : "") + pct + "%)";
            }
            return text;
        }

        private static String percent(double share) {
            return Advisories.fmt(share * 100) + "%";
        }
    }

    /** Writes the whole monitor (panes, slices by canonical key, decision state); the policy is not written. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeUTF(service);
        out.writeUTF(signal.name());
        out.writeLong(horizon);
        out.writeBoolean(investigating);
        out.writeInt(standing.size());
        for (String k : standing) {
            out.writeUTF(k);
        }
        out.writeInt(panes.size());
        for (Map.Entry<Long, Map<Slice, DriftStats>> p : panes.entrySet()) {
            out.writeLong(p.getKey());
            TreeMap<String, DriftStats> sorted = new TreeMap<>();
            p.getValue().forEach((slice, stats) -> sorted.put(slice.key(), stats));
            out.writeInt(sorted.size());
            for (Map.Entry<String, DriftStats> s : sorted.entrySet()) {
                out.writeUTF(s.getKey());
                s.getValue().writeTo(out);
            }
        }
    }

    /** Restores a monitor written by {@link #writeTo}, under the given (possibly newer) policy. */
    public static DriftMonitor readFrom(DataInput in, DriftPolicy policy, String policyVersion) throws IOException {
        return readFrom(in).configure(policy, policyVersion);
    }

    /** Restores a monitor written by {@link #writeTo} without its policy: {@link #configure} it before use. */
    public static DriftMonitor readFrom(DataInput in) throws IOException {
        return readFrom(in, FORMAT);
    }

    /** Reads a monitor written in {@code format} (1 to {@link #FORMAT}), as {@link #readFrom(DataInput)}. */
    public static DriftMonitor readFrom(DataInput in, int format) throws IOException {
        if (format < 1 || format > FORMAT) {
            throw new IOException("drift monitor state format " + format + " is unknown (expected 1 to " + FORMAT + ")");
        }
        if (format == 1) {
            int version = in.readUnsignedByte();
            if (version != 1) {
                throw new IOException("drift monitor state of format 1 begins with " + version + ", not 1");
            }
        }
        String service = in.readUTF();
        DriftMonitor m = new DriftMonitor(service, Signal.valueOf(in.readUTF()));
        m.horizon = in.readLong();
        m.investigating = in.readBoolean();
        for (int i = in.readInt(); i > 0; i--) {
            m.standing.add(in.readUTF());
        }
        for (int p = in.readInt(); p > 0; p--) {
            long start = in.readLong();
            Map<Slice, DriftStats> pane = new HashMap<>();
            for (int s = in.readInt(); s > 0; s--) {
                pane.put(Slice.parse(in.readUTF()), DriftStats.readFrom(in));
            }
            m.panes.put(start, pane);
        }
        return m;
    }
}
