package io.speechslo.scorecard;

import io.speechslo.aggregate.SlicePane;
import io.speechslo.cost.CostShares;
import io.speechslo.drift.AudioFeature;
import io.speechslo.drift.DriftStats;
import io.speechslo.drift.FeatureHistogram;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.Track;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SLICE scorecards of one service and signal over one slice pane: per track and model version, one
 * for the whole service and one for every slice of one and two dimensions that had traffic, each
 * carrying every request SLI of the model, serving, privacy and cost views under its fixed name. The
 * full slices' panes are merged exactly (sums add, sketch bins add), so a value is the same however
 * the requests were split; ratios are sums over sums, never averages of ratios. A value nothing was
 * measured for is null with 0 samples. A SHADOW track's scorecards carry its cost only
 * ({@code shadow_cost_usd}): shadow traffic is never user-facing. ASR scorecards also carry, per audio
 * feature, the population stability index of the window's histogram against the slice's trailing
 * baseline ({@code psi_<feature>}, the drift policy's baseline, 24 h by default).
 */
public final class SliceScorecards {

    private static final double[] P50_P95_P99 = {0.50, 0.95, 0.99};

    /** Slices of up to this many dimensions get a scorecard of their own (the whole service included). */
    public static final int MAX_DIMENSIONS = 2;

    /** One full slice's closed pane. */
    public record Pane(Track track, String version, Slice fullSlice, SlicePane pane) {}

    /** A cohort's sums: the gate's metrics, the views' request stats and the audio histograms. */
    private static final class Cohort {
        final MetricSet metrics;
        final RequestStats requests = new RequestStats();
        final DriftStats drift = new DriftStats();

        Cohort(Signal signal) {
            metrics = new MetricSet(signal);
        }

        void merge(SlicePane p) {
            // the latency components only explain gate findings; the views read theirs from the request stats
            metrics.mergeJudged(p.metrics());
            requests.merge(p.requestStats());
            drift.merge(p.drift());
        }
    }

    private record Cut(Track track, String version) {}

    private static final Comparator<Cut> CUT_ORDER = Comparator.<Cut, Track>comparing(Cut::track)
            .thenComparing(Cut::version);

    private SliceScorecards() {}

    /**
     * The scorecards of the panes of {@code [windowStart, windowEnd)}, ordered by track, version and slice.
     *
     * @param baseline each slice's trailing audio histograms (rolled up to {@link #MAX_DIMENSIONS}); a
     *        slice it lacks has no PSI (null)
     */
    public static List<Scorecard> of(String service, Signal signal, long windowStart, long windowEnd,
            List<Pane> panes, Map<Slice, DriftStats> baseline) {
        return of(service, signal, windowStart, windowEnd, panes, baseline, null);
    }

    /**
     * What else reads a window's cohorts once they are merged: per track and version, the whole service
     * and its one-dimension slices of {@code dimension}, keyed by value, and the cut's cost shares (merged
     * once per pane, never per cohort: only the whole service's are read).
     */
    public interface CohortSink {
        void accept(Track track, String version, MetricSet metrics, RequestStats requests,
                Map<String, MetricSet> byValue, CostShares costs);

        /** The dimension whose one-dimension slices {@link #accept} receives. */
        String dimension();
    }

    /** As {@link #of(String, Signal, long, long, List, Map)}, handing every cut's cohorts to {@code sink} too. */
    public static List<Scorecard> of(String service, Signal signal, long windowStart, long windowEnd,
            List<Pane> panes, Map<Slice, DriftStats> baseline, CohortSink sink) {
        Map<Cut, Map<Slice, Cohort>> cuts = new TreeMap<>(CUT_ORDER);
        Map<Cut, CostShares> costs = sink == null ? null : new HashMap<>();
        for (Pane p : panes) {
            Cut at = new Cut(p.track(), p.version());
            Map<Slice, Cohort> slices = cuts.computeIfAbsent(at, c -> new HashMap<>());
            if (costs != null && !p.pane().costShares().isEmpty()) {
                costs.computeIfAbsent(at, c -> new CostShares()).merge(p.pane().costShares());
            }
            Slice full = p.fullSlice();
            for (int mask = 0; mask < (1 << full.size()); mask++) {
                if (Integer.bitCount(mask) <= MAX_DIMENSIONS) {
                    slices.computeIfAbsent(full.project(mask), s -> new Cohort(signal)).merge(p.pane());
                }
            }
        }
        if (sink != null) {
            cuts.forEach((cut, slices) -> {
                Map<String, MetricSet> byValue = new TreeMap<>();
                slices.forEach((slice, cohort) -> {
                    if (slice.size() == 1 && slice.dimension(0).equals(sink.dimension())) {
                        byValue.put(slice.value(0), cohort.metrics);
                    }
                });
                Cohort whole = slices.get(Slice.ALL);
                sink.accept(cut.track(), cut.version(), whole.metrics, whole.requests, byValue,
                        costs.getOrDefault(cut, new CostShares()));
            });
        }
        List<Scorecard> out = new ArrayList<>();
        cuts.forEach((cut, slices) -> new TreeMap<>(slices).forEach((slice, cohort) -> out.add(Scorecard.newBuilder()
                .setKind(ScorecardKind.SLICE)
                .setService(service)
                .setSignal(signal.name())
                .setModelVersion(cut.version())
                .setTrack(cut.track().name())
                .setSlice(new java.util.LinkedHashMap<>(slice.toMap()))
                .setWindowStart(windowStart)
                .setWindowEnd(windowEnd)
                .setValues(cut.track() == Track.SHADOW ? shadowValues(cohort.requests)
                        : values(signal, cohort.metrics, cohort.requests, cohort.drift, baseline.get(slice)))
                .build())));
        return out;
    }

    /** The metric names of a SLICE scorecard of {@code signal} on a user-facing track, in order. */
    public static List<String> names(Signal signal) {
        return ScorecardValues.names(values(signal, new MetricSet(signal), new RequestStats(), new DriftStats(), null));
    }

    /** The metric names of a SHADOW scorecard. */
    public static List<String> shadowNames() {
        return ScorecardValues.names(shadowValues(new RequestStats()));
    }

    static List<ScorecardValue> values(Signal signal, MetricSet m, RequestStats s, DriftStats now, DriftStats before) {
        ScorecardValues v = new ScorecardValues();
        long requests = s.requests();
        v.count("requests", requests, requests);
        if (signal == Signal.ASR) {
            // model
            v.metric("wer", m, Metric.WER);
            v.ratio("cer", s.count(RequestStats.CHAR_ERRORS), s.count(RequestStats.REF_CHARS),
                    s.count(RequestStats.CER_REQUESTS));
            v.metric("entity_error_rate", m, Metric.ENTITY_ERROR_RATE);
            v.ratio("confidence_mean", s.sum(RequestStats.CONFIDENCE), s.count(RequestStats.CONFIDENCE_REQUESTS),
                    s.count(RequestStats.CONFIDENCE_REQUESTS));
            v.ratio("correction_rate", s.count(RequestStats.CORRECTED), s.count(RequestStats.CORRECTION_REQUESTS),
                    s.count(RequestStats.CORRECTION_REQUESTS));
            v.metric("partial_churn", m, Metric.PARTIAL_CHURN);
            for (AudioFeature f : AudioFeature.values()) {
                FeatureHistogram h = now.histogram(f);
                v.value("psi_" + f.id(), before == null ? Double.NaN : h.psi(before.histogram(f)), h.count());
            }
            // serving
            v.metric("timeout_rate", m, Metric.ASR_TIMEOUT_RATE);
            v.metric("error_rate", m, Metric.ASR_ERROR_RATE);
            v.latencies("first_partial", m.sketch(Metric.FIRST_PARTIAL_P95_MS), P50_P95_P99);
            v.latencies("finalization", m.sketch(Metric.FINALIZATION_P99_MS), P50_P95_P99);
            serving(v, s);
            v.latencies("preprocess", s.sketch(RequestStats.PREPROCESS), 0.50, 0.95);
            v.ratio("batch_size_mean", s.count(RequestStats.BATCH_SUM), s.count(RequestStats.BATCHED),
                    s.count(RequestStats.BATCHED));
            rates(v, s);
            // privacy
            v.metric("sensitive_logging_rate", m, Metric.SENSITIVE_LOGGING_RATE);
            v.ratio("raw_audio_retained_rate", s.count(RequestStats.RAW_AUDIO_RETAINED), requests, requests);
            v.ratio("redaction_failed_rate", s.count(RequestStats.REDACTION_FAILED), requests, requests);
            // cost
            v.metric("cost_per_audio_minute", m, Metric.COST_PER_AUDIO_MINUTE);
        } else {
            // model
            v.metric("preference", m, Metric.PREFERENCE);
            v.metric("interruption_rate", m, Metric.INTERRUPTION_RATE);
            v.metric("abandonment_rate", m, Metric.ABANDONMENT_RATE);
            // serving
            v.metric("timeout_rate", m, Metric.TTS_TIMEOUT_RATE);
            v.metric("error_rate", m, Metric.TTS_ERROR_RATE);
            v.latencies("first_audio", m.sketch(Metric.FIRST_AUDIO_P95_MS), P50_P95_P99);
            v.latencies("chunk_gap", m.sketch(Metric.CHUNK_GAP_P95_MS), 0.95);
            v.metric("underrun_rate", m, Metric.UNDERRUN_RATE);
            serving(v, s);
            rates(v, s);
            // privacy
            v.metric("sensitive_logging_rate", m, Metric.TTS_SENSITIVE_LOGGING_RATE);
            // cost
            v.metric("cost_per_generated_second", m, Metric.COST_PER_GENERATED_SECOND);
            v.ratio("cache_hit_rate", s.count(RequestStats.CACHE_HITS), requests, requests);
        }
        v.ratio("cost_usd", s.sum(RequestStats.COST), 1, s.count(RequestStats.COSTED));
        v.ratio("retry_waste_usd", s.sum(RequestStats.RETRY_WASTE), 1, s.count(RequestStats.COSTED));
        return v.values();
    }

    /** Where a request's time went: waiting in the queue, and in the model. */
    private static void serving(ScorecardValues v, RequestStats s) {
        v.latencies("queue", s.sketch(RequestStats.QUEUE), P50_P95_P99);
        v.latencies("model", s.sketch(RequestStats.MODEL), P50_P95_P99);
    }

    private static void rates(ScorecardValues v, RequestStats s) {
        long requests = s.requests();
        v.ratio("retry_rate", s.count(RequestStats.RETRIED), requests, requests);
        v.ratio("fallback_rate", s.count(RequestStats.FALLBACK), requests, requests);
    }

    static List<ScorecardValue> shadowValues(RequestStats s) {
        ScorecardValues v = new ScorecardValues();
        v.count("requests", s.requests(), s.requests());
        v.ratio("shadow_cost_usd", s.sum(RequestStats.COST), 1, s.count(RequestStats.COSTED));
        return v.values();
    }
}
