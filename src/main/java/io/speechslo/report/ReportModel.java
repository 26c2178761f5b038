package io.speechslo.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.speechslo.policy.Durations;
import io.speechslo.policy.GateRule;
import io.speechslo.policy.Policies;
import io.speechslo.report.IncidentAnalysis.Impact;
import io.speechslo.report.ReplayData.Minute;
import io.speechslo.report.ReplayData.Point;
import io.speechslo.report.ReplayData.SeriesKey;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The incident report as one JSON document ({@code report.json}); {@link MarkdownReport} and
 * {@link HtmlReport} render this same document, so the three files never disagree. Privacy-safe by
 * construction: built only from advisories and scorecards (aggregates and slice names), never from
 * requests, so no request id or raw field value can reach it.
 */
final class ReportModel {

    /** Rows per metric in the impact tables, and slices in the overall list. */
    static final int TOP = 10;

    /** One --try-config replay: its folder and advisories. */
    record Trial(String name, List<JsonNode> advisories) {}

    private static final ObjectMapper M = new ObjectMapper();

    private ReportModel() {}

    static ObjectNode build(ReplayData data, Policies policies, Long incidentStart, Long incidentEnd, String input,
            List<Trial> trials) {
        IncidentAnalysis a = new IncidentAnalysis(data, policies, incidentStart);
        List<SloImpact.Result> slos = SloImpact.of(data, policies, a);
        long windowStart = incidentStart != null ? incidentStart : a.onset != null ? a.onset : a.dataEnd;
        long windowEnd = incidentEnd != null ? incidentEnd : a.incidentEnd();

        ObjectNode r = M.createObjectNode();
        r.put("title", "Incident report: " + services(data));
        ObjectNode meta = r.putObject("data");
        meta.put("input", input);
        meta.put("from", time(a.dataStart));
        meta.put("to", time(a.dataEnd));
        meta.put("policy_version", policies.version());
        meta.put("baseline_from", time(a.dataStart));
        meta.put("baseline_to", time(a.baselineEnd));
        ObjectNode window = meta.putObject("incident_window");
        window.put("from", time(windowStart));
        window.put("to", time(windowEnd));
        window.put("source", incidentStart != null ? "--incident" : "derived: onset to recovery");

        timeline(r, data, a, windowStart);
        detection(r, data, a, slos, windowStart);
        impact(r, a);
        sloSection(r, slos);
        gate(r, data, windowStart);
        hints(r, data.advisories);
        caught(r, data.advisories, trials, windowStart, windowEnd);
        r.putObject("evidence").put("note", "Aggregates and slice names only: every figure comes from the replay's"
                + " advisories and per-minute scorecards; no request id and no raw value of any request field is read"
                + " or written.");
        followUp(r, data, a, policies);
        chart(r, data, a);
        return r;
    }

    // ------------------------------------------------------------------------------------------ timeline

    private static void timeline(ObjectNode r, ReplayData data, IncidentAnalysis a, long windowStart) {
        List<ObjectNode> events = new ArrayList<>();
        Long onset = a.onset;
        if (onset != null) {
            var d = a.onsetDeparture;
            events.add(event(onset, onset, "onset", d.metric() + " of " + seriesName(d.series()) + " left its baseline ("
                    + num(d.baseline()) + " before, " + num(d.value()) + " while off it)"));
        }
        long since = onset != null ? Math.min(onset, windowStart) : windowStart;
        Map<String, JsonNode> firstOfKind = new LinkedHashMap<>();
        JsonNode firstPage = null;
        JsonNode firstGate = null;
        for (JsonNode adv : sorted(data.advisories)) {
            long t = adv.path("window_end").asLong();
            if (t < since || !Detections.alerting(adv)) {
                continue;
            }
            firstOfKind.putIfAbsent(adv.path("kind").asText(), adv);
            String dec = adv.path("decision").asText();
            if (firstPage == null && dec.equals("PAGE")) {
                firstPage = adv;
            }
            if (firstGate == null && (dec.equals("ROLLBACK") || dec.equals("PAUSE"))) {
                firstGate = adv;
            }
        }
        for (JsonNode adv : firstOfKind.values()) {
            if (adv == firstPage || adv == firstGate) {
                continue; // told below, under its decision
            }
            events.add(event(adv.path("window_end").asLong(), onset, "first " + adv.path("kind").asText() + " advisory ("
                    + adv.path("decision").asText() + ")", adv.path("summary").asText()));
        }
        if (firstPage != null) {
            events.add(event(firstPage.path("window_end").asLong(), onset, "first PAGE", firstPage.path("summary").asText()));
        }
        if (firstGate != null) {
            events.add(event(firstGate.path("window_end").asLong(), onset, "first " + firstGate.path("decision").asText(),
                    firstGate.path("summary").asText()));
        }
        if (a.recovery != null) {
            events.add(event(a.recovery, onset, "recovery", "every metric that left its baseline is back within its limit"));
        } else if (onset != null) {
            events.add(event(a.dataEnd, onset, "no recovery", "still off baseline at the end of the data"));
        }
        for (JsonNode adv : sorted(data.advisories)) {
            if (a.recovery != null && adv.path("window_end").asLong() >= a.recovery
                    && adv.path("decision").asText().equals("RESOLVED")) {
                events.add(event(adv.path("window_end").asLong(), onset, "first RESOLVED", adv.path("summary").asText()));
                break;
            }
        }
        events.sort(Comparator.comparing(e -> e.path("time").asText()));
        ArrayNode out = r.putArray("timeline");
        events.forEach(out::add);
    }

    private static ObjectNode event(long t, Long onset, String what, String detail) {
        ObjectNode e = M.createObjectNode();
        e.put("time", time(t));
        e.put("since_onset", onset == null ? null : signed(t - onset));
        e.put("event", what);
        e.put("detail", detail);
        return e;
    }

    // ------------------------------------------------------------------------------------------ detection

    private static void detection(ObjectNode r, ReplayData data, IncidentAnalysis a, List<SloImpact.Result> slos,
            long windowStart) {
        ObjectNode d = r.putObject("detection");
        d.put("onset", a.onset == null ? null : time(a.onset));
        Detections det = new Detections(data.advisories, a.onset != null ? a.onset : windowStart, a.incidentEnd());
        Long firstPage = null;
        Long firstGate = null;
        for (Detections.Alarm al : det.alarms) {
            long at = Detections.detectedAt(al, a.onset != null ? a.onset : windowStart);
            if (al.last() < (a.onset != null ? a.onset : windowStart)) {
                continue;
            }
            if (!Detections.detects(al)) {
                continue;
            }
            if (al.decision().equals("PAGE") && (firstPage == null || at < firstPage)) {
                firstPage = at;
            }
            if (al.kind().equals("ROLLOUT") && (firstGate == null || at < firstGate)) {
                firstGate = at;
            }
        }
        d.put("first_page", firstPage == null ? null : time(firstPage));
        d.put("first_gate_advisory", firstGate == null ? null : time(firstGate));
        Long first = firstPage;
        if (firstGate != null && (first == null || firstGate < first)) {
            first = firstGate;
        }
        d.put("first_detection", first == null ? null : time(first));
        d.put("gap_s", a.onset == null || first == null ? null : (first - a.onset) / 1000);
        d.put("gap", a.onset == null || first == null ? null : signed(first - a.onset));
        d.put("page_gap", a.onset == null || firstPage == null ? null : signed(firstPage - a.onset));
        SloImpact.Result best = null;
        for (SloImpact.Result s : slos) {
            if (s.earliest() != null && (best == null || s.earliest().after().compareTo(best.earliest().after()) < 0)) {
                best = s;
            }
        }
        ObjectNode maths = d.putObject("earliest_possible_page");
        if (best == null) {
            maths.putNull("after");
            maths.put("why", slos.isEmpty() ? "no SLO's bad share rose" : "no page alert's threshold is reached at the observed bad share");
        } else {
            maths.put("after", dur(roundUp(best.earliest().after())));
            maths.put("after_s", best.earliest().after().toSeconds());
            maths.put("at", a.onset == null ? null : time(a.onset + roundUp(best.earliest().after()).toMillis()));
            maths.put("slo", best.slo().name());
            maths.put("series", seriesName(best.version(), best.slice()));
            maths.put("alert", best.earliest().alert().name());
            maths.put("bad_share_before", best.badBefore());
            maths.put("bad_share_during", best.badDuring());
            maths.put("burn_rate", best.burnDuring());
            maths.put("why", String.format(java.util.Locale.ROOT, "at a bad share of %s (burn %sx) the %s alert (%s and %s"
                    + " windows at %sx) fires %s after onset", pct(best.badDuring()), num(best.burnDuring()),
                    best.earliest().alert().name(), Durations.format(best.earliest().alert().longWindow()),
                    Durations.format(best.earliest().alert().shortWindow()), num(best.earliest().alert().factor()),
                    dur(roundUp(best.earliest().after()))));
        }
    }

    private static Duration roundUp(Duration d) {
        long s = d.toSeconds() + (d.toMillisPart() > 0 ? 1 : 0);
        return Duration.ofSeconds(s);
    }

    // ------------------------------------------------------------------------------------------ impact

    private static void impact(ObjectNode r, IncidentAnalysis a) {
        ObjectNode out = r.putObject("impact");
        out.put("definition", "affected requests: the slice's requests in the 5-minute blocks its metric was off"
                + " baseline; share: of the slice's requests from onset to recovery; slices ordered by how far they moved"
                + " (relative change), then by requests affected");
        ArrayNode metrics = out.putArray("metrics");
        Map<String, List<Impact>> byMetric = new LinkedHashMap<>();
        for (Impact i : a.impacts) {
            byMetric.computeIfAbsent(i.service() + "\u0000" + i.metric(), k -> new ArrayList<>()).add(i);
        }
        // the metric with the largest harm on a slice first
        List<List<Impact>> groups = new ArrayList<>(byMetric.values());
        groups.sort(Comparator.comparingDouble((List<Impact> g) -> -g.stream().mapToLong(Impact::affectedRequests).max()
                .orElse(0) * Math.min(10, g.stream().filter(i -> !i.slice().isEmpty()).mapToDouble(Impact::relativeChange)
                        .max().orElse(0))));
        for (List<Impact> g : groups) {
            ObjectNode m = metrics.addObject();
            m.put("service", g.get(0).service());
            m.put("metric", g.get(0).metric());
            Impact whole = g.stream().filter(i -> i.slice().isEmpty()).findFirst().orElse(null);
            if (whole != null) {
                m.set("whole_service", impactRow(whole));
            }
            ArrayNode rows = m.putArray("slices");
            g.stream().filter(i -> !i.slice().isEmpty()).limit(TOP).forEach(i -> rows.add(impactRow(i)));
            m.put("more_slices", Math.max(0, g.stream().filter(i -> !i.slice().isEmpty()).count() - TOP));
        }
        // every slice once, by its worst metric
        Map<String, Impact> worst = new LinkedHashMap<>();
        for (Impact i : a.impacts) {
            if (i.slice().isEmpty()) {
                continue;
            }
            String k = i.service() + "\u0000" + sliceName(i.slice());
            Impact w = worst.get(k);
            if (w == null || i.relativeChange() > w.relativeChange()) {
                worst.put(k, i);
            }
        }
        ArrayNode top = out.putArray("top_slices");
        worst.values().stream().sorted(Comparator.comparingDouble(Impact::relativeChange).reversed()
                .thenComparing(Comparator.comparingLong(Impact::affectedRequests).reversed()))
                .limit(TOP).forEach(i -> top.add(impactRow(i)));
    }

    private static ObjectNode impactRow(Impact i) {
        ObjectNode o = M.createObjectNode();
        o.put("slice", sliceName(i.slice()));
        o.set("slice_map", M.valueToTree(i.slice()));
        o.put("metric", i.metric());
        o.put("versions", String.join(", ", i.versions()));
        o.put("affected_requests", i.affectedRequests());
        o.put("slice_requests", i.sliceRequests());
        o.put("share_affected", i.share());
        o.put("from", time(i.from()));
        o.put("until", time(i.until()));
        o.put("duration", dur(Duration.ofMillis(i.until() - i.from())));
        o.put("baseline", i.baseline());
        o.put("value", i.value());
        o.put("relative_change", Double.isInfinite(i.relativeChange()) ? null : i.relativeChange());
        return o;
    }

    private static void sloSection(ObjectNode r, List<SloImpact.Result> slos) {
        ArrayNode out = r.putArray("slos");
        for (SloImpact.Result s : slos) {
            ObjectNode o = out.addObject();
            o.put("slo", s.slo().name());
            o.put("service", s.service());
            o.put("counts", s.slo().isThreshold() ? "timeslices" : "requests");
            o.put("objective", s.slo().objective());
            o.put("worst_series", seriesName(s.version(), s.slice()));
            o.put("bad_share_before", s.badBefore());
            o.put("bad_share_during", s.badDuring());
            o.put("bad", s.badCount());
            o.put("total", s.totalCount());
            o.put("burn_rate", s.burnDuring());
            o.put("earliest_page_after", s.earliest() == null ? null : dur(roundUp(s.earliest().after())));
            o.put("earliest_page_alert", s.earliest() == null ? null : s.earliest().alert().name());
            o.put("budget_series", s.budgetSeries());
            o.put("budget_before", s.budgetBefore());
            o.put("budget_after", s.budgetAfter());
            o.put("budget_consumed", s.budgetConsumed());
        }
    }

    // ------------------------------------------------------------------------------------------ gate

    /** Each rollout's decision changes: the deciding findings at each stage, with the canary share then. */
    private static void gate(ObjectNode r, ReplayData data, long windowStart) {
        ArrayNode out = r.putArray("gate");
        Map<String, String> last = new LinkedHashMap<>();
        for (JsonNode adv : sorted(data.advisories)) {
            if (!adv.path("kind").asText().equals("ROLLOUT")) {
                continue;
            }
            String rollout = adv.path("service").asText() + "/" + adv.path("model_version").asText();
            String decision = adv.path("decision").asText();
            if (decision.equals(last.put(rollout, decision))) {
                continue;
            }
            long t = adv.path("window_end").asLong();
            ObjectNode s = out.addObject();
            s.put("time", time(t));
            s.put("service", adv.path("service").asText());
            s.put("candidate", adv.path("model_version").asText());
            s.put("baseline_version", ReplayData.text(adv.get("baseline_version")));
            s.put("decision", decision);
            s.put("promotable", adv.path("promotable").asBoolean(false));
            TreeMap<Long, Double> shares = data.canaryShare.get(rollout);
            Map.Entry<Long, Double> share = shares == null ? null : shares.floorEntry(t);
            s.put("canary_share", share == null ? null : share.getValue());
            s.put("summary", adv.path("summary").asText());
            ArrayNode fs = s.putArray("findings");
            List<JsonNode> findings = new ArrayList<>();
            adv.path("findings").forEach(findings::add);
            findings.stream().filter(f -> !f.path("action").asText().equals("UNJUDGED"))
                    .sorted(Comparator.comparingInt((JsonNode f) -> rank(f.path("action").asText()))
                            .thenComparing(f -> f.path("slice").size()))
                    .limit(6).forEach(f -> {
                        ObjectNode o = fs.addObject();
                        o.put("metric", f.path("metric").asText());
                        Map<String, String> slice = new TreeMap<>();
                        f.path("slice").fields().forEachRemaining(e -> slice.put(e.getKey(), e.getValue().asText()));
                        o.put("slice", sliceName(slice));
                        o.put("action", f.path("action").asText());
                        o.put("reason", f.path("reason").asText());
                        o.set("value", f.path("value"));
                        o.set("baseline", f.path("baseline"));
                        o.set("limit", f.path("limit"));
                        o.put("verdict", ReplayData.text(f.get("verdict")));
                        o.put("samples", f.path("samples").asLong());
                        o.put("baseline_samples", f.path("baseline_samples").asLong());
                    });
        }
        stages(r, data.advisories);
    }

    /**
     * Each rollout's stage history as its newest advisory tells it (a field newer writers add: read
     * generically, absent in older replays).
     */
    private static void stages(ObjectNode r, List<JsonNode> advisories) {
        Map<String, JsonNode> newest = new LinkedHashMap<>();
        for (JsonNode adv : sorted(advisories)) {
            if (adv.path("kind").asText().equals("ROLLOUT") && !adv.path("stage_history").isEmpty()) {
                newest.put(adv.path("service").asText() + " " + adv.path("model_version").asText(), adv);
            }
        }
        ArrayNode out = r.putArray("gate_stages");
        newest.forEach((rollout, adv) -> {
            ObjectNode o = out.addObject().put("rollout", rollout).put("as_of", time(adv.path("window_end").asLong()));
            ArrayNode entries = o.putArray("stages");
            adv.path("stage_history").forEach(e -> entries.addObject().put("since", time(e.path("since").asLong()))
                    .put("canary_share", e.path("canary_share").asDouble()).put("decision", e.path("decision").asText()));
        });
    }

    private static int rank(String action) {
        return switch (action) {
            case "ROLLBACK" -> 0;
            case "PAUSE" -> 1;
            default -> 2;
        };
    }

    /** Hints, where advisories carry them (a field newer writers add): read generically, never required. */
    private static void hints(ObjectNode r, List<JsonNode> advisories) {
        ArrayNode out = r.putArray("hints");
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (JsonNode adv : sorted(advisories)) {
            JsonNode h = adv.get("hints");
            if (h == null || h.isNull() || (h.isContainerNode() && h.isEmpty())) {
                continue;
            }
            List<JsonNode> items = new ArrayList<>();
            if (h.isArray()) {
                h.forEach(items::add);
            } else {
                items.add(h);
            }
            for (JsonNode item : items) {
                String text = hintText(item);
                if (seen.add(adv.path("kind").asText() + text) && out.size() < 20) {
                    ObjectNode o = out.addObject();
                    o.put("time", time(adv.path("window_end").asLong()));
                    o.put("kind", adv.path("kind").asText());
                    o.put("decision", adv.path("decision").asText());
                    o.put("hint", text);
                    o.set("raw", item);
                }
            }
        }
    }

    private static String hintText(JsonNode item) {
        if (item.isValueNode()) {
            return item.asText();
        }
        List<String> parts = new ArrayList<>();
        item.fields().forEachRemaining(e -> parts.add(e.getKey() + ": " + (e.getValue().isValueNode()
                ? e.getValue().asText() : e.getValue().toString())));
        return parts.isEmpty() ? item.toString() : String.join("; ", parts);
    }

    // ------------------------------------------------------------------------------------------ what would have caught it

    private static void caught(ObjectNode r, List<JsonNode> current, List<Trial> trials, long start, long end) {
        ArrayNode out = r.putArray("what_would_have_caught_it");
        List<Trial> all = new ArrayList<>();
        all.add(new Trial("current policies", current));
        all.addAll(trials);
        for (Trial t : all) {
            Detections d = new Detections(t.advisories(), start, end);
            Detections.Alarm first = d.alarms.stream().filter(x -> x.last() >= start && x.first() <= end
                    && Detections.detects(x)).min(Comparator.comparingLong(x -> Detections.detectedAt(x, start))).orElse(null);
            ObjectNode o = out.addObject();
            o.put("config", t.name());
            if (first == null) {
                o.putNull("first_detection");
                o.putNull("after_start");
                o.putNull("by");
            } else {
                long at = Detections.detectedAt(first, start);
                o.put("first_detection", time(at));
                o.put("after_start", signed(at - start));
                o.put("by", first.kind() + " " + first.decision() + (first.slo() == null ? "" : " " + first.slo()));
            }
            o.put("false_alarms", d.falseAlarms.size());
            ArrayNode fa = o.putArray("false_alarm_list");
            d.falseAlarms.stream().limit(5).forEach(f -> fa.add(time(f.first()) + " " + f.kind() + " " + f.decision()
                    + (f.slo() == null ? "" : " " + f.slo())));
        }
    }

    // ------------------------------------------------------------------------------------------ follow-up

    private static void followUp(ObjectNode r, ReplayData data, IncidentAnalysis a, Policies policies) {
        ObjectNode f = r.putObject("follow_up");
        ArrayNode rem = f.putArray("remediation");
        ArrayNode gate = f.putArray("release_gate_changes");
        List<Impact> harmed = a.impacts.stream().filter(i -> !i.slice().isEmpty())
                .sorted(Comparator.comparingDouble(Impact::relativeChange).reversed()).toList();
        if (!harmed.isEmpty()) {
            Impact top = a.mostHarmed(i -> true);
            rem.add(item("Fix or roll back " + String.join(", ", top.versions()) + " of " + top.service() + ": "
                    + top.metric() + " of " + sliceName(top.slice()) + " went from " + num(top.baseline()) + " to "
                    + num(top.value()) + "."));
            rem.add(item("Check that the rollout controller acts on ROLLBACK advisories for " + top.service()
                    + " (compare the first ROLLBACK with when the harm stopped, in the timeline)."));
            rem.add(item("Add the harmed slices to the release's fixture runs: the scenario below reproduces them."));
            java.util.Set<String> metrics = new java.util.LinkedHashSet<>();
            harmed.forEach(i -> metrics.add(i.signal() + "/" + i.metric()));
            for (String sm : metrics) {
                String[] p = sm.split("/");
                GateRule rule = policies.gateFor(top.service()).rulesFor(io.speechslo.metrics.Signal.valueOf(p[0])).stream()
                        .filter(g -> g.metric().id().equals(p[1])).findFirst().orElse(null);
                gate.add(item(rule == null ? "Add a release-gate rule for " + p[1] + " (it has none; it left its baseline"
                        + " on " + harmed.stream().filter(i -> i.metric().equals(p[1])).count() + " slices)."
                        : "Review the " + p[1] + " rule (" + (rule.critical() ? "critical, " : "") + rule.mode().name()
                                .toLowerCase(java.util.Locale.ROOT) + " " + num(rule.limit()) + ", minSliceSamples "
                                + rule.minSliceSamples() + "): replay it with --try-config to see if a tighter limit or"
                                + " fewer slice samples would have caught it sooner without new false alarms."));
            }
        }
        FixtureScenario.Fixture fixture = FixtureScenario.of(data, a);
        ObjectNode fx = f.putObject("fixtures");
        fx.put("file", FixtureScenario.FILE);
        fx.put("slices", fixture == null ? null : fixture.slices());
        fx.put("scenario", fixture == null ? null : fixture.yaml());
        f.put("owner", "");
        f.put("deadline", "");
        f.put("follow_up_check", "Replay this incident's telemetry with the changed policies (report --try-config) and"
                + " run the fixture scenario through the release gate: both must detect it before it reaches users.");
    }

    private static ObjectNode item(String text) {
        ObjectNode o = M.createObjectNode();
        o.put("action", text);
        o.put("owner", "");
        o.put("deadline", "");
        return o;
    }

    // ------------------------------------------------------------------------------------------ chart

    /**
     * The most harmed slice's metric per minute against its baseline (the series of it that served the most
     * requests while off it), with the timeline's moments.
     */
    private static void chart(ObjectNode r, ReplayData data, IncidentAnalysis a) {
        Impact harmed = a.mostHarmed(i -> true);
        IncidentAnalysis.Departure top = harmed == null ? null : a.departures.stream()
                .filter(d -> d.series().service().equals(harmed.service()) && d.metric().equals(harmed.metric())
                        && d.series().slice().equals(harmed.slice()))
                .max(Comparator.comparingLong(IncidentAnalysis.Departure::affectedRequests)).orElse(null);
        if (top == null) {
            r.putNull("chart");
            return;
        }
        ObjectNode c = r.putObject("chart");
        c.put("metric", top.metric());
        c.put("series", seriesName(top.series()));
        c.put("baseline", top.baseline());
        ArrayNode pts = c.putArray("points");
        for (Map.Entry<Long, Minute> m : data.slices.get(top.series()).entrySet()) {
            Point p = m.getValue().values.get(top.metric());
            if (p != null) {
                pts.addArray().add(m.getKey()).add(p.value());
            }
        }
        ArrayNode marks = c.putArray("marks");
        for (JsonNode e : r.path("timeline")) {
            marks.addObject().put("time", Instant.parse(e.path("time").asText()).toEpochMilli()).put("label",
                    e.path("event").asText());
        }
    }

    // ------------------------------------------------------------------------------------------ names

    static String seriesName(SeriesKey k) {
        return k.service() + " " + k.version() + " (" + k.track() + ") " + sliceName(k.slice());
    }

    static String seriesName(String version, Map<String, String> slice) {
        return (version == null ? "service-wide" : version) + " " + sliceName(slice);
    }

    static String sliceName(Map<String, String> slice) {
        return slice.isEmpty() ? "whole service" : slice.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static String services(ReplayData data) {
        return data.slices.keySet().stream().map(SeriesKey::service).distinct().sorted().collect(Collectors.joining(", "));
    }

    static String time(long t) {
        return Instant.ofEpochMilli(t).toString();
    }

    static String signed(long ms) {
        return (ms < 0 ? "-" : "+") + dur(Duration.ofSeconds(Math.abs(ms) / 1000));
    }

    /** 3h 7m, 4m 30s, 45s. */
    static String dur(Duration d) {
        long s = d.toSeconds();
        if (s == 0) {
            return "0s";
        }
        StringBuilder b = new StringBuilder();
        long[] units = {86_400, 3_600, 60, 1};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (s >= units[i]) {
                b.append(b.length() == 0 ? "" : " ").append(s / units[i]).append(names[i]);
                s %= units[i];
            }
        }
        return b.toString();
    }

    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    static String pct(double v) {
        return num(100 * v) + "%";
    }

    private static List<JsonNode> sorted(List<JsonNode> advisories) {
        List<JsonNode> s = new ArrayList<>(advisories);
        s.sort(Comparator.comparingLong(x -> x.path("window_end").asLong()));
        return s;
    }
}
