package io.speechslo.report;

import io.speechslo.report.IncidentAnalysis.Impact;
import io.speechslo.report.ReplayData.Minute;
import io.speechslo.report.ReplayData.SeriesKey;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A synthetic fixture for the harmed slices, as a scenario file the generator accepts ({@code generate
 * --scenario}): the affected service with the traffic mix and rate seen in the data, its stable and canary
 * versions, and from the second hour the harm measured on the most harmed slice (each metric's change mapped
 * to the generator's quantity), so a release gate or a test can be shown to catch it. Aggregates only.
 */
final class FixtureScenario {

    static final String FILE = "fixture-scenario.yaml";

    /** The metric each generator quantity reproduces, and whether the change is added (else multiplied). */
    private static final Map<String, String[]> QUANTITIES = Map.ofEntries(
            Map.entry("wer", new String[] {"wer", "add"}),
            Map.entry("entity_error_rate", new String[] {"entityErrorRate", "add"}),
            Map.entry("error_rate", new String[] {"errorRate", "add"}),
            Map.entry("timeout_rate", new String[] {"timeoutRate", "add"}),
            Map.entry("underrun_rate", new String[] {"underrunRate", "add"}),
            Map.entry("sensitive_logging_rate", new String[] {"sensitiveLoggingRate", "add"}),
            Map.entry("preference", new String[] {"preference", "add"}),
            Map.entry("first_partial_p95_ms", new String[] {"firstPartialMs", "multiply"}),
            Map.entry("finalization_p99_ms", new String[] {"finalizationMs", "multiply"}),
            Map.entry("first_audio_p95_ms", new String[] {"firstAudioMs", "multiply"}),
            Map.entry("cost_per_audio_minute", new String[] {"costPerAudioMinute", "multiply"}),
            Map.entry("cost_per_generated_second", new String[] {"costPerGeneratedSecond", "multiply"}));

    /** The scenario's text and the slices it covers. */
    record Fixture(String yaml, String slices) {}

    private FixtureScenario() {}

    /** Null when no slice left its baseline on a metric the generator can reproduce. */
    static Fixture of(ReplayData data, IncidentAnalysis a) {
        Impact top = a.mostHarmed(i -> QUANTITIES.containsKey(i.metric()));
        if (top == null) {
            return null;
        }
        String service = top.service();
        // traffic: rate, versions and the mix of every dimension, from the one-dimension slices
        Map<String, Map<String, Long>> mix = new TreeMap<>();
        String stable = null;
        String canary = null;
        long canaryRequests = 0;
        long requests = 0;
        long minutes = Math.max(1, (data.last - data.first) / 60_000);
        for (Map.Entry<SeriesKey, TreeMap<Long, Minute>> e : data.slices.entrySet()) {
            SeriesKey k = e.getKey();
            if (!k.service().equals(service)) {
                continue;
            }
            long n = e.getValue().values().stream().mapToLong(m -> m.requests).sum();
            if (k.slice().isEmpty()) {
                requests += n;
                if ("CANARY".equals(k.track())) {
                    canary = k.version();
                    canaryRequests += n;
                } else {
                    stable = k.version();
                }
            } else if (k.slice().size() == 1) {
                Map.Entry<String, String> d = k.slice().entrySet().iterator().next();
                mix.computeIfAbsent(d.getKey(), x -> new TreeMap<>()).merge(d.getValue(), n, Long::sum);
            }
        }
        Map<String, Double> adjust = new LinkedHashMap<>();
        Map<String, Double> base = new LinkedHashMap<>();
        for (Impact i : a.impacts) {
            if (i.service().equals(service) && i.slice().equals(top.slice()) && QUANTITIES.containsKey(i.metric())) {
                String[] q = QUANTITIES.get(i.metric());
                if (q[1].equals("add")) {
                    adjust.put(q[0], i.value() - i.baseline());
                    base.put(q[0], i.baseline());
                } else if (i.baseline() > 0) {
                    adjust.put(q[0], i.value() / i.baseline());
                }
            }
        }
        boolean canaryOnly = canary != null && top.versions().size() == 1 && top.versions().contains(canary);
        StringBuilder y = new StringBuilder();
        y.append("# A synthetic fixture for the slices an incident harmed (written by `report`): ").append(service)
                .append("'s traffic as seen,\n# with, from the second hour, the harm measured on ")
                .append(ReportModel.sliceName(top.slice())).append(". Run it with\n#   java -jar speech-slo-advisor.jar"
                        + " generate --scenario ").append(FILE).append(" --out DIR\n");
        y.append("apiVersion: speechslo.io/v1\nkind: TelemetryScenario\nmetadata:\n  name: fixture-")
                .append(service).append("\n  description: >-\n    Reproduces ").append(ReportModel.sliceName(top.slice()))
                .append(" leaving its baseline (").append(top.metric()).append(" ").append(ReportModel.num(top.baseline()))
                .append(" -> ").append(ReportModel.num(top.value())).append(").\nspec:\n  start: 2026-01-05T08:00:00Z\n"
                        + "  duration: 2h\n  services:\n    - name: ").append(service).append("\n      signal: ")
                .append(top.signal().toLowerCase(Locale.ROOT)).append("\n      ratePerMinute: ")
                .append(Math.max(1, Math.round((double) requests / minutes))).append("\n      stable: ")
                .append(stable == null ? canary : stable).append('\n');
        if (canary != null && stable != null) {
            y.append("      canary: {version: ").append(canary).append(", share: ")
                    .append(ReportModel.num(Math.max(0.01, Math.min(1, (double) canaryRequests / Math.max(1, requests)))))
                    .append("}\n");
        }
        y.append("      mix:\n");
        mix.forEach((dim, values) -> {
            y.append("        ").append(dim).append(": {");
            List<String> parts = new ArrayList<>();
            long all = values.values().stream().mapToLong(Long::longValue).sum();
            values.forEach((v, n) -> parts.add(v + ": " + Math.max(1, Math.round(100.0 * n / Math.max(1, all)))));
            y.append(String.join(", ", parts)).append("}\n");
        });
        y.append("      base:\n        labelledRate: 0.25\n");
        if (!base.isEmpty()) {
            y.append("      profiles:\n        - where: ").append(flow(top.slice())).append("\n          set: ")
                    .append(flowNumbers(base)).append('\n');
        }
        y.append("  changes:\n    - name: the harm measured on ").append(ReportModel.sliceName(top.slice())).append('\n');
        if (canaryOnly) {
            y.append("      track: canary\n");
        }
        y.append("      from: 1h\n      where: ").append(flow(top.slice())).append("\n      adjust:\n");
        adjust.forEach((q, v) -> y.append("        ").append(q).append(": {")
                .append(isAdd(q) ? "add: " : "multiply: ").append(ReportModel.num(v)).append("}\n"));
        List<String> covered = a.impacts.stream().filter(i -> i.service().equals(service) && !i.slice().isEmpty())
                .sorted(Comparator.comparingDouble(Impact::relativeChange).reversed())
                .map(i -> ReportModel.sliceName(i.slice())).distinct().limit(5).toList();
        return new Fixture(y.toString(), String.join("; ", covered));
    }

    private static boolean isAdd(String quantity) {
        return QUANTITIES.values().stream().anyMatch(q -> q[0].equals(quantity) && q[1].equals("add"));
    }

    private static String flow(Map<String, String> m) {
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k + ": " + v));
        return "{" + String.join(", ", parts) + "}";
    }

    private static String flowNumbers(Map<String, Double> m) {
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k + ": " + ReportModel.num(v)));
        return "{" + String.join(", ", parts) + "}";
    }
}
