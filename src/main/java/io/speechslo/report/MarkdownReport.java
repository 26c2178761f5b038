package io.speechslo.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** {@code report.md}: the report document ({@link ReportModel}) as Markdown, for a postmortem or a ticket. */
final class MarkdownReport {

    private MarkdownReport() {}

    static String render(JsonNode r) {
        StringBuilder s = new StringBuilder();
        JsonNode d = r.path("data");
        s.append("# ").append(r.path("title").asText()).append("\n\n");
        s.append("Telemetry ").append(d.path("from").asText()).append(" to ").append(d.path("to").asText())
                .append(" (").append(d.path("input").asText()).append("), policies ").append(d.path("policy_version").asText())
                .append(". Baseline: ").append(d.path("baseline_from").asText()).append(" to ")
                .append(d.path("baseline_to").asText()).append(". Incident window: ")
                .append(d.path("incident_window").path("from").asText()).append(" to ")
                .append(d.path("incident_window").path("to").asText()).append(" (")
                .append(d.path("incident_window").path("source").asText()).append(").\n\n");

        s.append("## Timeline\n\n| time | since onset | event | detail |\n|---|---|---|---|\n");
        for (JsonNode e : r.path("timeline")) {
            row(s, e.path("time").asText(), t(e.path("since_onset")), e.path("event").asText(), e.path("detail").asText());
        }
        JsonNode det = r.path("detection");
        JsonNode m = det.path("earliest_possible_page");
        s.append("\n## Detection gap\n\n");
        s.append("- Onset: ").append(t(det.path("onset"))).append("; first detection: ").append(t(det.path("first_detection")))
                .append(" (first PAGE ").append(t(det.path("first_page"))).append(", first gate advisory ")
                .append(t(det.path("first_gate_advisory"))).append(").\n");
        s.append("- **Detection gap: ").append(t(det.path("gap"))).append("** (page gap ").append(t(det.path("page_gap")))
                .append(").\n");
        s.append("- Earliest the burn-rate alerts could have paged at the observed error rate: **")
                .append(m.path("after").isNull() ? "never" : m.path("after").asText()).append("**")
                .append(m.has("slo") ? " (" + m.path("slo").asText() + ", " + m.path("series").asText() + "): " : ": ")
                .append(m.path("why").asText()).append(".\n");

        s.append("\n## User impact by slice\n\n").append(r.path("impact").path("definition").asText()).append(".\n");
        for (JsonNode g : r.path("impact").path("metrics")) {
            s.append("\n### ").append(g.path("metric").asText()).append(" (").append(g.path("service").asText()).append(")\n\n");
            s.append("| slice | versions | affected requests | share of slice | duration | baseline → value | change |\n")
                    .append("|---|---|---|---|---|---|---|\n");
            if (g.has("whole_service")) {
                impactRow(s, g.path("whole_service"));
            }
            for (JsonNode i : g.path("slices")) {
                impactRow(s, i);
            }
            if (g.path("more_slices").asLong() > 0) {
                s.append("\n(").append(g.path("more_slices").asLong()).append(" more slices in report.json)\n");
            }
        }
        s.append("\n### Error budget per SLO\n\n| SLO | counts | worst series | bad share before → during | burn | earliest page"
                + " | budget consumed |\n|---|---|---|---|---|---|---|\n");
        for (JsonNode o : r.path("slos")) {
            row(s, o.path("slo").asText(), o.path("counts").asText(), o.path("worst_series").asText(),
                    ReportModel.pct(o.path("bad_share_before").asDouble()) + " → " + ReportModel.pct(o.path("bad_share_during").asDouble()),
                    ReportModel.num(o.path("burn_rate").asDouble()) + "x",
                    o.path("earliest_page_after").isNull() ? "never" : o.path("earliest_page_after").asText() + " ("
                            + o.path("earliest_page_alert").asText() + ")",
                    o.path("budget_consumed").isNull() ? "-" : ReportModel.pct(o.path("budget_consumed").asDouble())
                            + " (" + o.path("budget_series").asText() + ")");
        }

        s.append("\n## The gate's view of the candidate\n");
        for (JsonNode st : r.path("gate")) {
            s.append("\n**").append(st.path("time").asText()).append(" ").append(st.path("decision").asText()).append("** ")
                    .append(st.path("candidate").asText()).append(" (canary share ")
                    .append(st.path("canary_share").isNull() ? "-" : ReportModel.pct(st.path("canary_share").asDouble()))
                    .append("): ").append(st.path("summary").asText()).append("\n\n");
            s.append("| metric | slice | action | verdict | value | baseline | limit | samples |\n|---|---|---|---|---|---|---|---|\n");
            for (JsonNode f : st.path("findings")) {
                row(s, f.path("metric").asText(), f.path("slice").asText(), f.path("action").asText() + " ("
                        + f.path("reason").asText() + ")", t(f.path("verdict")), n(f.path("value")), n(f.path("baseline")),
                        n(f.path("limit")), f.path("samples").asLong() + " / " + f.path("baseline_samples").asLong());
            }
        }
        for (JsonNode g : r.path("gate_stages")) {
            s.append("\n### Stages of ").append(g.path("rollout").asText()).append(" (as of ").append(g.path("as_of").asText())
                    .append(")\n\n| since | canary share | decision |\n|---|---|---|\n");
            for (JsonNode e : g.path("stages")) {
                row(s, e.path("since").asText(), ReportModel.pct(e.path("canary_share").asDouble()), e.path("decision").asText());
            }
        }
        s.append("\n## Hints\n\n");
        if (r.path("hints").isEmpty()) {
            s.append("The advisories carry no hints.\n");
        }
        for (JsonNode h : r.path("hints")) {
            s.append("- ").append(h.path("time").asText()).append(" ").append(h.path("kind").asText()).append(" ")
                    .append(h.path("decision").asText()).append(": ").append(h.path("hint").asText()).append('\n');
        }
        s.append("\n## What would have caught it\n\n| policies | first detection | after window start | by | false alarms"
                + " outside the window |\n|---|---|---|---|---|\n");
        for (JsonNode c : r.path("what_would_have_caught_it")) {
            StringBuilder fa = new StringBuilder(String.valueOf(c.path("false_alarms").asInt()));
            if (!c.path("false_alarm_list").isEmpty()) {
                fa.append(": ");
                c.path("false_alarm_list").forEach(x -> fa.append(x.asText()).append("; "));
            }
            row(s, c.path("config").asText(), t(c.path("first_detection")), t(c.path("after_start")), t(c.path("by")),
                    fa.toString().replaceAll("; $", ""));
        }
        s.append("\n## Evidence\n\n").append(r.path("evidence").path("note").asText()).append("\n");
        JsonNode f = r.path("follow_up");
        s.append("\n## Follow-up\n\n| action | owner | deadline |\n|---|---|---|\n");
        for (String section : List.of("remediation", "release_gate_changes")) {
            for (JsonNode i : f.path(section)) {
                row(s, i.path("action").asText(), "", "");
            }
        }
        if (!f.path("fixtures").path("scenario").isNull()) {
            row(s, "Add the synthetic fixture `" + f.path("fixtures").path("file").asText() + "` (slices: "
                    + f.path("fixtures").path("slices").asText() + ") to the release's fixture runs", "", "");
        }
        row(s, f.path("follow_up_check").asText(), "", "");
        if (!f.path("fixtures").path("scenario").isNull()) {
            s.append("\nNew synthetic fixtures (`").append(f.path("fixtures").path("file").asText()).append("`):\n\n```yaml\n")
                    .append(f.path("fixtures").path("scenario").asText()).append("```\n");
        }
        return s.toString();
    }

    private static void impactRow(StringBuilder s, JsonNode i) {
        row(s, i.path("slice").asText(), i.path("versions").asText(), String.format(java.util.Locale.ROOT, "%,d",
                i.path("affected_requests").asLong()), ReportModel.pct(i.path("share_affected").asDouble()),
                i.path("duration").asText(), ReportModel.num(i.path("baseline").asDouble()) + " → "
                        + ReportModel.num(i.path("value").asDouble()),
                i.path("relative_change").isNull() ? "new" : (i.path("relative_change").asDouble() >= 0 ? "+" : "")
                        + ReportModel.pct(i.path("relative_change").asDouble()));
    }

    private static void row(StringBuilder s, String... cells) {
        s.append('|');
        for (String c : cells) {
            s.append(' ').append(c.replace("|", "\\|").replace("\n", " ")).append(" |");
        }
        s.append('\n');
    }

    private static String t(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? "-" : n.asText();
    }

    private static String n(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode() ? "-" : ReportModel.num(v.asDouble());
    }
}
