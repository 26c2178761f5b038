package io.speechslo.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The pieces a view is made of, as JSON the page's script draws without knowing what they mean:
 * figures, tables (every cell addressable as {@code tr[data-row] td[data-col]}), time charts on one
 * shared x axis, and heatmaps. Numbers are formatted here, once, so the page and its tests agree.
 */
final class Blocks {

    static final ObjectMapper JSON = new ObjectMapper();

    private final ArrayNode blocks = JSON.createArrayNode();

    ArrayNode json() {
        return blocks;
    }

    void note(String id, String text, String cls) {
        blocks.addObject().put("type", "note").put("id", id).put("text", text).put("cls", cls);
    }

    /** A row of headline figures. */
    Figures figures(String id, String title) {
        ObjectNode b = blocks.addObject().put("type", "figures").put("id", id).put("title", title);
        return new Figures(b.putArray("items"));
    }

    static final class Figures {
        private final ArrayNode items;

        Figures(ArrayNode items) {
            this.items = items;
        }

        Figures add(String id, String label, String value, String detail, String cls) {
            items.addObject().put("id", id).put("label", label).put("value", value).put("detail", detail)
                    .put("cls", cls);
            return this;
        }
    }

    Table table(String id, String title, String... columns) {
        ObjectNode b = blocks.addObject().put("type", "table").put("id", id).put("title", title);
        ArrayNode cols = b.putArray("columns");
        for (String c : columns) {
            int bar = c.indexOf('|');
            cols.addObject().put("id", bar < 0 ? c : c.substring(0, bar)).put("label", bar < 0 ? c : c.substring(bar + 1));
        }
        return new Table(b, b.putArray("rows"));
    }

    static final class Table {
        private final ObjectNode block;
        private final ArrayNode rows;

        Table(ObjectNode block, ArrayNode rows) {
            this.block = block;
            this.rows = rows;
        }

        Row row(String key) {
            ObjectNode r = rows.addObject().put("key", key);
            return new Row(r.putObject("cells"));
        }

        Table empty(String text) {
            block.put("empty", text);
            return this;
        }
    }

    static final class Row {
        private final ObjectNode cells;

        Row(ObjectNode cells) {
            this.cells = cells;
        }

        Row put(String col, String text) {
            cells.putObject(col).put("t", text);
            return this;
        }

        Row put(String col, String text, String cls) {
            cells.putObject(col).put("t", text).put("c", cls);
            return this;
        }

        Row link(String col, String text, String href) {
            cells.putObject(col).put("t", text).put("href", href);
            return this;
        }
    }

    /** A time chart: every series on the x axis of the window ends any of them has. */
    Chart chart(String id, String title, String unit) {
        return new Chart(blocks.addObject().put("type", "chart").put("id", id).put("title", title).put("unit", unit));
    }

    static final class Chart {
        private final ObjectNode block;
        private final List<String> labels = new ArrayList<>();
        private final List<TreeMap<Long, Double>> points = new ArrayList<>();
        private final List<Boolean> dashed = new ArrayList<>();
        private final TreeSet<Long> xs = new TreeSet<>();
        private final List<Double> thresholds = new ArrayList<>();

        Chart(ObjectNode block) {
            this.block = block;
        }

        /** A line from a series' metric over (from, to]; nothing when it has no value there. */
        Chart line(String label, ScorecardStore.Series s, int metric, long from, long to) {
            TreeMap<Long, Double> p = new TreeMap<>();
            if (metric >= 0) {
                for (int r = s.firstAfter(from); r < s.rows() && s.end(r) <= to; r++) {
                    double v = s.value(r, metric);
                    if (!Double.isNaN(v)) {
                        p.put(s.end(r), v);
                    }
                }
            }
            return points(label, p, false);
        }

        Chart points(String label, TreeMap<Long, Double> p, boolean dash) {
            if (!p.isEmpty()) {
                labels.add(label);
                points.add(p);
                dashed.add(dash);
                xs.addAll(p.keySet());
            }
            return this;
        }

        /** Draws every line as steps (a value holds until the next one), for decisions and other states. */
        Chart stepped() {
            block.put("stepped", true);
            return this;
        }

        /** A flat dashed line (a threshold) across the chart. */
        Chart threshold(String label, double value) {
            labels.add(label);
            points.add(null);
            dashed.add(true);
            thresholds.add(value);
            return this;
        }


        boolean hasData() {
            return !xs.isEmpty();
        }

        /** Writes the aligned arrays; called once the lines are in. */
        void done() {
            ArrayNode x = block.putArray("x");
            for (long t : xs) {
                x.add(t / 1000);
            }
            ArrayNode series = block.putArray("series");
            int th = 0;
            for (int i = 0; i < labels.size(); i++) {
                ObjectNode s = series.addObject().put("label", labels.get(i)).put("dash", dashed.get(i));
                ArrayNode ys = s.putArray("y");
                TreeMap<Long, Double> p = points.get(i);
                double flat = p == null ? thresholds.get(th++) : Double.NaN;
                for (long t : xs) {
                    Double v = p == null ? Double.valueOf(flat) : p.get(t);
                    if (v == null || v.isNaN()) {
                        ys.addNull();
                    } else {
                        ys.add(v);
                    }
                }
            }
        }
    }

    /** A grid of colored cells: relative change, red above zero, blue below. */
    void heatmap(String id, String title, List<String> rows, List<String> cols, Map<String, double[]> cells,
            String legend) {
        ObjectNode b = blocks.addObject().put("type", "heatmap").put("id", id).put("title", title)
                .put("legend", legend);
        b.putArray("rows").addAll(rows.stream().map(JSON.getNodeFactory()::textNode).toList());
        b.putArray("cols").addAll(cols.stream().map(JSON.getNodeFactory()::textNode).toList());
        ArrayNode grid = b.putArray("cells");
        for (String r : rows) {
            ArrayNode line = grid.addArray();
            for (String c : cols) {
                double[] v = cells.get(r + "\u0000" + c);
                ObjectNode cell = line.addObject();
                if (v == null || Double.isNaN(v[0])) {
                    cell.put("t", "n/a").putNull("v");
                } else {
                    cell.put("t", signedPercent(v[0])).put("v", v[0]).put("n", (long) v[1]);
                }
            }
        }
    }

    // ---------------------------------------------------------------- formatting

    private static final Set<String> PERCENT = Set.of("wer", "cer", "budget_remaining", "canary_share",
            "gpu_util_mean", "gpu_mem_used_ratio_max", "fixture_coverage", "preference", "sli", "objective",
            "affected_share_1h", "bad_timeslice_share_1h");

    /** A metric's value for people: shares in percent, latencies in ms, money in dollars. */
    static String metric(String name, double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (PERCENT.contains(name) || name.endsWith("_rate") || name.endsWith("_share")) {
            return percent(v);
        }
        if (name.endsWith("_ms")) {
            return String.format(Locale.ROOT, "%.0f ms", v);
        }
        if (name.endsWith("_usd") || name.startsWith("cost_")) {
            return String.format(Locale.ROOT, v != 0 && Math.abs(v) < 1 ? "$%.4f" : "$%.2f", v);
        }
        if (name.startsWith("burn_rate_")) {
            return String.format(Locale.ROOT, "%.2f×", v);
        }
        return number(v);
    }

    static String percent(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double p = v * 100;
        return String.format(Locale.ROOT, Math.abs(p) >= 10 ? "%.1f%%" : "%.2f%%", p);
    }

    static String signedPercent(double v) {
        return (v > 0 ? "+" : "") + percent(v);
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : Math.abs(v) >= 1 ? "%.2f" : "%.4f", v);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
