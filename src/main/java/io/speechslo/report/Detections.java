package io.speechslo.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A replay's alarms measured against an incident window: which began outside it (false alarms), and which
 * detect (a PAGE, or the gate's ROLLBACK or PAUSE). Alerting: PAGE, TICKET, ROLLBACK, INVESTIGATE, and a PAUSE for a
 * regression (a PAUSE for missing or too few samples is the gate waiting, not an alarm). Advisories form
 * streams (kind, service, model version, SLO); a run of one alerting decision in a stream is one alarm,
 * its reminders included. A false alarm is a run that starts before the window, or after it in a stream that
 * did not alert during it (an alert still standing after recovery is the incident's tail, not a new alarm).
 */
final class Detections {

    /** One alarm: a run of one alerting decision in one stream. */
    record Alarm(String kind, String decision, String service, String version, String slo, long first, long last,
            String summary) {}

    final List<Alarm> falseAlarms;
    final List<Alarm> alarms;

    Detections(List<JsonNode> advisories, long start, long end) {
        this.alarms = alarms(advisories);
        List<Alarm> falses = new ArrayList<>();
        for (Alarm a : alarms) {
            boolean streamAlertedDuring = alarms.stream().anyMatch(o -> sameStream(o, a) && o.last() >= start && o.first() <= end);
            if (a.first() < start && a.last() < start || a.first() > end && !streamAlertedDuring) {
                falses.add(a);
            }
        }
        this.falseAlarms = falses;
    }

    /** An alarm that detects an incident: a PAGE, or the release gate's ROLLBACK or PAUSE (for a regression). */
    static boolean detects(Alarm a) {
        return a.decision().equals("PAGE") || a.kind().equals("ROLLOUT");
    }

    /** The moment an alarm detected the incident: its first advisory, or the window start if it stood already. */
    static long detectedAt(Alarm a, long start) {
        return Math.max(a.first(), start);
    }

    static boolean alerting(JsonNode a) {
        String d = a.path("decision").asText();
        switch (d) {
            case "PAGE", "TICKET", "ROLLBACK", "INVESTIGATE":
                return true;
            case "PAUSE":
                for (JsonNode f : a.path("findings")) {
                    if (f.path("reason").asText().equals("regression")) {
                        return true;
                    }
                }
                return false;
            default:
                return false;
        }
    }

    private static boolean sameStream(Alarm x, Alarm y) {
        return x.kind().equals(y.kind()) && x.service().equals(y.service()) && eq(x.version(), y.version())
                && eq(x.slo(), y.slo());
    }

    private static boolean eq(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }

    static List<Alarm> alarms(List<JsonNode> advisories) {
        Map<String, List<JsonNode>> streams = new LinkedHashMap<>();
        for (JsonNode a : advisories) {
            streams.computeIfAbsent(String.join("\u0000", a.path("kind").asText(), a.path("service").asText(),
                    String.valueOf(ReplayData.text(a.get("model_version"))), String.valueOf(ReplayData.text(a.get("slo")))),
                    k -> new ArrayList<>()).add(a);
        }
        List<Alarm> out = new ArrayList<>();
        for (List<JsonNode> s : streams.values()) {
            s.sort(Comparator.comparingLong(a -> a.path("window_end").asLong()));
            JsonNode runStart = null;
            long runLast = 0;
            for (JsonNode a : s) {
                boolean alert = alerting(a);
                boolean same = runStart != null && alert && runStart.path("decision").asText().equals(a.path("decision").asText());
                if (same) {
                    runLast = a.path("window_end").asLong();
                    continue;
                }
                if (runStart != null) {
                    out.add(alarm(runStart, runLast));
                    runStart = null;
                }
                if (alert) {
                    runStart = a;
                    runLast = a.path("window_end").asLong();
                }
            }
            if (runStart != null) {
                out.add(alarm(runStart, runLast));
            }
        }
        out.sort(Comparator.comparingLong(Alarm::first));
        return out;
    }

    private static Alarm alarm(JsonNode a, long last) {
        return new Alarm(a.path("kind").asText(), a.path("decision").asText(), a.path("service").asText(),
                ReplayData.text(a.get("model_version")), ReplayData.text(a.get("slo")), a.path("window_end").asLong(), last,
                a.path("summary").asText());
    }
}
