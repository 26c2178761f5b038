package io.speechslo.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.html}: the same document as {@code report.md} (its Markdown, from the same {@link ReportModel}
 * JSON, turned into HTML) with the most harmed slice's metric drawn as an inline SVG chart. Self-contained:
 * styles inline, no script, no link, nothing fetched, so it opens on a console without network.
 */
final class HtmlReport {

    private HtmlReport() {}

    static String render(JsonNode r) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(r.path("title").asText()))
                .append("</title>\n<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}"
                        + "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 7px;text-align:left;"
                        + "vertical-align:top}th{background:#f3f3f3}pre{background:#f6f6f6;padding:1em;overflow:auto}"
                        + "svg text{font:11px sans-serif}</style></head><body>\n");
        String md = MarkdownReport.render(r);
        List<String> lines = List.of(md.split("\n", -1));
        boolean chartDone = false;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("```")) {
                h.append("<pre>");
                for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
                    h.append(esc(lines.get(i))).append('\n');
                }
                h.append("</pre>\n");
            } else if (l.startsWith("|")) {
                List<String> rows = new ArrayList<>();
                for (; i < lines.size() && lines.get(i).startsWith("|"); i++) {
                    rows.add(lines.get(i));
                }
                i--;
                table(h, rows);
            } else if (l.startsWith("### ")) {
                h.append("<h3>").append(inline(l.substring(4))).append("</h3>\n");
            } else if (l.startsWith("## ")) {
                h.append("<h2>").append(inline(l.substring(3))).append("</h2>\n");
                if (!chartDone && l.startsWith("## Detection gap")) {
                    chart(h, r.path("chart"));
                    chartDone = true;
                }
            } else if (l.startsWith("# ")) {
                h.append("<h1>").append(inline(l.substring(2))).append("</h1>\n");
            } else if (l.startsWith("- ")) {
                h.append("<ul>");
                for (; i < lines.size() && lines.get(i).startsWith("- "); i++) {
                    h.append("<li>").append(inline(lines.get(i).substring(2))).append("</li>");
                }
                i--;
                h.append("</ul>\n");
            } else if (!l.isBlank()) {
                h.append("<p>").append(inline(l)).append("</p>\n");
            }
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void table(StringBuilder h, List<String> rows) {
        h.append("<table>");
        for (int r = 0; r < rows.size(); r++) {
            if (r == 1 && rows.get(r).startsWith("|---")) {
                continue;
            }
            String tag = r == 0 ? "th" : "td";
            h.append("<tr>");
            for (String cell : cells(rows.get(r))) {
                h.append('<').append(tag).append('>').append(inline(cell)).append("</").append(tag).append('>');
            }
            h.append("</tr>");
        }
        h.append("</table>\n");
    }

    /** The cells of a Markdown table row (a cell's own "|" is escaped as "\|"). */
    private static List<String> cells(String row) {
        List<String> out = new ArrayList<>();
        StringBuilder c = new StringBuilder();
        for (int i = 1; i < row.length(); i++) {
            char ch = row.charAt(i);
            if (ch == '\\' && i + 1 < row.length() && row.charAt(i + 1) == '|') {
                c.append('|');
                i++;
            } else if (ch == '|') {
                out.add(c.toString().trim());
                c.setLength(0);
            } else {
                c.append(ch);
            }
        }
        return out;
    }

    private static String inline(String text) {
        return esc(text).replaceAll("\\*\\*(.+?)\\*\\*", "<strong>$1</strong>").replaceAll("`(.+?)`", "<code>$1</code>");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** The chart: the metric per minute, its baseline dashed, the timeline's moments as labelled lines. */
    private static void chart(StringBuilder h, JsonNode c) {
        if (c == null || c.isNull() || c.isMissingNode() || c.path("points").size() < 2) {
            return;
        }
        int w = 1000;
        int ht = 260;
        int left = 60;
        int right = 20;
        int top = 20;
        int bottom = 40;
        long t0 = c.path("points").get(0).get(0).asLong();
        long t1 = c.path("points").get(c.path("points").size() - 1).get(0).asLong();
        double max = c.path("baseline").asDouble();
        for (JsonNode p : c.path("points")) {
            max = Math.max(max, p.get(1).asDouble());
        }
        max = max <= 0 ? 1 : max * 1.1;
        double sx = (double) (w - left - right) / Math.max(1, t1 - t0);
        double sy = (ht - top - bottom) / max;
        h.append("<p>").append(esc(c.path("metric").asText())).append(" of ").append(esc(c.path("series").asText()))
                .append(" per minute; dashed: its baseline.</p>\n");
        h.append("<svg width=\"").append(w).append("\" height=\"").append(ht).append("\" viewBox=\"0 0 ").append(w).append(' ')
                .append(ht).append("\" role=\"img\">");
        h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", left,
                ht - bottom, w - right, ht - bottom));
        h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", left, top,
                left, ht - bottom));
        for (int i = 0; i <= 4; i++) {
            double v = max * i / 4;
            double y = ht - bottom - v * sy;
            h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", left - 4, y + 4,
                    ReportModel.num(v)));
        }
        StringBuilder pts = new StringBuilder();
        for (JsonNode p : c.path("points")) {
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + (p.get(0).asLong() - t0) * sx,
                    ht - bottom - p.get(1).asDouble() * sy));
        }
        h.append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"").append(pts.toString().trim())
                .append("\"/>");
        double by = ht - bottom - c.path("baseline").asDouble() * sy;
        h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#2ca02c\""
                + " stroke-dasharray=\"5,4\"/>", left, by, w - right, by));
        // The moments are numbered on the chart and named in a list under it: they often fall minutes
        // apart, where labels written beside their lines would run into each other.
        List<String> legend = new ArrayList<>();
        double lastX = Double.NEGATIVE_INFINITY;
        int row = 0;
        for (JsonNode m : c.path("marks")) {
            long t = m.path("time").asLong();
            if (t < t0 || t > t1) {
                continue;
            }
            double x = left + (t - t0) * sx;
            row = x - lastX < 14 ? row + 1 : 0;
            lastX = x;
            legend.add(String.format(Locale.ROOT, "<li>%s %s</li>",
                    esc(DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC).format(Instant.ofEpochMilli(t))),
                    esc(m.path("label").asText())));
            h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#d62728\""
                    + " stroke-opacity=\"0.6\"/><text x=\"%.1f\" y=\"%d\" fill=\"#d62728\">%d</text>", x, top, x, ht - bottom,
                    x + 2, top + 10 + 12 * (row % 8), legend.size()));
        }
        h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s"
                + "</text>", left, ht - 10, esc(Instant.ofEpochMilli(t0).toString()), w - right, ht - 10,
                esc(Instant.ofEpochMilli(t1).toString())));
        h.append("</svg>\n");
        if (!legend.isEmpty()) {
            h.append("<ol class=\"marks\">").append(String.join("", legend)).append("</ol>\n");
        }
    }
}
