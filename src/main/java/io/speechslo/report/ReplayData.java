package io.speechslo.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a report reads from one replay: its advisories (as the JSON replay writes, so fields added to the
 * Advisory schema later, such as {@code hints}, are there without this class knowing them) and, from its
 * scorecards, only the figures the report needs, kept compact: per slice series the requests and the
 * tracked metrics of every minute, per SLO series the SLI and budget of every minute, per rollout its
 * canary share. Aggregates only: a scorecard holds no request id and no raw field value.
 */
final class ReplayData {

    /** A SLICE scorecard series: one service, track, model version and slice. */
    record SeriesKey(String service, String signal, String track, String version, Map<String, String> slice) {}

    /** One value of a minute and the samples behind it. */
    record Point(double value, long samples) {}

    /** One minute of a slice series. */
    static final class Minute {
        long requests;
        final Map<String, Point> values = new HashMap<>(8);
    }

    /** An SLO scorecard series: one SLO of a service, model version (null: service-wide) and slice. */
    record SloKey(String service, String signal, String slo, String version, Map<String, String> slice) {}

    /** One minute of an SLO series: the SLI over the SLO window, its samples, and the budget left. */
    record SloPoint(double sli, long samples, double budgetRemaining) {}

    final List<JsonNode> advisories;
    final Map<SeriesKey, TreeMap<Long, Minute>> slices = new LinkedHashMap<>();
    final Map<SloKey, TreeMap<Long, SloPoint>> slos = new LinkedHashMap<>();
    /** service + "/" + candidate -> window_end -> canary share. */
    final Map<String, TreeMap<Long, Double>> canaryShare = new LinkedHashMap<>();
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;

    private ReplayData(List<JsonNode> advisories) {
        this.advisories = advisories;
    }

    boolean isEmpty() {
        return slices.isEmpty();
    }

    /** The advisories of a replay's --out file. */
    static List<JsonNode> advisories(Path file) throws IOException {
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank()) {
                    out.add(m.readTree(line));
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Reads a replay's advisories and scorecards files.
     *
     * @param tracked the SLICE metrics to keep (every other value is dropped as it is read)
     */
    static ReplayData read(Path advisoriesFile, Path scorecardsFile, Set<String> tracked) throws IOException {
        ReplayData d = new ReplayData(advisories(advisoriesFile));
        ObjectMapper m = new ObjectMapper();
        try (BufferedReader r = Files.newBufferedReader(scorecardsFile, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank()) {
                    d.add(m.readTree(line), tracked);
                }
            }
        }
        return d;
    }

    private void add(JsonNode s, Set<String> tracked) {
        String kind = s.path("kind").asText();
        long start = s.path("window_start").asLong();
        long end = s.path("window_end").asLong();
        String service = s.path("service").asText();
        String signal = text(s.get("signal"));
        String version = text(s.get("model_version"));
        switch (kind) {
            case "SLICE" -> {
                String track = text(s.get("track"));
                if ("SHADOW".equals(track)) {
                    return; // never user-facing
                }
                first = Math.min(first, start);
                last = Math.max(last, end);
                Minute minute = slices.computeIfAbsent(new SeriesKey(service, signal, track, version, slice(s)),
                        k -> new TreeMap<>()).computeIfAbsent(start, k -> new Minute());
                for (JsonNode v : s.path("values")) {
                    String name = v.path("name").asText();
                    if (name.equals("requests")) {
                        minute.requests = v.path("samples").asLong();
                    } else if (tracked.contains(name) && v.hasNonNull("value")) {
                        minute.values.put(name, new Point(v.get("value").asDouble(), v.path("samples").asLong()));
                    }
                }
            }
            case "SLO" -> {
                Double sli = null;
                long samples = 0;
                double budget = Double.NaN;
                for (JsonNode v : s.path("values")) {
                    String name = v.path("name").asText();
                    if (name.equals("sli") && v.hasNonNull("value")) {
                        sli = v.get("value").asDouble();
                        samples = v.path("samples").asLong();
                    } else if (name.equals("budget_remaining") && v.hasNonNull("value")) {
                        budget = v.get("value").asDouble();
                    }
                }
                if (sli != null) {
                    slos.computeIfAbsent(new SloKey(service, signal, text(s.get("slo")), version, slice(s)),
                            k -> new TreeMap<>()).put(end, new SloPoint(sli, samples, budget));
                }
            }
            case "ROLLOUT" -> {
                JsonNode rollout = s.get("rollout");
                if (rollout != null && rollout.hasNonNull("canary_share")) {
                    canaryShare.computeIfAbsent(service + "/" + rollout.path("candidate").asText(), k -> new TreeMap<>())
                            .put(end, rollout.get("canary_share").asDouble());
                }
            }
            default -> { }
        }
    }

    private static Map<String, String> slice(JsonNode s) {
        Map<String, String> slice = new TreeMap<>();
        s.path("slice").fields().forEachRemaining(e -> slice.put(e.getKey(), e.getValue().asText()));
        return Collections.unmodifiableMap(slice);
    }

    static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }
}
