package io.speechslo.console;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Finding;
import io.speechslo.console.ScorecardStore.Series;
import io.speechslo.console.ScorecardStore.SeriesKey;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.BurnAlert;
import io.speechslo.policy.Durations;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.scorecard.Incident;
import io.speechslo.scorecard.RolloutStage;
import io.speechslo.scorecard.ScorecardKind;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The five decision views and the rollout page, built from the store as {@link Blocks}. Over a time
 * range, counts are summed, ratios are weighted by their samples (exact for rates over requests, a close
 * reading for WER, whose denominator is words), quantiles are shown as their newest and worst minute
 * (a quantile of minutes cannot be merged from their quantiles).
 */
final class Views {

    static final List<String> VIEWS = List.of("executive", "model", "serving", "privacy", "cost");

    private static final List<String> MODEL_ASR = List.of("wer", "cer", "entity_error_rate", "confidence_mean",
            "correction_rate", "partial_churn");
    private static final List<String> MODEL_TTS = List.of("preference", "interruption_rate", "abandonment_rate");
    private static final List<String> LATENCY_ASR = List.of("first_partial_p95_ms", "queue_p95_ms",
            "preprocess_p95_ms", "model_p95_ms", "finalization_p95_ms");
    private static final List<String> LATENCY_TTS = List.of("first_audio_p95_ms", "queue_p95_ms",
            "preprocess_p95_ms", "model_p95_ms", "chunk_gap_p95_ms");
    private static final List<String> SERVING_RATES = List.of("timeout_rate", "error_rate", "retry_rate",
            "fallback_rate");
    private static final List<String> POOL = List.of("gpu_util_mean", "gpu_mem_used_ratio_max", "autoscaler_lag_s",
            "queue_depth_max", "ready_replicas_min", "desired_replicas_max", "warm_pool_size_min");
    private static final List<String> PRIVACY_RATES = List.of("sensitive_logging_rate", "raw_audio_retained_rate",
            "redaction_failed_rate");
    private static final List<String> PRIVACY_COUNTS = List.of("raw_audio_accesses", "raw_audio_accesses_debugging",
            "raw_audio_accesses_labelling", "raw_audio_accesses_review", "reviews_opted_in", "reviews_without_opt_in",
            "retention_due", "retention_overdue", "redaction_failed_events", "fixture_runs");

    private final ScorecardStore.View store;
    private final Policies policies;

    Views(ScorecardStore.View store, Policies policies) {
        this.store = store;
        this.policies = policies;
    }

    /** The filters resolved against the data: a known service, version and dimension, and the time range. */
    record Scope(String service, Signal signal, String version, String dim, long from, long to, List<String> services,
            List<String> versions, List<String> dims) {}

    Scope scope(ConsoleQuery q) {
        List<String> services = store.services();
        if (services.isEmpty()) {
            return null;
        }
        String service = q.service() == null ? services.get(0) : q.service();
        if (!services.contains(service)) {
            throw new ConsoleQuery.NotFound("no service '" + service + "' in the advisories or scorecards read so far"
                    + " (services: " + String.join(", ", services) + ")");
        }
        List<String> versions = store.versions(service);
        if (q.version() != null && !versions.contains(q.version())) {
            throw new ConsoleQuery.NotFound("service '" + service + "' has no model version '" + q.version()
                    + "' in the data read so far (versions: " + String.join(", ", versions) + ")");
        }
        String sig = store.signal(service);
        Signal signal = sig == null ? null : Signal.parse(sig);
        List<String> dims = signal == null ? List.of() : signal.sliceDimensions();
        if (q.dim() != null && !dims.contains(q.dim())) {
            throw new ConsoleQuery.BadRequest("query parameter 'dim' must be one of " + dims + " for service '"
                    + service + "', got '" + q.dim() + "'");
        }
        String dim = q.dim() != null ? q.dim() : dims.isEmpty() ? null : dims.contains("region") ? "region" : dims.get(0);
        long to = q.end() == null ? store.latest() : q.end().toEpochMilli();
        return new Scope(service, signal, q.version(), dim, to - q.range().toMillis(), to, services, versions, dims);
    }

    /** The JSON a page draws: its filters' choices, the data's time, and its blocks. */
    ObjectNode page(String view, Scope s, Blocks blocks, String title) {
        ObjectNode out = Blocks.JSON.createObjectNode();
        out.put("view", view).put("title", title);
        if (s != null) {
            out.put("service", s.service()).put("version", s.version()).put("dim", s.dim())
                    .put("from", Instant.ofEpochMilli(s.from()).toString()).put("to", Instant.ofEpochMilli(s.to()).toString());
            out.putArray("services").addAll(s.services().stream().map(Blocks.JSON.getNodeFactory()::textNode).toList());
            out.putArray("versions").addAll(s.versions().stream().map(Blocks.JSON.getNodeFactory()::textNode).toList());
            out.putArray("dims").addAll(s.dims().stream().map(Blocks.JSON.getNodeFactory()::textNode).toList());
        }
        out.set("blocks", blocks.json());
        return out;
    }

    ObjectNode view(String view, ConsoleQuery q) {
        Scope s = scope(q);
        Blocks b = new Blocks();
        if (s == null) {
            b.note("no-data", "No scorecards or advisories read yet. The page fills in as soon as the job publishes.", "info");
            return page(view, null, b, title(view));
        }
        switch (view) {
            case "executive" -> executive(s, b);
            case "model" -> model(s, b);
            case "serving" -> serving(s, b);
            case "privacy" -> privacy(s, b);
            case "cost" -> cost(s, b);
            default -> throw new ConsoleQuery.NotFound("no view '" + view + "'");
        }
        return page(view, s, b, title(view));
    }

    static String title(String view) {
        return switch (view) {
            case "executive" -> "Executive: SLOs, error budgets, incidents, rollouts";
            case "model" -> "Model: quality per version and slice, drift";
            case "serving" -> "Serving: latency split, queues, pools";
            case "privacy" -> "Privacy: audio access, retention, redaction, reviews";
            case "cost" -> "Cost: per audio minute, waste, GPU";
            default -> view;
        };
    }

    // ---------------------------------------------------------------- executive

    private void executive(Scope s, Blocks b) {
        Blocks.Table overview = b.table("services", "Services", "service|Service", "budget|Lowest budget left",
                "incidents|Open incidents", "rollouts|Rollouts under way", "last|Last advisory");
        for (String svc : s.services()) {
            double lowest = Double.NaN;
            int open = 0;
            int budget = store.metric("budget_remaining");
            for (Series ser : store.series(svc, k -> k.kind() == ScorecardKind.SLO && k.slice().isEmpty())) {
                if (ser.rows() > 0 && ser.lastEnd() > s.from()) {
                    double v = ser.value(ser.rows() - 1, budget);
                    lowest = Double.isNaN(lowest) ? v : Math.min(lowest, v);
                    open += ser.lastEnd() >= store.latest() - 120_000 ? ser.incidents().size() : 0;
                }
            }
            long rollouts = store.series(svc, k -> k.kind() == ScorecardKind.ROLLOUT).stream()
                    .filter(r -> r.lastEnd() > s.from() && r.stage() != null).count();
            List<Advisory> adv = store.advisories(svc);
            Advisory last = adv.isEmpty() ? null : adv.get(adv.size() - 1);
            overview.row(svc).link("service", svc, "/executive?service=" + svc)
                    .put("budget", Blocks.percent(lowest), budgetClass(lowest))
                    .put("incidents", Integer.toString(open), open > 0 ? "bad" : "good")
                    .put("rollouts", Long.toString(rollouts))
                    .put("last", last == null ? "none" : last.getKind() + " " + last.getDecision() + " at " + time(last.getWindowEnd()));
        }

        Blocks.Table slos = b.table("slos", "SLOs of " + s.service() + " (newest minute; per version: choose one)", "slo|SLO", "version|Version",
                "slice|Slice", "sli|SLI", "objective|Objective", "budget|Budget left", "burn|Burn rates",
                "incident|Incident", "impact|Bad requests 1h", "affected|Affected share 1h");
        Blocks.Table incidents = b.table("incidents", "Active incidents", "slo|SLO", "version|Version", "slice|Slice",
                "decision|Decision", "since|Since");
        incidents.empty("No incident open.");
        int sli = store.metric("sli");
        int objective = store.metric("objective");
        int budget = store.metric("budget_remaining");
        // With no version chosen, an SLO kept service-wide shows that row only; per version when chosen.
        List<Series> sloSeries = store.series(s.service(), k -> k.kind() == ScorecardKind.SLO && matches(s, k));
        java.util.Set<String> serviceWide = new java.util.HashSet<>();
        for (Series ser : sloSeries) {
            if (ser.key.version() == null && ser.lastEnd() > s.from()) {
                serviceWide.add(ser.key.slo());
            }
        }
        for (Series ser : sloSeries) {
            if (s.version() == null && ser.key.version() != null && serviceWide.contains(ser.key.slo())) {
                continue;
            }
            int r = ser.rows() - 1;
            if (r < 0 || ser.end(r) <= s.from()) {
                continue;
            }
            boolean current = ser.end(r) >= store.latest() - 120_000;
            StringBuilder burns = new StringBuilder();
            for (String w : windows(s, ser.key.slo())) {
                double v = ser.value(r, store.metric("burn_rate_" + w));
                if (!Double.isNaN(v)) {
                    burns.append(burns.length() == 0 ? "" : " · ").append(w).append(' ').append(Blocks.metric("burn_rate_", v));
                }
            }
            String incident = ser.incidents().isEmpty() || !current ? "none"
                    : ser.incidents().get(0).getDecision() + " since " + time(ser.incidents().get(0).getSince());
            boolean timeslices = ser.value(r, store.metric("bad_timeslices_1h")) >= 0;
            String key = ser.key.slo() + "|" + nz(ser.key.version()) + "|" + ser.key.sliceLabel();
            slos.row(key).put("slo", ser.key.slo()).put("version", ser.key.version() == null ? "all" : ser.key.version())
                    .put("slice", ser.key.slice().isEmpty() ? "whole service" : ser.key.sliceLabel())
                    .put("sli", Blocks.metric("sli", ser.value(r, sli)))
                    .put("objective", Blocks.metric("objective", ser.value(r, objective)))
                    .put("budget", Blocks.metric("budget_remaining", ser.value(r, budget)), budgetClass(ser.value(r, budget)))
                    .put("burn", burns.toString())
                    .put("incident", incident, incident.startsWith("PAGE") ? "bad" : incident.startsWith("TICKET") ? "warn" : "")
                    .put("impact", timeslices
                            ? Blocks.number(ser.value(r, store.metric("bad_timeslices_1h"))) + " bad minutes"
                            : Blocks.number(ser.value(r, store.metric("bad_requests_1h"))))
                    .put("affected", Blocks.percent(timeslices ? ser.value(r, store.metric("bad_timeslice_share_1h"))
                            : ser.value(r, store.metric("affected_share_1h"))));
            if (current) {
                for (Incident i : ser.incidents()) {
                    incidents.row(key + "|" + i.getDecision()).put("slo", ser.key.slo())
                            .put("version", ser.key.version() == null ? "all" : ser.key.version())
                            .put("slice", ser.key.slice().isEmpty() ? "whole service" : ser.key.sliceLabel())
                            .put("decision", i.getDecision(), i.getDecision().equals("PAGE") ? "bad" : "warn")
                            .put("since", time(i.getSince()));
                }
            }
        }
        slos.empty("No SLO scorecard in this range.");
        pageHints(s, b);

        rolloutsTable(s, b);

        // Burn rate against its thresholds, and the budget burn-down, per SLO of the whole service.
        Blocks.Chart budgetChart = b.chart("budget-chart", "Error budget left (whole service)", "share");
        for (Series ser : store.series(s.service(), k -> k.kind() == ScorecardKind.SLO && k.slice().isEmpty()
                && same(k.version(), s.version()))) {
            budgetChart.line(ser.key.slo(), ser, budget, s.from(), s.to());
            Blocks.Chart burn = b.chart("burn-" + ser.key.slo(), "Burn rate: " + ser.key.slo()
                    + (ser.key.version() == null ? "" : " (" + ser.key.version() + ")"), "× budget");
            for (String w : windows(s, ser.key.slo())) {
                burn.line(w, ser, store.metric("burn_rate_" + w), s.from(), s.to());
            }
            SloDefinition def = slo(s, ser.key.slo());
            if (def != null && burn.hasData()) {
                for (BurnAlert a : def.alerts()) {
                    burn.threshold(a.name() + " ≥ " + Blocks.number(a.factor()), a.factor());
                }
            }
            burn.done();
        }
        budgetChart.done();

        advisoryTable(b, "advisories", "Advisories", s, a -> true, 30);
    }

    private void rolloutsTable(Scope s, Blocks b) {
        Blocks.Table t = b.table("rollouts", "Rollouts", "candidate|Candidate", "baseline|Baseline", "since|Since",
                "share|Canary share", "decision|Decision", "promotable|Promotable", "decided|Decided at");
        Map<String, Advisory> lastRollout = new HashMap<>();
        for (Advisory a : store.advisories(s.service())) {
            if (a.getKind() == AdvisoryKind.ROLLOUT && a.getModelVersion() != null) {
                lastRollout.put(a.getModelVersion(), a);
            }
        }
        t.empty("No rollout under way in this range.");
        for (Series r : store.series(s.service(), k -> k.kind() == ScorecardKind.ROLLOUT && matches(s, k))) {
            RolloutStage st = r.stage();
            if (st == null || r.lastEnd() <= s.from()) {
                continue;
            }
            String decision = st.getDecision() == null ? "none yet" : st.getDecision();
            t.row(st.getCandidate()).link("candidate", st.getCandidate(), "/rollouts/" + s.service() + "/" + st.getCandidate())
                    .put("baseline", nz(st.getBaseline())).put("since", time(st.getSince()))
                    .put("share", st.getCanaryShare() == null ? "n/a" : Blocks.percent(st.getCanaryShare()))
                    .put("decision", decision, decisionClass(decision))
                    .put("promotable", lastRollout.containsKey(st.getCandidate())
                            ? (lastRollout.get(st.getCandidate()).getPromotable() ? "yes" : "no") : "")
                    .put("decided", st.getDecidedAt() == null ? "" : time(st.getDecidedAt()));
        }
    }

    // ---------------------------------------------------------------- model

    private void model(Scope s, Blocks b) {
        List<String> metrics = s.signal() == Signal.TTS ? MODEL_TTS : MODEL_ASR;
        List<Series> whole = slices(s, k -> k.slice().isEmpty() && !"SHADOW".equals(k.track()));
        summaryTable(b, "model-versions", "Quality per version and track (over the range)", s, whole, metrics);
        // Drift: the newest and the largest PSI of each audio feature against the trailing 24 h.
        List<String> features = new ArrayList<>();
        for (io.speechslo.drift.AudioFeature f : io.speechslo.drift.AudioFeature.values()) {
            if (store.metric("psi_" + f.id()) >= 0) {
                features.add(f.id());
            }
        }
        Blocks.Table drift = b.table("drift", "Input drift: PSI against the trailing 24 h (whole service)",
                "series|Version (track)", "feature|Feature", "latest|Newest", "max|Largest in range");
        drift.empty("No drift figures in this range.");
        for (Series ser : whole) {
            for (String f : features) {
                int m = store.metric("psi_" + f);
                double[] last = Agg.last(ser, m, s.from(), s.to());
                if (!Double.isNaN(last[0])) {
                    double max = Agg.max(ser, m, s.from(), s.to());
                    drift.row(label(ser.key) + "|" + f).put("series", label(ser.key)).put("feature", f)
                            .put("latest", Blocks.number(last[0]), last[0] >= 0.25 ? "bad" : last[0] >= 0.1 ? "warn" : "")
                            .put("max", Blocks.number(max), max >= 0.25 ? "bad" : max >= 0.1 ? "warn" : "");
                }
            }
        }
        sliceTable(b, "model-slices", s, metrics);
        heatmap(b, s);
        // the time charts after the tables a person reads first (they sit together where the first one is)
        for (String m : metrics) {
            lineChart(b, "chart-" + m, m + " (whole service)", m, whole, s);
        }
        advisoryTable(b, "drift-advisories", "Drift and quality advisories", s,
                a -> a.getKind() == AdvisoryKind.DRIFT || a.getKind() == AdvisoryKind.BURN_RATE, 20);
    }

    /**
     * Relative WER change per language and acoustic condition: the canary against stable over the range
     * when a canary ran; otherwise the newest quarter of the range against the rest.
     */
    private void heatmap(Blocks b, Scope s) {
        if (s.signal() != Signal.ASR) {
            return;
        }
        String rowDim = "language";
        String colDim = "acoustic_condition";
        int wer = store.metric("wer");
        List<Series> cells = slices(s, k -> k.slice().size() == 2 && k.slice().containsKey(rowDim)
                && k.slice().containsKey(colDim));
        boolean canary = cells.stream().anyMatch(c -> "CANARY".equals(c.key.track()));
        TreeSet<String> rows = new TreeSet<>();
        TreeSet<String> cols = new TreeSet<>();
        Map<String, double[]> num = new HashMap<>();
        Map<String, double[]> den = new HashMap<>();
        long split = s.to() - (s.to() - s.from()) / 4;
        for (Series c : cells) {
            String cell = c.key.slice().get(rowDim) + "\u0000" + c.key.slice().get(colDim);
            rows.add(c.key.slice().get(rowDim));
            cols.add(c.key.slice().get(colDim));
            if (canary) {
                if ("CANARY".equals(c.key.track())) {
                    Agg.addWeighted(num.computeIfAbsent(cell, k -> new double[2]), c, wer, s.from(), s.to());
                } else if ("STABLE".equals(c.key.track())) {
                    Agg.addWeighted(den.computeIfAbsent(cell, k -> new double[2]), c, wer, s.from(), s.to());
                }
            } else if ("STABLE".equals(c.key.track())) {
                Agg.addWeighted(num.computeIfAbsent(cell, k -> new double[2]), c, wer, split, s.to());
                Agg.addWeighted(den.computeIfAbsent(cell, k -> new double[2]), c, wer, s.from(), split);
            }
        }
        Map<String, double[]> change = new HashMap<>();
        for (Map.Entry<String, double[]> e : num.entrySet()) {
            double[] d = den.get(e.getKey());
            double[] n = e.getValue();
            if (d != null && n[1] > 0 && d[1] > 0 && d[0] > 0) {
                change.put(e.getKey(), new double[] {(n[0] / n[1]) / (d[0] / d[1]) - 1, Math.min(n[1], d[1])});
            }
        }
        b.heatmap("wer-heatmap", "Relative WER change by language and acoustic condition", new ArrayList<>(rows),
                new ArrayList<>(cols), change, canary ? "canary against stable over the range (labelled requests weighted)"
                        : "newest quarter of the range against the rest (no canary in range)");
    }

    // ---------------------------------------------------------------- serving

    private void serving(Scope s, Blocks b) {
        List<String> latency = s.signal() == Signal.TTS ? LATENCY_TTS : LATENCY_ASR;
        List<Series> whole = slices(s, k -> k.slice().isEmpty() && !"SHADOW".equals(k.track()));
        for (Series ser : whole) {
            Blocks.Chart c = b.chart("latency-" + id(label(ser.key)), "Latency p95 split: " + label(ser.key), "ms");
            for (String m : latency) {
                c.line(m.replace("_p95_ms", ""), ser, store.metric(m), s.from(), s.to());
            }
            c.done();
        }
        Blocks.Table t = b.table("serving-versions", "Per version and track (newest minute / worst minute in range)",
                headers("series|Version (track)", "requests|Requests", latency, SERVING_RATES, List.of("batch_size_mean")));
        for (Series ser : whole) {
            Blocks.Row r = t.row(label(ser.key)).put("series", label(ser.key))
                    .put("requests", Blocks.count((long) Agg.sum(ser, store.metric("requests"), s.from(), s.to())));
            quantileCells(r, ser, latency, s);
            rateCells(r, ser, SERVING_RATES, s);
            double[] batch = Agg.weighted(ser, store.metric("batch_size_mean"), s.from(), s.to());
            r.put("batch_size_mean", Blocks.number(batch[0]));
        }
        t.empty("No serving figures in this range.");
        // Which region, device or language: the slice table by the chosen dimension.
        Blocks.Table sl = b.table("serving-slices", "By " + s.dim() + " (worst minute p95 in range)",
                headers("slice|" + s.dim(), "series|Version (track)", "requests|Requests", latency, SERVING_RATES, List.of()));
        for (Series ser : slices(s, k -> k.slice().size() == 1 && k.slice().containsKey(s.dim())
                && !"SHADOW".equals(k.track()))) {
            Blocks.Row r = sl.row(ser.key.slice().get(s.dim()) + "|" + label(ser.key)).put("slice", ser.key.slice().get(s.dim()))
                    .put("series", label(ser.key))
                    .put("requests", Blocks.count((long) Agg.sum(ser, store.metric("requests"), s.from(), s.to())));
            for (String m : latency) {
                r.put(m, Blocks.metric(m, Agg.max(ser, store.metric(m), s.from(), s.to())));
            }
            rateCells(r, ser, SERVING_RATES, s);
        }
        sl.empty("No slice of " + s.dim() + " in this range.");

        List<Series> pools = store.series(s.service(), k -> k.kind() == ScorecardKind.SERVING && matches(s, k));
        Blocks.Table pt = b.table("pools", "Serving pools (newest sample minute)",
                headers("pool|Pool", "version|Version", "", POOL, List.of(), List.of()));
        pt.empty("No serving samples in this range (speech.serving.samples).");
        Blocks.Chart gpu = b.chart("gpu-chart", "GPU utilization per pool", "share");
        Blocks.Chart lag = b.chart("autoscaler-chart", "Autoscaler lag per pool", "s");
        for (Series p : pools) {
            double[] any = Agg.last(p, store.metric("gpu_util_mean"), s.from(), s.to());
            if (Double.isNaN(any[0]) && Agg.count(p, s.from(), s.to()) == 0) {
                continue;
            }
            String pool = p.key.slice().getOrDefault("pool", "?");
            Blocks.Row r = pt.row(pool + "|" + nz(p.key.version())).put("pool", pool).put("version", nz(p.key.version()));
            for (String m : POOL) {
                double v = Agg.last(p, store.metric(m), s.from(), s.to())[0];
                r.put(m, Blocks.metric(m, v), m.equals("gpu_util_mean") && v > 0.9 ? "warn" : "");
            }
            gpu.line(pool + " (" + nz(p.key.version()) + ")", p, store.metric("gpu_util_mean"), s.from(), s.to());
            lag.line(pool + " (" + nz(p.key.version()) + ")", p, store.metric("autoscaler_lag_s"), s.from(), s.to());
        }
        gpu.done();
        lag.done();
    }

    // ---------------------------------------------------------------- privacy

    private void privacy(Scope s, Blocks b) {
        List<Series> events = store.series(s.service(), k -> k.kind() == ScorecardKind.PRIVACY && matches(s, k));
        Blocks.Figures f = b.figures("privacy-figures", "Privacy events over the range");
        Map<String, Double> totals = new LinkedHashMap<>();
        for (String m : PRIVACY_COUNTS) {
            double sum = 0;
            for (Series e : events) {
                sum += Agg.sum(e, store.metric(m), s.from(), s.to());
            }
            totals.put(m, sum);
        }
        double coverage = Double.NaN;
        for (Series e : events) {
            double c = Agg.last(e, store.metric("fixture_coverage"), s.from(), s.to())[0];
            coverage = Double.isNaN(c) ? coverage : Double.isNaN(coverage) ? c : Math.min(coverage, c);
        }
        for (Map.Entry<String, Double> e : totals.entrySet()) {
            String cls = (e.getKey().equals("reviews_without_opt_in") || e.getKey().equals("retention_overdue")
                    || e.getKey().equals("redaction_failed_events")) ? (e.getValue() > 0 ? "bad" : "good") : "";
            f.add(e.getKey(), e.getKey(), Blocks.number(e.getValue()), "", cls);
        }
        f.add("fixture_coverage", "fixture_coverage", Blocks.percent(coverage), "newest, lowest version", "");
        if (totals.get("reviews_without_opt_in") > 0) {
            b.note("privacy-finding", "Privacy finding: " + Blocks.number(totals.get("reviews_without_opt_in"))
                    + " reviews of audio without the speaker's opt-in in this range. Stop the reviews and investigate.", "bad");
        }
        Blocks.Table per = b.table("privacy-versions", "Privacy events per version (over the range)",
                headers("version|Version", "", "", PRIVACY_COUNTS, List.of(), List.of()));
        per.empty("No privacy events in this range (speech.privacy.events).");
        for (Series e : events) {
            if (Agg.count(e, s.from(), s.to()) == 0) {
                continue;
            }
            String version = e.key.version() == null ? "service-wide" : e.key.version();
            Blocks.Row r = per.row(version).put("version", version);
            for (String m : PRIVACY_COUNTS) {
                double v = Agg.sum(e, store.metric(m), s.from(), s.to());
                r.put(m, Blocks.number(v), m.equals("reviews_without_opt_in") && v > 0 ? "bad" : "");
            }
        }
        List<Series> whole = slices(s, k -> k.slice().isEmpty() && !"SHADOW".equals(k.track()));
        summaryTable(b, "privacy-rates", "Request privacy rates per version and track (over the range)", s, whole, PRIVACY_RATES);
        sliceTable(b, "privacy-slices", s, PRIVACY_RATES);
        for (String m : PRIVACY_RATES) {
            lineChart(b, "chart-" + m, m + " (whole service)", m, whole, s);
        }
    }

    // ---------------------------------------------------------------- cost

    private void cost(Scope s, Blocks b) {
        String unit = s.signal() == Signal.TTS ? "cost_per_generated_second" : "cost_per_audio_minute";
        List<Series> whole = slices(s, k -> k.slice().isEmpty());
        Blocks.Table t = b.table("cost-versions", "Cost per version and track (over the range)",
                "series|Version (track)", "requests|Requests", "cost_usd|Cost", unit + "|" + unit.replace('_', ' '),
                "retry_waste_usd|Retry waste", "shadow_cost_usd|Shadow cost", "cache_hit_rate|Cache hit rate");
        double total = 0;
        double waste = 0;
        double shadow = 0;
        for (Series ser : whole) {
            double cost = Agg.sum(ser, store.metric("cost_usd"), s.from(), s.to());
            double w = Agg.sum(ser, store.metric("retry_waste_usd"), s.from(), s.to());
            double sh = Agg.sum(ser, store.metric("shadow_cost_usd"), s.from(), s.to());
            total += cost;
            waste += w;
            shadow += sh;
            t.row(label(ser.key)).put("series", label(ser.key))
                    .put("requests", Blocks.count((long) Agg.sum(ser, store.metric("requests"), s.from(), s.to())))
                    .put("cost_usd", Blocks.metric("cost_usd", cost))
                    .put(unit, Blocks.metric(unit, Agg.weighted(ser, store.metric(unit), s.from(), s.to())[0]))
                    .put("retry_waste_usd", Blocks.metric("retry_waste_usd", w))
                    .put("shadow_cost_usd", Blocks.metric("shadow_cost_usd", sh))
                    .put("cache_hit_rate", Blocks.percent(Agg.weighted(ser, store.metric("cache_hit_rate"), s.from(), s.to())[0]));
        }
        t.empty("No cost figures in this range.");
        double gpu = Double.NaN;
        double[] g = new double[2];
        for (Series p : store.series(s.service(), k -> k.kind() == ScorecardKind.SERVING && matches(s, k))) {
            Agg.addWeighted(g, p, store.metric("gpu_util_mean"), s.from(), s.to());
        }
        if (g[1] > 0) {
            gpu = g[0] / g[1];
        }
        b.figures("cost-figures", "Over the range")
                .add("total", "Total cost (user-facing)", Blocks.metric("cost_usd", total), "", "")
                .add("waste", "Retry and failure waste", Blocks.metric("retry_waste_usd", waste),
                        total > 0 ? Blocks.percent(waste / total) + " of the cost" : "", waste > 0.1 * total && total > 0 ? "warn" : "")
                .add("shadow", "Shadow traffic", Blocks.metric("shadow_cost_usd", shadow), "kept apart: never user-facing", "")
                .add("gpu", "GPU utilization", Blocks.percent(gpu), "serving samples, mean", "");
        lineChart(b, "chart-" + unit, unit + " (whole service)", unit, whole, s);
        lineChart(b, "chart-cost_usd", "cost_usd per minute", "cost_usd", whole, s);
        lineChart(b, "chart-retry_waste_usd", "retry_waste_usd per minute", "retry_waste_usd", whole, s);
        if (shadow > 0) {
            lineChart(b, "chart-shadow_cost_usd", "shadow_cost_usd per minute (kept apart: never user-facing)",
                    "shadow_cost_usd", whole.stream().filter(ser -> "SHADOW".equals(ser.key.track())).toList(), s);
        }
        sliceTable(b, "cost-slices", s, List.of(unit, "retry_waste_usd"));
        advisoryTable(b, "cost-advisories", "Cost advisories: each version against its own history, with the drivers", s,
                a -> a.getKind() == AdvisoryKind.COST, 20);
    }

    // ---------------------------------------------------------------- rollout page

    ObjectNode rollout(String service, String version, ConsoleQuery q) {
        Scope s = scope(new ConsoleQuery(service, version, q.range(), q.end(), q.dim()));
        if (s == null) {
            throw new ConsoleQuery.NotFound("no data read yet, so no rollout of " + service + " " + version);
        }
        List<Series> stages = store.series(service, k -> k.kind() == ScorecardKind.ROLLOUT && version.equals(k.version()));
        List<Advisory> advisories = store.advisories(service).stream()
                .filter(a -> a.getKind() == AdvisoryKind.ROLLOUT && version.equals(a.getModelVersion())).toList();
        if (stages.isEmpty() && advisories.isEmpty()) {
            throw new ConsoleQuery.NotFound("no rollout of model version '" + version + "' of service '" + service
                    + "' in the data read so far");
        }
        Blocks b = new Blocks();
        RolloutStage st = stages.isEmpty() ? null : stages.get(0).stage();
        Advisory last = advisories.isEmpty() ? null : advisories.get(advisories.size() - 1);
        Blocks.Figures f = b.figures("stage", "Stage");
        String decision = last != null ? last.getDecision().name() : st != null && st.getDecision() != null ? st.getDecision() : "none yet";
        f.add("decision", "Decision", decision, last == null ? "" : "at " + time(last.getWindowEnd()), decisionClass(decision));
        f.add("baseline", "Baseline", st != null ? nz(st.getBaseline()) : last != null ? nz(last.getBaselineVersion()) : "", "", "");
        f.add("since", "Canary since", st == null ? "" : time(st.getSince()), "", "");
        f.add("share", "Canary share", st == null || st.getCanaryShare() == null ? "n/a" : Blocks.percent(st.getCanaryShare()),
                "newest minute", "");
        if (last != null && last.getRollbackTo() != null) {
            f.add("rollback-to", "Roll back to", last.getRollbackTo(), "", "bad");
        }
        if (last != null) {
            long inconclusive = last.getFindings().stream().filter(x -> x.getCritical() && "inconclusive".equals(x.getVerdict())).count();
            f.add("promotable", "Promotable", last.getPromotable() ? "yes" : "no",
                    last.getPromotable() ? "every critical check shown safe" : inconclusive + " critical checks inconclusive, "
                            + last.getUnverifiedSlices().size() + " small slices unverified", last.getPromotable() ? "good" : "warn");
        }
        if (last != null) {
            b.note("summary", last.getSummary(), decisionClass(decision));
            io.speechslo.advisory.RollbackScope scope = last.getRollbackScope();
            if (scope != null) {
                StringBuilder cohorts = new StringBuilder();
                for (Map<String, String> c : scope.getCohorts()) {
                    cohorts.append(cohorts.isEmpty() ? "" : "; ").append(io.speechslo.slice.Slice.of(c).describe());
                }
                b.note("scope", scope.getWholeCandidate()
                        ? "Scope: the whole candidate (a critical metric regressed on the whole service)."
                        : "Scope: a partial rollback would route " + cohorts + " to " + last.getRollbackTo()
                                + "; or roll back the whole candidate.", "bad");
            }
            if (!last.getHints().isEmpty()) {
                StringBuilder why = new StringBuilder("Why: ");
                for (io.speechslo.advisory.Hint h : last.getHints()) {
                    why.append(why.length() > 5 ? "; " : "").append(h.getDriver()).append(": ").append(h.getEvidence());
                }
                b.note("hints", why.toString(), "");
            }
        }
        Blocks.Chart share = b.chart("share-chart", "Canary share of traffic", "share");
        Blocks.Chart dec = b.chart("decision-chart", "Decision over time (0 CONTINUE, 1 PAUSE, 2 ROLLBACK)", "decision");
        for (Series r : stages) {
            share.line("canary share", r, store.metric("canary_share"), s.from(), s.to());
        }
        TreeMap<Long, Double> steps = new TreeMap<>();
        for (Advisory a : advisories) {
            steps.put(a.getWindowEnd(), switch (a.getDecision()) {
                case PAUSE -> 1.0;
                case ROLLBACK -> 2.0;
                default -> 0.0;
            });
        }
        dec.points("decision", steps, false).stepped();
        share.done();
        dec.done();
        if (last != null) {
            // the newest advisory's stage history: where the canary's share moved to another step, or the decision changed
            Blocks.Table history = b.table("stages", "Stage history as of the newest advisory (a new stage: the share at another"
                    + " step for two intervals; or a new decision)", "since|Since", "share|Canary share", "decision|Decision");
            for (io.speechslo.advisory.StageEntry e : last.getStageHistory()) {
                history.row(Long.toString(e.getSince())).put("since", time(e.getSince()))
                        .put("share", Blocks.percent(e.getCanaryShare()))
                        .put("decision", e.getDecision().name(), decisionClass(e.getDecision().name()));
            }
            history.empty("No stage history in the newest advisory (written by a release before stage history).");
        }
        if (last != null) {
            Blocks.Table ev = b.table("evidence", "Evidence of the newest decision (" + time(last.getWindowEnd()) + ")",
                    "metric|Metric", "slice|Slice", "action|Action", "verdict|Verdict", "value|Candidate", "baseline|Baseline",
                    "limit|Limit", "bound|Confidence bound", "p|p-value", "samples|Samples", "baseline_samples|Baseline samples",
                    "needed|Samples needed", "share|Traffic share", "reason|Reason");
            ev.empty("No finding: every metric within its limits.");
            List<Finding> findings = new ArrayList<>(last.getFindings());
            // What decided first (ROLLBACK, PAUSE), then what blocks promotion (critical and inconclusive), then
            // the strongest evidence; unjudged checks last.
            findings.sort(Comparator.comparingInt((Finding x) -> actionRank(x.getAction().name()))
                    .thenComparing(x -> !x.getCritical())
                    .thenComparing(x -> !"inconclusive".equals(x.getVerdict()))
                    .thenComparing(x -> x.getPValue() == null ? 2.0 : x.getPValue()));
            int i = 0;
            for (Finding x : findings) {
                String slice = x.getSlice().isEmpty() ? "whole service" : sliceLabel(x.getSlice());
                ev.row(x.getMetric() + "|" + slice + "|" + i++).put("metric", x.getMetric() + (x.getCritical() ? " (critical)" : ""))
                        .put("slice", slice).put("action", x.getAction().name(), decisionClass(x.getAction().name()))
                        .put("value", fmt(x.getMetric(), x.getValue())).put("baseline", fmt(x.getMetric(), x.getBaseline()))
                        .put("limit", fmt(x.getMetric(), x.getLimit()))
                        .put("verdict", x.getVerdict() == null ? "" : x.getVerdict(), "regression".equals(x.getVerdict()) ? "bad"
                                : "inconclusive".equals(x.getVerdict()) ? "warn" : "safe".equals(x.getVerdict()) ? "good" : "")
                        .put("bound", fmt(x.getMetric(), x.getConfidenceBound()))
                        .put("needed", x.getSamplesNeeded() == null ? "" : Blocks.count(x.getSamplesNeeded())
                                + (x.getTimeNeededMs() == null ? "" : " (" + Durations.format(java.time.Duration.ofMinutes(
                                        Math.max(1, x.getTimeNeededMs() / 60_000))) + ")"))
                        .put("share", x.getTrafficShare() == null ? "" : Blocks.percent(x.getTrafficShare()))
                        .put("p", x.getPValue() == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.3g", x.getPValue()))
                        .put("samples", Blocks.count(x.getSamples())).put("baseline_samples", Blocks.count(x.getBaselineSamples()))
                        .put("reason", x.getReason());
            }
        }
        Blocks.Table timeline = b.table("timeline", "Decisions over time", "time|Time", "decision|Decision", "summary|Summary");
        for (Advisory a : advisories) {
            timeline.row(a.getAdvisoryId()).put("time", time(a.getWindowEnd()))
                    .put("decision", a.getDecision().name(), decisionClass(a.getDecision().name())).put("summary", a.getSummary());
        }
        timeline.empty("No rollout advisory yet: the gate publishes when its decision changes.");
        ObjectNode page = page("rollout", s, b, "Rollout of " + version + " (" + service + ")");
        page.put("candidate", version);
        return page;
    }

    // ---------------------------------------------------------------- shared pieces

    private void summaryTable(Blocks b, String id, String title, Scope s, List<Series> rows, List<String> metrics) {
        Blocks.Table t = b.table(id, title, headers("series|Version (track)", "requests|Requests", List.of(), metrics,
                List.of(), List.of()));
        for (Series ser : rows) {
            Blocks.Row r = t.row(label(ser.key)).put("series", label(ser.key))
                    .put("requests", Blocks.count((long) Agg.sum(ser, store.metric("requests"), s.from(), s.to())));
            rateCells(r, ser, metrics, s);
        }
        t.empty("No request scorecards in this range.");
    }

    private void sliceTable(Blocks b, String id, Scope s, List<String> metrics) {
        Blocks.Table t = b.table(id, "By " + s.dim() + " (over the range)", headers("slice|" + s.dim(),
                "series|Version (track)", List.of("requests|Requests"), metrics, List.of(), List.of()));
        for (Series ser : slices(s, k -> k.slice().size() == 1 && k.slice().containsKey(s.dim())
                && !"SHADOW".equals(k.track()))) {
            if (Agg.count(ser, s.from(), s.to()) == 0) {
                continue;
            }
            Blocks.Row r = t.row(ser.key.slice().get(s.dim()) + "|" + label(ser.key)).put("slice", ser.key.slice().get(s.dim()))
                    .put("series", label(ser.key))
                    .put("requests", Blocks.count((long) Agg.sum(ser, store.metric("requests"), s.from(), s.to())));
            rateCells(r, ser, metrics, s);
        }
        t.empty("No slice of " + s.dim() + " in this range.");
    }

    private void lineChart(Blocks b, String id, String title, String metric, List<Series> series, Scope s) {
        Blocks.Chart c = b.chart(id, title, metric);
        for (Series ser : series) {
            c.line(label(ser.key), ser, store.metric(metric), s.from(), s.to());
        }
        c.done();
    }

    private void rateCells(Blocks.Row r, Series ser, List<String> metrics, Scope s) {
        for (String m : metrics) {
            double[] w = m.endsWith("_usd") ? new double[] {Agg.sum(ser, store.metric(m), s.from(), s.to()), 1}
                    : Agg.weighted(ser, store.metric(m), s.from(), s.to());
            r.put(m, Blocks.metric(m, w[0]));
        }
    }

    private void quantileCells(Blocks.Row r, Series ser, List<String> metrics, Scope s) {
        for (String m : metrics) {
            double last = Agg.last(ser, store.metric(m), s.from(), s.to())[0];
            double max = Agg.max(ser, store.metric(m), s.from(), s.to());
            r.put(m, Double.isNaN(last) ? "n/a" : Blocks.metric(m, last) + " / " + Blocks.metric(m, max));
        }
    }

    private void advisoryTable(Blocks b, String id, String title, Scope s, Predicate<Advisory> filter, int max) {
        Blocks.Table t = b.table(id, title, "time|Time", "kind|Kind", "version|Version", "decision|Decision",
                "summary|Summary", "why|Why (drivers)");
        List<Advisory> all = store.advisories(s.service());
        int shown = 0;
        for (int i = all.size() - 1; i >= 0 && shown < max; i--) {
            Advisory a = all.get(i);
            if (a.getWindowEnd() <= s.from() || a.getWindowEnd() > s.to() || !filter.test(a)
                    || (s.version() != null && !s.version().equals(a.getModelVersion()))) {
                continue;
            }
            shown++;
            Blocks.Row r = t.row(a.getAdvisoryId()).put("time", time(a.getWindowEnd())).put("kind", a.getKind().name())
                    .put("decision", a.getDecision().name(), decisionClass(a.getDecision().name()))
                    .put("summary", a.getSummary()).put("why", drivers(a));
            if (a.getKind() == AdvisoryKind.ROLLOUT && a.getModelVersion() != null) {
                r.link("version", a.getModelVersion(), "/rollouts/" + a.getService() + "/" + a.getModelVersion());
            } else {
                r.put("version", a.getModelVersion() == null ? "all" : a.getModelVersion());
            }
        }
        t.empty("Quiet: no advisory in this range.");
    }

    /**
     * The newest page in range that names slices holding its bad requests (driver {@code slice}): its
     * evidence under the incidents, so the on-call engineer sees where to look without opening the advisory.
     */
    private void pageHints(Scope s, Blocks b) {
        List<Advisory> all = store.advisories(s.service());
        for (int i = all.size() - 1; i >= 0; i--) {
            Advisory a = all.get(i);
            if (a.getWindowEnd() <= s.from() || a.getWindowEnd() > s.to() || a.getKind() != AdvisoryKind.BURN_RATE
                    || a.getDecision() != io.speechslo.advisory.Decision.PAGE || a.getHints().isEmpty()
                    || (s.version() != null && !s.version().equals(a.getModelVersion()))) {
                continue;
            }
            StringBuilder why = new StringBuilder("Where the bad requests are (page on " + a.getSlo() + " at "
                    + time(a.getWindowEnd()) + "): ");
            int n = 0;
            for (io.speechslo.advisory.Hint h : a.getHints()) {
                why.append(n++ == 0 ? "" : "; ").append(h.getEvidence());
            }
            b.note("page-hints", why.toString(), "bad");
            return;
        }
    }

    /** The advisory's hints as "driver (share)", largest first; empty when none. */
    private static String drivers(Advisory a) {
        StringBuilder out = new StringBuilder();
        for (io.speechslo.advisory.Hint h : a.getHints()) {
            out.append(out.isEmpty() ? "" : ", ").append(h.getDriver());
            String metric = h.getMetric();
            if (h.getDriver().equals(io.speechslo.diagnosis.Driver.SLICE.id()) && metric.endsWith("}")
                    && metric.indexOf('{') >= 0) {
                out.append(' ').append(metric, metric.indexOf('{') + 1, metric.length() - 1); // the slice
            }
            if (h.getShareExplained() != null) {
                out.append(" (").append(Blocks.percent(h.getShareExplained())).append(')');
            }
        }
        return out.toString();
    }

    private List<Series> slices(Scope s, Predicate<SeriesKey> filter) {
        return store.series(s.service(), k -> k.kind() == ScorecardKind.SLICE && matches(s, k) && filter.test(k));
    }

    private static boolean matches(Scope s, SeriesKey k) {
        return s.version() == null || s.version().equals(k.version());
    }

    private List<String> windows(Scope s, String sloName) {
        SloDefinition def = slo(s, sloName);
        TreeMap<Long, String> w = new TreeMap<>();
        if (def != null) {
            for (BurnAlert a : def.alerts()) {
                w.put(a.shortWindow().toMillis(), Durations.format(a.shortWindow()));
                w.put(a.longWindow().toMillis(), Durations.format(a.longWindow()));
            }
        }
        return new ArrayList<>(w.values());
    }

    private SloDefinition slo(Scope s, String name) {
        if (s.signal() == null || name == null) {
            return null;
        }
        for (SloDefinition d : policies.allSlosFor(s.service(), s.signal())) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** Column specs ("id|Label", or a bare metric name) from strings and lists of them. */
    private static String[] headers(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof List<?> l) {
                l.forEach(x -> out.add((String) x));
            } else if (!((String) p).isEmpty()) {
                out.add((String) p);
            }
        }
        return out.toArray(String[]::new);
    }

    static String label(SeriesKey k) {
        return nz(k.version()) + (k.track() == null ? "" : " (" + k.track().toLowerCase(java.util.Locale.ROOT) + ")");
    }

    static String sliceLabel(Map<String, String> slice) {
        return new SeriesKey(ScorecardKind.SLICE, "", null, null, null, new TreeMap<>(slice)).sliceLabel();
    }

    private static String id(String text) {
        return text.replaceAll("[^A-Za-z0-9]+", "-");
    }

    private static String fmt(String metric, Double v) {
        return v == null ? "n/a" : Blocks.metric(metric, v);
    }

    static String time(long millis) {
        return Instant.ofEpochMilli(millis).toString().replace("T", " ").replace(":00Z", "Z");
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static boolean same(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }

    private static String budgetClass(double v) {
        return Double.isNaN(v) ? "" : v <= 0 ? "bad" : v < 0.25 ? "warn" : "good";
    }

    private static int actionRank(String action) {
        return switch (action) {
            case "ROLLBACK" -> 0;
            case "PAUSE" -> 1;
            case "UNJUDGED" -> 3;
            default -> 2;
        };
    }

    static String decisionClass(String d) {
        return switch (d) {
            case "ROLLBACK", "PAGE" -> "bad";
            case "PAUSE", "TICKET", "INVESTIGATE" -> "warn";
            case "CONTINUE", "RESOLVED" -> "good";
            default -> "";
        };
    }

    /** Aggregates of one series' metric over (from, to]. */
    static final class Agg {
        private Agg() {}

        static double sum(Series s, int m, long from, long to) {
            double sum = 0;
            if (m < 0) {
                return 0;
            }
            for (int r = s.firstAfter(from); r < s.rows() && s.end(r) <= to; r++) {
                double v = s.value(r, m);
                if (!Double.isNaN(v)) {
                    sum += v;
                }
            }
            return sum;
        }

        static int count(Series s, long from, long to) {
            int r = s.firstAfter(from);
            int n = 0;
            while (r + n < s.rows() && s.end(r + n) <= to) {
                n++;
            }
            return n;
        }

        /** {value weighted by samples, samples}; value NaN when none. */
        static double[] weighted(Series s, int m, long from, long to) {
            double[] acc = new double[2];
            addWeighted(acc, s, m, from, to);
            return new double[] {acc[1] > 0 ? acc[0] / acc[1] : Double.NaN, acc[1]};
        }

        static void addWeighted(double[] acc, Series s, int m, long from, long to) {
            if (m < 0) {
                return;
            }
            for (int r = s.firstAfter(from); r < s.rows() && s.end(r) <= to; r++) {
                double v = s.value(r, m);
                long n = s.samples(r, m);
                if (!Double.isNaN(v) && n > 0) {
                    acc[0] += v * n;
                    acc[1] += n;
                }
            }
        }

        /** {newest value, its samples}. */
        static double[] last(Series s, int m, long from, long to) {
            if (m >= 0) {
                int first = s.firstAfter(from);
                for (int r = s.firstAfter(to) - 1; r >= first; r--) {
                    double v = s.value(r, m);
                    if (!Double.isNaN(v)) {
                        return new double[] {v, s.samples(r, m)};
                    }
                }
            }
            return new double[] {Double.NaN, 0};
        }

        static double max(Series s, int m, long from, long to) {
            double max = Double.NaN;
            if (m < 0) {
                return max;
            }
            for (int r = s.firstAfter(from); r < s.rows() && s.end(r) <= to; r++) {
                double v = s.value(r, m);
                if (!Double.isNaN(v) && (Double.isNaN(max) || v > max)) {
                    max = v;
                }
            }
            return max;
        }
    }

}
