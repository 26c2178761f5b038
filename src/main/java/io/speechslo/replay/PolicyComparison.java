package io.speechslo.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a second policy folder changes over the same telemetry: for every decision of every advisory
 * stream (kind, service, model version, SLO), whether it appears only under B, disappears under B, or
 * comes at another time, with its first time and count on each side. Decisions that come at the same
 * first time on both sides are counted, not listed.
 */
public final class PolicyComparison {

    /** One decision of one stream: its first event time and how many advisories carried it. */
    public record Row(String change, String kind, String service, String version, String slo, String decision,
            Long firstA, Long firstB, int countA, int countB) {}

    private final List<Row> rows;
    private final int same;

    private PolicyComparison(List<Row> rows, int same) {
        this.rows = rows;
        this.same = same;
    }

    public List<Row> rows() {
        return rows;
    }

    public int same() {
        return same;
    }

    /** Compares two replays' advisories, as the JSON lines replay writes. */
    public static PolicyComparison of(List<JsonNode> a, List<JsonNode> b) {
        Map<String, long[]> sideA = firsts(a);
        Map<String, long[]> sideB = firsts(b);
        TreeMap<String, Boolean> keys = new TreeMap<>();
        sideA.keySet().forEach(k -> keys.put(k, true));
        sideB.keySet().forEach(k -> keys.put(k, true));
        List<Row> rows = new ArrayList<>();
        int same = 0;
        for (String key : keys.keySet()) {
            long[] x = sideA.get(key);
            long[] y = sideB.get(key);
            String change = x == null ? "appears" : y == null ? "disappears"
                    : x[0] == y[0] ? null : y[0] < x[0] ? "earlier" : "later";
            if (change == null) {
                same++;
                continue;
            }
            String[] k = key.split("\u0000", -1);
            rows.add(new Row(change, k[0], k[1], k[2].isEmpty() ? null : k[2], k[3].isEmpty() ? null : k[3], k[4],
                    x == null ? null : x[0], y == null ? null : y[0], x == null ? 0 : (int) x[1], y == null ? 0 : (int) y[1]));
        }
        rows.sort(Comparator.comparingLong((Row r) -> Math.min(r.firstA() == null ? Long.MAX_VALUE : r.firstA(),
                r.firstB() == null ? Long.MAX_VALUE : r.firstB())).thenComparing(Row::service).thenComparing(Row::decision));
        return new PolicyComparison(rows, same);
    }

    private static Map<String, long[]> firsts(List<JsonNode> advisories) {
        Map<String, long[]> out = new TreeMap<>();
        for (JsonNode a : advisories) {
            String key = String.join("\u0000", a.path("kind").asText(), a.path("service").asText(),
                    text(a.get("model_version")), text(a.get("slo")), a.path("decision").asText());
            long t = a.path("window_end").asLong();
            long[] f = out.computeIfAbsent(key, k -> new long[] {t, 0});
            f[0] = Math.min(f[0], t);
            f[1]++;
        }
        return out;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "" : n.asText();
    }

    /** A table for people, one row per difference, and a summary line. */
    public String table(String a, String b) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "A = %s, B = %s: %d %s, %d %s the same%n", a, b, rows.size(),
                rows.size() == 1 ? "difference" : "differences", same, same == 1 ? "decision" : "decisions"));
        if (rows.isEmpty()) {
            return sb.toString();
        }
        sb.append(String.format(Locale.ROOT, "%-10s %-9s %-20s %-16s %-28s %-11s %-20s %-20s %8s %8s%n", "change", "kind",
                "service", "version", "slo", "decision", "first in A", "first in B", "count A", "count B"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-10s %-9s %-20s %-16s %-28s %-11s %-20s %-20s %8d %8d%n", r.change(),
                    r.kind(), r.service(), dash(r.version()), dash(r.slo()), r.decision(), time(r.firstA()),
                    time(r.firstB()) + shift(r), r.countA(), r.countB()));
        }
        return sb.toString();
    }

    /** The same as JSON: {a, b, same, differences: [...]}. */
    public ObjectNode json(String a, String b) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode out = m.createObjectNode().put("a", a).put("b", b).put("same", same);
        ArrayNode diffs = out.putArray("differences");
        for (Row r : rows) {
            ObjectNode d = diffs.addObject().put("change", r.change()).put("kind", r.kind()).put("service", r.service())
                    .put("model_version", r.version()).put("slo", r.slo()).put("decision", r.decision())
                    .put("count_a", r.countA()).put("count_b", r.countB());
            d.put("first_a", r.firstA() == null ? null : Instant.ofEpochMilli(r.firstA()).toString());
            d.put("first_b", r.firstB() == null ? null : Instant.ofEpochMilli(r.firstB()).toString());
        }
        return out;
    }

    private static String shift(Row r) {
        if (r.firstA() == null || r.firstB() == null) {
            return "";
        }
        long d = r.firstB() - r.firstA();
        return (d > 0 ? " +" : " -") + io.speechslo.policy.Durations.format(Duration.ofMillis(Math.abs(d)));
    }

    private static String time(Long t) {
        return t == null ? "-" : Instant.ofEpochMilli(t).toString().replace(":00Z", "Z");
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}
