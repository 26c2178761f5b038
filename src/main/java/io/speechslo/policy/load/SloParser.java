package io.speechslo.policy.load;

import io.speechslo.policy.BurnAlert;
import io.speechslo.policy.BurnSettings;
import io.speechslo.policy.Durations;
import io.speechslo.policy.RequestFilter;
import io.speechslo.policy.Severity;
import io.speechslo.policy.SliceThreshold;
import io.speechslo.policy.SloDefinition;
import io.speechslo.scorecard.SliceScorecards;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the OpenSLO v1 documents of job/slos/ (kinds SLO and AlertPolicy) into {@link SloDefinition}s.
 * AlertPolicy names are shared by all files, so references are resolved once every file is read.
 */
final class SloParser {

    /** Our OpenSLO extension: the short window of a burn-rate condition (default lookbackWindow / 12). */
    static final String SHORT_WINDOW = "speechslo.io/short-window";
    static final long DEFAULT_SHORT_DIVISOR = 12;

    private static final String ANNOTATION_PREFIX = "speechslo.io/";

    private record AlertPolicy(YamlNode name, List<BurnAlert> alerts) {}

    private record Pending(YamlNode name, String displayName, String service, TelemetrySchema schema, double objective,
            Duration window, RequestFilter total, RequestFilter good, SliceThreshold threshold,
            List<YamlNode> policyRefs) {}

    private record Source(TelemetrySchema schema, YamlNode record, RequestFilter filter) {}

    private record ThresholdSource(TelemetrySchema schema, String metric, long minSamples) {}

    /** The metric source of a threshold SLO's timeslices: the SLICE scorecards. */
    static final String SCORECARD_SOURCE = "speech-scorecard";

    private final BurnSettings burn;
    private final Map<String, AlertPolicy> policies = new LinkedHashMap<>();
    private final Map<String, YamlNode> sloNames = new LinkedHashMap<>();
    private final List<Pending> slos = new ArrayList<>();

    SloParser(BurnSettings burn) {
        this.burn = burn;
    }

    void document(YamlNode doc) {
        String kind = Documents.header(doc, Documents.OPENSLO, List.of("SLO", "AlertPolicy"));
        if (kind.equals("SLO")) {
            slo(doc);
        } else {
            alertPolicy(doc);
        }
    }

    private void slo(YamlNode doc) {
        YamlNode metadata = doc.req("metadata");
        YamlNode name = Documents.name(metadata);
        YamlNode spec = doc.req("spec").allow("description", "service", "indicator", "timeWindow", "budgetingMethod",
                "objectives", "alertPolicies");
        if (spec.has("description")) {
            spec.get("description").text();
        }
        String service = spec.req("service").text();
        String key = service + "\u0000" + name.text();
        YamlNode earlier = sloNames.putIfAbsent(key, name);
        if (earlier != null) {
            throw name.fail("duplicate SLO '" + name.text() + "' for service '" + service + "' (first defined at "
                    + earlier.where() + ")");
        }

        YamlNode indicator = spec.req("indicator").allow("metadata", "spec");
        if (indicator.has("metadata")) {
            Documents.name(indicator.get("metadata"));
        }
        YamlNode indicatorSpec = indicator.req("spec").allow("description", "ratioMetric", "thresholdMetric");
        boolean ratio = indicatorSpec.has("ratioMetric");
        if (ratio == indicatorSpec.has("thresholdMetric")) {
            throw indicatorSpec.fail("an indicator needs exactly one of ratioMetric (request counts) and thresholdMetric"
                    + " (a SLICE scorecard value judged per timeslice)");
        }
        Source good = null;
        Source total = null;
        ThresholdSource thresholdSource = null;
        if (ratio) {
            YamlNode ratioMetric = indicatorSpec.req("ratioMetric").allow("counter", "good", "total");
            if (ratioMetric.has("counter") && !ratioMetric.get("counter").bool()) {
                throw ratioMetric.get("counter").fail("speech-telemetry counts requests: counter must be true");
            }
            good = source(ratioMetric.req("good"));
            total = source(ratioMetric.req("total"));
            if (good.schema() != total.schema()) {
                throw total.record().fail("total reads " + total.schema().recordName() + " but good reads "
                        + good.schema().recordName() + "; both must read the same record");
            }
        } else {
            thresholdSource = thresholdSource(indicatorSpec.req("thresholdMetric"));
        }

        List<YamlNode> windows = spec.req("timeWindow").items();
        if (windows.size() != 1) {
            throw spec.get("timeWindow").fail("exactly one time window is supported, found " + windows.size());
        }
        YamlNode window = windows.get(0).allow("duration", "isRolling");
        YamlNode rolling = window.req("isRolling");
        if (!rolling.bool()) {
            throw rolling.fail("only rolling windows are supported (isRolling: true)");
        }
        YamlNode duration = window.req("duration");
        Duration windowLength = duration.duration();
        if (!isMultiple(windowLength, burn.pane())) {
            throw duration.fail(Durations.format(windowLength) + " is not a whole number of burn panes ("
                    + Durations.format(burn.pane()) + ", burn.yaml)");
        }

        YamlNode budgeting = spec.req("budgetingMethod");
        String method = ratio ? "Occurrences" : "Timeslices";
        if (!budgeting.text().equals(method)) {
            throw budgeting.fail("budgetingMethod '" + budgeting.text() + "' does not fit a "
                    + (ratio ? "ratioMetric (Occurrences: requests are counted)"
                            : "thresholdMetric (Timeslices: each timeslice is judged good or bad)"));
        }

        List<YamlNode> objectives = spec.req("objectives").items();
        if (objectives.size() != 1) {
            throw spec.get("objectives").fail("exactly one objective is supported, found " + objectives.size());
        }
        YamlNode objective = ratio ? objectives.get(0).allow("displayName", "target")
                : objectives.get(0).allow("displayName", "target", "op", "value", "timeSliceWindow");
        YamlNode target = objective.req("target");
        double t = target.number();
        if (!(t > 0 && t < 1)) {
            throw target.fail("objective " + t + " must be in (0, 1), e.g. 0.999 for 99.9%");
        }
        SliceThreshold threshold = ratio ? null : threshold(thresholdSource, objective);

        List<YamlNode> refs = spec.has("alertPolicies") ? spec.get("alertPolicies").items() : List.of();
        for (YamlNode ref : refs) {
            ref.text();
        }
        slos.add(ratio
                ? new Pending(name, Documents.displayName(metadata), service, good.schema(), t, windowLength,
                        total.filter(), good.filter(), null, refs)
                : new Pending(name, Documents.displayName(metadata), service, thresholdSource.schema(), t,
                        windowLength, null, null, threshold, refs));
    }

    private static Source source(YamlNode side) {
        side.allow("metricSource");
        YamlNode metricSource = side.req("metricSource").allow("type", "spec");
        YamlNode type = metricSource.req("type");
        if (!type.text().equals("speech-telemetry")) {
            throw type.fail("unknown metric source type '" + type.text() + "' (only speech-telemetry)");
        }
        YamlNode spec = metricSource.req("spec").allow("record", "where");
        YamlNode record = spec.req("record");
        TelemetrySchema schema = TelemetrySchema.byRecordName(record.text());
        if (schema == null) {
            throw record.fail("unknown record '" + record.text() + "' (valid: "
                    + String.join(", ", TelemetrySchema.recordNames()) + ")");
        }
        return new Source(schema, record, WhereCompiler.compile(schema, spec.get("where")));
    }

    private static ThresholdSource thresholdSource(YamlNode thresholdMetric) {
        thresholdMetric.allow("metricSource");
        YamlNode metricSource = thresholdMetric.req("metricSource").allow("type", "spec");
        YamlNode type = metricSource.req("type");
        if (!type.text().equals(SCORECARD_SOURCE)) {
            throw type.fail("unknown metric source type '" + type.text() + "' for a thresholdMetric (only "
                    + SCORECARD_SOURCE + ": a value of the SLICE scorecards)");
        }
        YamlNode spec = metricSource.req("spec").allow("record", "metric", "minSamples");
        YamlNode record = spec.req("record");
        TelemetrySchema schema = TelemetrySchema.byRecordName(record.text());
        if (schema == null) {
            throw record.fail("unknown record '" + record.text() + "' (valid: "
                    + String.join(", ", TelemetrySchema.recordNames()) + ")");
        }
        YamlNode metric = spec.req("metric");
        List<String> names = SliceScorecards.names(schema.signal());
        if (!names.contains(metric.text()) || metric.text().equals("requests")) {
            throw metric.fail("'" + metric.text() + "' is not a value of " + schema.signal() + " SLICE scorecards (valid: "
                    + String.join(", ", names.stream().filter(n -> !n.equals("requests")).toList()) + ")");
        }
        long minSamples = 1;
        if (spec.has("minSamples")) {
            YamlNode n = spec.get("minSamples");
            minSamples = n.integer();
            if (minSamples < 1) {
                throw n.fail("minSamples must be >= 1, not " + minSamples);
            }
        }
        return new ThresholdSource(schema, metric.text(), minSamples);
    }

    private static SliceThreshold threshold(ThresholdSource source, YamlNode objective) {
        YamlNode opNode = objective.req("op");
        SliceThreshold.Op op = null;
        for (SliceThreshold.Op o : SliceThreshold.Op.values()) {
            if (o.id().equals(opNode.text())) {
                op = o;
            }
        }
        if (op == null) {
            throw opNode.fail("unknown op '" + opNode.text() + "' (valid: lt, lte, gt, gte: how a good timeslice's value"
                    + " compares with value)");
        }
        YamlNode valueNode = objective.req("value");
        double value = valueNode.number();
        if (!Double.isFinite(value)) {
            throw valueNode.fail("value must be a finite number");
        }
        Duration timeslice = Duration.ofMinutes(1);
        if (objective.has("timeSliceWindow")) {
            YamlNode w = objective.get("timeSliceWindow");
            timeslice = w.duration();
            if (timeslice.isZero() || timeslice.isNegative()) {
                throw w.fail("timeSliceWindow must be positive");
            }
        }
        return new SliceThreshold(source.metric(), op, value, source.minSamples(), timeslice);
    }

    private void alertPolicy(YamlNode doc) {
        YamlNode name = Documents.name(doc.req("metadata"));
        if (policies.containsKey(name.text())) {
            throw name.fail("duplicate AlertPolicy '" + name.text() + "' (first defined at "
                    + policies.get(name.text()).name().where() + ")");
        }
        YamlNode spec = doc.req("spec").allow("description", "conditions");
        if (spec.has("description")) {
            spec.get("description").text();
        }
        List<YamlNode> conditions = spec.req("conditions").items();
        if (conditions.isEmpty()) {
            throw spec.get("conditions").fail("an alert policy needs at least one condition");
        }
        List<BurnAlert> alerts = new ArrayList<>();
        Map<String, YamlNode> seen = new LinkedHashMap<>();
        for (YamlNode c : conditions) {
            BurnAlert alert = condition(c);
            YamlNode first = seen.putIfAbsent(alert.name(), c);
            if (first != null) {
                throw c.fail("duplicate condition '" + alert.name() + "' in this policy (first at line " + first.line() + ")");
            }
            alerts.add(alert);
        }
        policies.put(name.text(), new AlertPolicy(name, alerts));
    }

    private BurnAlert condition(YamlNode c) {
        c.allow("kind", "metadata", "spec");
        YamlNode kind = c.req("kind");
        if (!kind.text().equals("AlertCondition")) {
            throw kind.fail("unknown kind '" + kind.text() + "' (conditions are written inline as kind: AlertCondition)");
        }
        YamlNode metadata = c.req("metadata");
        String name = Documents.name(metadata).text();
        YamlNode spec = c.req("spec").allow("description", "severity", "condition");
        if (spec.has("description")) {
            spec.get("description").text();
        }
        YamlNode severityNode = spec.req("severity");
        Severity severity;
        switch (severityNode.text().toLowerCase(Locale.ROOT)) {
            case "page":
                severity = Severity.PAGE;
                break;
            case "ticket":
                severity = Severity.TICKET;
                break;
            default:
                throw severityNode.fail("unknown severity '" + severityNode.text() + "' (valid: page, ticket)");
        }
        YamlNode cond = spec.req("condition").allow("kind", "op", "threshold", "lookbackWindow");
        YamlNode condKind = cond.req("kind");
        if (!condKind.text().equals("burnrate")) {
            throw condKind.fail("unknown condition kind '" + condKind.text() + "' (only burnrate)");
        }
        YamlNode op = cond.req("op");
        if (!op.text().equals("gte")) {
            throw op.fail("unsupported op '" + op.text() + "' (only gte: fire at or above the threshold)");
        }
        YamlNode thresholdNode = cond.req("threshold");
        double threshold = thresholdNode.number();
        if (!(threshold > 0)) {
            throw thresholdNode.fail("burn-rate threshold must be > 0, not " + threshold);
        }
        YamlNode longNode = cond.req("lookbackWindow");
        Duration longWindow = longNode.duration();
        checkPanes(longNode, longWindow, "lookbackWindow");

        Duration shortWindow = shortWindow(metadata, longWindow, longNode);
        try {
            return new BurnAlert(name, severity, longWindow, shortWindow, threshold);
        } catch (IllegalArgumentException e) {
            throw c.fail(e.getMessage());
        }
    }

    private Duration shortWindow(YamlNode metadata, Duration longWindow, YamlNode longNode) {
        YamlNode annotations = metadata.get("annotations");
        YamlNode shortNode = null;
        if (annotations != null) {
            for (String key : annotations.keys()) {
                if (key.startsWith(ANNOTATION_PREFIX) && !key.equals(SHORT_WINDOW)) {
                    throw annotations.get(key).fail("unknown annotation '" + key + "' (ours: " + SHORT_WINDOW + ")");
                }
            }
            shortNode = annotations.get(SHORT_WINDOW);
        }
        if (shortNode == null) {
            Duration derived = longWindow.dividedBy(DEFAULT_SHORT_DIVISOR);
            if (derived.isZero() || !isMultiple(derived, burn.pane())) {
                throw longNode.fail("the default short window (lookbackWindow / 12 = " + Durations.format(derived)
                        + ") is not a whole number of burn panes (" + Durations.format(burn.pane())
                        + "); set the annotation " + SHORT_WINDOW);
            }
            return derived;
        }
        Duration shortWindow = shortNode.duration();
        checkPanes(shortNode, shortWindow, SHORT_WINDOW);
        if (shortWindow.compareTo(longWindow) > 0) {
            throw shortNode.fail("short window " + Durations.format(shortWindow) + " exceeds the lookbackWindow "
                    + Durations.format(longWindow));
        }
        return shortWindow;
    }

    private void checkPanes(YamlNode node, Duration d, String what) {
        if (!isMultiple(d, burn.pane())) {
            throw node.fail(what + " " + Durations.format(d) + " is not a whole number of burn panes ("
                    + Durations.format(burn.pane()) + ", burn.yaml)");
        }
    }

    private static boolean isMultiple(Duration d, Duration unit) {
        return d.toMillis() % unit.toMillis() == 0;
    }

    /** Resolves the alert policy references; call once every slos file has been read. */
    List<SloDefinition> finish() {
        List<SloDefinition> out = new ArrayList<>();
        for (Pending p : slos) {
            List<BurnAlert> alerts = new ArrayList<>();
            for (YamlNode ref : p.policyRefs()) {
                AlertPolicy policy = policies.get(ref.text());
                if (policy == null) {
                    throw ref.fail("alert policy '" + ref.text() + "' is not defined (defined: "
                            + (policies.isEmpty() ? "none" : String.join(", ", policies.keySet())) + ")");
                }
                for (BurnAlert a : policy.alerts()) {
                    if (a.longWindow().compareTo(p.window()) > 0) {
                        throw ref.fail("condition '" + a.name() + "' of '" + ref.text() + "' looks back "
                                + Durations.format(a.longWindow()) + ", longer than the SLO window "
                                + Durations.format(p.window()));
                    }
                    if (p.threshold() != null) {
                        long slice = p.threshold().timeslice().toMillis();
                        for (Duration w : List.of(a.longWindow(), a.shortWindow(), p.window())) {
                            if (w.toMillis() % slice != 0) {
                                throw ref.fail("condition '" + a.name() + "' of '" + ref.text() + "': window "
                                        + Durations.format(w) + " is not a whole number of the SLO's "
                                        + Durations.format(p.threshold().timeslice()) + " timeslices");
                            }
                        }
                    }
                    alerts.add(a);
                }
            }
            out.add(new SloDefinition(p.name().text(), p.displayName(), p.service(), p.schema().signal(), p.objective(),
                    p.window(), p.total(), p.good(), alerts, p.threshold()));
        }
        return out;
    }
}
