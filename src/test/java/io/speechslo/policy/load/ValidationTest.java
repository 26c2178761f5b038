package io.speechslo.policy.load;

import io.speechslo.policy.SliceThreshold;
import io.speechslo.policy.SloDefinition;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Every kind of mistake fails at load time with {@code file:line: field: problem}. Each case edits one
 * valid file; the expected line is where the edited text sits in that file.
 */
class ValidationTest {

    @TempDir
    Path tmp;

    static final String SLO = String.join("\n",
            "apiVersion: openslo/v1",
            "kind: SLO",
            "metadata:",
            "  name: probe",
            "spec:",
            "  service: \"*\"",
            "  indicator:",
            "    spec:",
            "      ratioMetric:",
            "        good:",
            "          metricSource:",
            "            type: speech-telemetry",
            "            spec:",
            "              record: AsrRequest",
            "              where:",
            "                - {field: outcome, eq: OK}",
            "                - {field: first_partial_ms, lte: 300}",
            "        total:",
            "          metricSource:",
            "            type: speech-telemetry",
            "            spec:",
            "              record: AsrRequest  # total",
            "  timeWindow:",
            "    - duration: 30d",
            "      isRolling: true",
            "  budgetingMethod: Occurrences",
            "  objectives:",
            "    - target: 0.99",
            "  alertPolicies: [speech-burn-rate]",
            "");

    static final String THRESHOLD = String.join("\n",
            "apiVersion: openslo/v1",
            "kind: SLO",
            "metadata:",
            "  name: probe-threshold",
            "spec:",
            "  service: \"*\"",
            "  indicator:",
            "    spec:",
            "      thresholdMetric:",
            "        metricSource:",
            "          type: speech-scorecard",
            "          spec:",
            "            record: AsrRequest",
            "            metric: wer",
            "            minSamples: 30",
            "  timeWindow:",
            "    - duration: 30d",
            "      isRolling: true",
            "  budgetingMethod: Timeslices",
            "  objectives:",
            "    - op: lte",
            "      value: 0.25",
            "      target: 0.99",
            "      timeSliceWindow: 1m",
            "  alertPolicies: [speech-burn-rate]",
            "");

    static final String ALERTS = String.join("\n",
            "apiVersion: openslo/v1",
            "kind: AlertPolicy",
            "metadata:",
            "  name: probe-alerts",
            "spec:",
            "  conditions:",
            "    - kind: AlertCondition",
            "      metadata:",
            "        name: fast",
            "        annotations:",
            "          speechslo.io/short-window: 5m",
            "      spec:",
            "        severity: page",
            "        condition:",
            "          kind: burnrate",
            "          op: gte",
            "          threshold: 14.4",
            "          lookbackWindow: 1h",
            "");

    static final String GATE = String.join("\n",
            "apiVersion: speechslo.io/v1",
            "kind: ReleaseGatePolicy",
            "metadata: {name: default}",
            "spec:",
            "  service: \"*\"",
            "  falseDiscoveryRate: 0.05",
            "  maxSliceDimensions: 3",
            "  asr:",
            "    - {metric: wer, critical: true, relative: 0.05, minSamples: 500, minSliceSamples: 100}",
            "  tts:",
            "    - {metric: first_audio_p95_ms, critical: true, absolute: 250, tier: 1, minSamples: 2000, minSliceSamples: 400}",
            "");

    static final String GOOD = "spec.indicator.spec.ratioMetric.good.metricSource.spec";
    static final String TOTAL = "spec.indicator.spec.ratioMetric.total.metricSource.spec";
    static final String COND = "spec.conditions[0]";

    /** A mistake: {@code file} gets {@code base} with {@code from} replaced by {@code to}; the error is on the line of {@code marker}. */
    record Case(String what, String file, String base, String from, String to, String marker, String field, String problem) {
        String content() {
            return JobDir.edit(base, from, to);
        }

        Case withMarker(String m) {
            return new Case(what, file, base, from, to, m, field, problem);
        }

        @Override
        public String toString() {
            return what;
        }
    }

    static Case slo(String what, String from, String to, String field, String problem) {
        return new Case(what, "slos/probe.yaml", SLO, from, to, firstLine(to), field, problem);
    }

    static Case threshold(String what, String from, String to, String field, String problem) {
        return new Case(what, "slos/probe-threshold.yaml", THRESHOLD, from, to, firstLine(to), field, problem);
    }

    static Case alerts(String what, String from, String to, String field, String problem) {
        return new Case(what, "slos/probe-alerts.yaml", ALERTS, from, to, firstLine(to), field, problem);
    }

    static Case gate(String what, String from, String to, String field, String problem) {
        return new Case(what, "gates/default.yaml", GATE, from, to, firstLine(to), field, problem);
    }

    static Case shipped(String what, String file, String from, String to, String field, String problem) {
        return new Case(what, file, JobDir.shipped(file), from, to, firstLine(to), field, problem);
    }

    private static String firstLine(String s) {
        return s.split("\n")[0];
    }

    static List<Case> cases() {
        return List.of(
                // document header and keys
                slo("unknown kind", "kind: SLO", "kind: Service", "kind",
                        "unknown kind 'Service' (this file takes SLO, AlertPolicy)"),
                slo("unknown apiVersion", "apiVersion: openslo/v1", "apiVersion: openslo/v2", "apiVersion",
                        "unknown apiVersion 'openslo/v2' (this file takes openslo/v1)"),
                slo("typo in a key", "  budgetingMethod: Occurrences", "  budgetingMethd: Occurrences", "spec.budgetingMethd",
                        "unknown key 'budgetingMethd' (allowed here: description, service, indicator, timeWindow,"),
                slo("required key missing", "  service: \"*\"\n  indicator:", "  indicator:", "spec.service",
                        "required key is missing").withMarker("spec:\n  indicator:"),
                slo("not valid YAML", "  service: \"*\"", "  service: \"*\": all", "", "not valid YAML: mapping values are not allowed here"),
                // where predicates
                slo("unknown telemetry field", "{field: first_partial_ms, lte: 300}", "{field: first_partial, lte: 300}",
                        GOOD + ".where[1].field",
                        "unknown AsrRequest field 'first_partial' (valid: request_id, event_time, service, model_version,"
                                + " track, language, region, device, acoustic_condition, outcome, audio_ms, first_partial_ms,"),
                slo("ordering op on an enum", "{field: outcome, eq: OK}", "{field: outcome, lte: OK}", GOOD + ".where[0].lte",
                        "'lte' does not apply to never-null enum field 'outcome' (valid: eq, ne, in, notIn)"),
                slo("present on a never-null field", "{field: outcome, eq: OK}", "{field: outcome, present: true}",
                        GOOD + ".where[0].present", "'present' does not apply to never-null enum field 'outcome'"),
                slo("ordering op on a boolean", "{field: outcome, eq: OK}", "{field: fallback, gt: false}",
                        GOOD + ".where[0].gt", "'gt' does not apply to never-null boolean field 'fallback' (valid: eq, ne)"),
                slo("enum value not in the schema", "{field: outcome, eq: OK}", "{field: outcome, in: [OK, CANCELED]}",
                        GOOD + ".where[0].in[1]", "'CANCELED' is not a value of outcome (valid: OK, TIMEOUT, ERROR, CANCELLED)"),
                slo("two operators", "{field: first_partial_ms, lte: 300}", "{field: first_partial_ms, gte: 0, lte: 300}",
                        GOOD + ".where[1]", "a predicate needs exactly one operator of eq, ne, in, notIn, lt, lte, gt, gte, present, found gte, lte"),
                slo("unknown operator", "{field: first_partial_ms, lte: 300}", "{field: first_partial_ms, below: 300}",
                        GOOD + ".where[1].below", "unknown key 'below' (allowed here: field, eq, ne, in, notIn, lt, lte, gt, gte, present)"),
                slo("fraction for an integer field", "{field: first_partial_ms, lte: 300}", "{field: first_partial_ms, lte: 0.3}",
                        GOOD + ".where[1].lte", "must be a whole number, not '0.3'"),
                slo("bad instant", "{field: first_partial_ms, lte: 300}", "{field: event_time, gte: yesterday}",
                        GOOD + ".where[1].gte", "'yesterday' is not an instant"),
                slo("empty in list", "{field: outcome, eq: OK}", "{field: outcome, in: []}", GOOD + ".where[0].in",
                        "the list must not be empty"),
                slo("unknown record", "record: AsrRequest  # total", "record: Asr  # typo", TOTAL + ".record",
                        "unknown record 'Asr' (valid: AsrRequest, TtsRequest)"),
                slo("good and total on different records", "record: AsrRequest  # total", "record: TtsRequest", TOTAL + ".record",
                        "total reads TtsRequest but good reads AsrRequest"),
                slo("unknown metric source", "            type: speech-telemetry\n            spec:\n              record: AsrRequest  # total",
                        "            type: prometheus\n            spec:\n              record: AsrRequest", "spec.indicator.spec.ratioMetric.total.metricSource.type",
                        "unknown metric source type 'prometheus' (only speech-telemetry)"),
                // objective, window, budgeting
                slo("objective as a percentage", "target: 0.99", "target: 99.9", "spec.objectives[0].target",
                        "objective 99.9 must be in (0, 1)"),
                slo("objective of one", "target: 0.99", "target: 1", "spec.objectives[0].target", "objective 1.0 must be in (0, 1)"),
                slo("objective of zero", "target: 0.99", "target: 0", "spec.objectives[0].target", "objective 0.0 must be in (0, 1)"),
                slo("bad duration", "duration: 30d", "duration: 30days", "spec.timeWindow[0].duration",
                        "'30days' is not a duration"),
                slo("calendar window", "isRolling: true", "isRolling: false", "spec.timeWindow[0].isRolling",
                        "only rolling windows are supported"),
                slo("timeslices", "budgetingMethod: Occurrences", "budgetingMethod: Timeslices", "spec.budgetingMethod",
                        "budgetingMethod 'Timeslices' does not fit a ratioMetric (Occurrences: requests are counted)"),
                // references and duplicates
                slo("alert policy not defined", "[speech-burn-rate]", "[speech-burn]", "spec.alertPolicies[0]",
                        "alert policy 'speech-burn' is not defined (defined: speech-burn-rate)"),
                slo("alert window longer than the SLO window", "duration: 30d", "duration: 2d", "spec.alertPolicies[0]",
                        "condition 'ticket-3d' of 'speech-burn-rate' looks back 3d, longer than the SLO window 2d")
                        .withMarker("alertPolicies: [speech-burn-rate]"),
                slo("duplicate SLO name for the same service", "name: probe", "name: asr-availability", "metadata.name",
                        "duplicate SLO 'asr-availability' for service '*' (first defined at classpath:speechslo/job/slos/asr.yaml:"),
                slo("invalid name", "name: probe", "name: Probe_1", "metadata.name", "'Probe_1' is not a valid name"),
                // alert policies
                alerts("unknown severity", "severity: page", "severity: critical", COND + ".spec.severity",
                        "unknown severity 'critical' (valid: page, ticket)"),
                alerts("non-positive threshold", "threshold: 14.4", "threshold: -1", COND + ".spec.condition.threshold",
                        "burn-rate threshold must be > 0"),
                alerts("unsupported op", "op: gte", "op: lt", COND + ".spec.condition.op", "unsupported op 'lt'"),
                alerts("unknown condition kind", "kind: burnrate", "kind: budget", COND + ".spec.condition.kind",
                        "unknown condition kind 'budget' (only burnrate)"),
                alerts("short window longer than long", "speechslo.io/short-window: 5m", "speechslo.io/short-window: 2h",
                        COND + ".metadata.annotations.speechslo.io/short-window", "short window 2h exceeds the lookbackWindow 1h"),
                alerts("bad short window", "speechslo.io/short-window: 5m", "speechslo.io/short-window: five",
                        COND + ".metadata.annotations.speechslo.io/short-window", "'five' is not a duration"),
                alerts("typo in our annotation", "speechslo.io/short-window: 5m", "speechslo.io/short-windw: 5m",
                        COND + ".metadata.annotations.speechslo.io/short-windw", "unknown annotation 'speechslo.io/short-windw'"),
                alerts("window not a whole number of panes", "lookbackWindow: 1h", "lookbackWindow: 93500ms",
                        COND + ".spec.condition.lookbackWindow", "lookbackWindow 93500ms is not a whole number of burn panes (1s, burn.yaml)"),
                new Case("default short window not a whole number of panes", "slos/probe-alerts.yaml",
                        JobDir.edit(ALERTS, "        annotations:\n          speechslo.io/short-window: 5m\n", ""),
                        "lookbackWindow: 1h", "lookbackWindow: 65s", "lookbackWindow: 65s", COND + ".spec.condition.lookbackWindow",
                        "the default short window (lookbackWindow / 12 = 5416ms) is not a whole number of burn panes (1s);"
                                + " set the annotation speechslo.io/short-window"),
                alerts("condition typo", "        condition:", "        conditon:", COND + ".spec.conditon",
                        "unknown key 'conditon' (allowed here: description, severity, condition)"),
                alerts("duplicate alert policy", "name: probe-alerts", "name: speech-burn-rate", "metadata.name",
                        "duplicate AlertPolicy 'speech-burn-rate' (first defined at classpath:speechslo/job/slos/alerts.yaml:"),
                // gates
                gate("no limit", "critical: true, relative: 0.05, ", "critical: true, ", "spec.asr[0]",
                        "rule for 'wer' needs exactly one of relative, delta, absolute, found none")
                        .withMarker("{metric: wer, critical: true, minSamples"),
                gate("two limits", "relative: 0.05, ", "relative: 0.05, delta: 0.01, ", "spec.asr[0]",
                        "rule for 'wer' needs exactly one of relative, delta, absolute, found relative and delta"),
                gate("negative relative limit", "relative: 0.05", "relative: -0.05", "spec.asr[0].relative",
                        "limit must be >= 0, not -0.05"),
                gate("negative absolute limit", "absolute: 250", "absolute: -250", "spec.tts[0].absolute",
                        "limit must be >= 0, not -250.0"),
                gate("tier 3", "tier: 1", "tier: 3", "spec.tts[0].tier", "tier must be 1 or 2, not 3"),
                gate("metric of the other signal", "metric: first_audio_p95_ms", "metric: first_partial_p95_ms", "spec.tts[0].metric",
                        "unknown tts metric 'first_partial_p95_ms' (valid: first_audio_p95_ms, underrun_rate, chunk_gap_p95_ms,"
                                + " interruption_rate, abandonment_rate, preference, cost_per_generated_second, timeout_rate,"
                                + " error_rate, sensitive_logging_rate)"),
                gate("typo critcal", "critical: true, relative", "critcal: true, relative", "spec.asr[0].critcal",
                        "unknown key 'critcal' (allowed here: metric, critical, direction, relative, delta, absolute,"),
                gate("duplicate metric", "minSliceSamples: 100}", "minSliceSamples: 100}\n    - {metric: wer, critical: false, delta: 0.01, minSamples: 1, minSliceSamples: 1}",
                        "spec.asr[1].metric", "metric 'wer' already has a rule at line 9").withMarker("{metric: wer, critical: false"),
                gate("zero minSamples", "minSamples: 500", "minSamples: 0", "spec.asr[0].minSamples", "must be >= 1, not 0"),
                gate("unknown direction", "critical: true, relative", "critical: true, direction: either, relative",
                        "spec.asr[0].direction", "unknown direction 'either' (valid: lower_is_better, higher_is_better)"),
                gate("critical not a boolean", "critical: true, relative", "critical: maybe, relative", "spec.asr[0].critical",
                        "must be true or false, not 'maybe'"),
                gate("false discovery rate out of range", "falseDiscoveryRate: 0.05", "falseDiscoveryRate: 5",
                        "spec.falseDiscoveryRate", "must be in (0, 1)"),
                gate("promotion share zero", "maxSliceDimensions: 3", "maxSliceDimensions: 3\n  promotionMinShare: 0",
                        "spec.promotionMinShare", "must be in (0, 1], e.g. 0.02, not 0.0").withMarker("promotionMinShare: 0"),
                gate("promotion share above one", "maxSliceDimensions: 3", "maxSliceDimensions: 3\n  promotionMinShare: 1.5",
                        "spec.promotionMinShare", "must be in (0, 1], e.g. 0.02, not 1.5").withMarker("promotionMinShare: 1.5"),
                gate("promotion share a percentage", "maxSliceDimensions: 3", "maxSliceDimensions: 3\n  promotionMinShare: 2%",
                        "spec.promotionMinShare", "must be a number, not '2%'").withMarker("promotionMinShare: 2%"),
                gate("unknown sequential test", "maxSliceDimensions: 3", "maxSliceDimensions: 3\n  sequential: pocock",
                        "spec.sequential", "unknown sequential test 'pocock' (valid: always-valid, per-look)")
                        .withMarker("sequential: pocock"),
                gate("too many slice dimensions", "maxSliceDimensions: 3", "maxSliceDimensions: 5", "spec.maxSliceDimensions",
                        "must be 0..4, not 5"),
                gate("default gate without its settings", "  falseDiscoveryRate: 0.05\n  maxSliceDimensions: 3\n  asr:", "  asr:",
                        "spec.falseDiscoveryRate", "required key is missing").withMarker("spec:"),
                gate("wrong apiVersion", "apiVersion: speechslo.io/v1", "apiVersion: openslo/v1", "apiVersion",
                        "unknown apiVersion 'openslo/v1' (this file takes speechslo.io/v1)"),
                gate("wrong kind", "kind: ReleaseGatePolicy", "kind: GatePolicy", "kind",
                        "unknown kind 'GatePolicy' (this file takes ReleaseGatePolicy)"),
                // drift and burn
                // threshold SLOs
                threshold("threshold: unknown scorecard metric", "metric: wer", "metric: werr",
                        "spec.indicator.spec.thresholdMetric.metricSource.spec.metric", "'werr' is not a value of ASR SLICE scorecards (valid: wer, cer,"),
                threshold("threshold: a TTS metric for ASR", "metric: wer", "metric: preference",
                        "spec.indicator.spec.thresholdMetric.metricSource.spec.metric", "'preference' is not a value of ASR SLICE scorecards"),
                threshold("threshold: request counting", "budgetingMethod: Timeslices", "budgetingMethod: Occurrences",
                        "spec.budgetingMethod", "budgetingMethod 'Occurrences' does not fit a thresholdMetric (Timeslices"),
                threshold("threshold: unknown op", "op: lte", "op: le", "spec.objectives[0].op",
                        "unknown op 'le' (valid: lt, lte, gt, gte"),
                threshold("threshold: minSamples 0", "minSamples: 30", "minSamples: 0",
                        "spec.indicator.spec.thresholdMetric.metricSource.spec.minSamples", "minSamples must be >= 1, not 0"),
                threshold("threshold: telemetry source", "type: speech-scorecard", "type: speech-telemetry",
                        "spec.indicator.spec.thresholdMetric.metricSource.type",
                        "unknown metric source type 'speech-telemetry' for a thresholdMetric (only speech-scorecard"),
                threshold("threshold: both indicators", "      thresholdMetric:", "      ratioMetric: {}\n      thresholdMetric:",
                        "spec.indicator.spec", "an indicator needs exactly one of ratioMetric").withMarker("      ratioMetric: {}"),
                threshold("threshold: alert windows not whole timeslices", "timeSliceWindow: 1m", "timeSliceWindow: 7m",
                        "spec.alertPolicies[0]",
                        "condition 'page-1h' of 'speech-burn-rate': window 1h is not a whole number of the SLO's 7m timeslices")
                        .withMarker("alertPolicies: [speech-burn-rate]"),
                shipped("unknown drift feature", "drift.yaml", "features: [silence_ratio,", "features: [snr,", "spec.features[0]",
                        "unknown drift feature 'snr' (valid: silence_ratio, clipping_ratio, snr_db, speech_level_dbfs, traffic_share)"),
                shipped("minBaseline above baseline", "drift.yaml", "minBaseline: 1h", "minBaseline: 48h", "spec.minBaseline",
                        "minBaseline must not exceed baseline"),
                shipped("negative drift threshold", "drift.yaml", "relativeThreshold: 0.25", "relativeThreshold: -0.25",
                        "spec.relativeThreshold", "must be > 0, not -0.25"),
                shipped("zero pane", "burn.yaml", "pane: 1s", "pane: 0s", "spec.pane", "duration must be greater than zero"),
                shipped("pane not dividing a minute", "burn.yaml", "pane: 1s", "pane: 7s", "spec.pane",
                        "must divide a minute (burn panes are aligned to minutes and hours), not 7s"),
                shipped("pane not dividing an hour", "burn.yaml", "pane: 1s", "pane: 7m", "spec.pane",
                        "must divide an hour (burn panes are aligned to minutes and hours), not 7m"),
                shipped("typo in burn", "burn.yaml", "reminder: 15m", "remindr: 15m", "spec.remindr",
                        "unknown key 'remindr' (allowed here: pane, minEvents, reminder)"),
                shipped("duplicate key", "burn.yaml", "minEvents: 100", "minEvents: 100\n  minEvents: 200", "spec.minEvents",
                        "duplicate key").withMarker("minEvents: 200"),
                shipped("wrong kind in burn.yaml", "burn.yaml", "kind: BurnSettings", "kind: DriftPolicy", "kind",
                        "unknown kind 'DriftPolicy' (this file takes BurnSettings)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void failsWithFileLineAndField(Case c) {
        String content = c.content();
        Path file = JobDir.write(tmp, c.file(), content);
        int line = JobDir.lineOf(content, c.marker());

        PolicyException e = catchThrowableOfType(PolicyException.class, () -> PolicyLoader.load(tmp));

        assertThat(e).as("no error for: " + c.what()).isNotNull();
        String prefix = file + ":" + line + ": " + (c.field().isEmpty() ? "" : c.field() + ": ");
        assertThat(e.getMessage()).startsWith(prefix).contains(c.problem());
        assertThat(e.file()).isEqualTo(file.toString());
        assertThat(e.line()).isEqualTo(line);
        assertThat(e.field()).isEqualTo(c.field());
    }

    @Test
    void theUneditedProbeFilesAreValid() {
        JobDir.write(tmp, "slos/probe.yaml", SLO);
        JobDir.write(tmp, "slos/probe-alerts.yaml", ALERTS);
        JobDir.write(tmp, "gates/default.yaml", GATE);
        JobDir.write(tmp, "slos/probe-threshold.yaml", THRESHOLD);
        assertThat(PolicyLoader.load(tmp).slos()).extracting(s -> s.name()).contains("probe", "probe-threshold");
        SloDefinition t = PolicyLoader.load(tmp).slos().stream().filter(s -> s.name().equals("probe-threshold"))
                .findFirst().orElseThrow();
        assertThat(t.threshold()).isEqualTo(new SliceThreshold("wer", SliceThreshold.Op.LTE, 0.25, 30,
                java.time.Duration.ofMinutes(1)));
        assertThat(t.objective()).isEqualTo(0.99);
        assertThat(t.total()).isNull();
        assertThat(t.alerts()).hasSize(4);
    }

    @Test
    void duplicateSloInOneFileNamesTheFirstDefinition() {
        String two = SLO + "---\n" + SLO;
        Path file = JobDir.write(tmp, "slos/probe.yaml", two);
        int secondName = SLO.split("\n").length + 1 + JobDir.lineOf(SLO, "name: probe");
        assertThatThrownBy(() -> PolicyLoader.load(tmp))
                .isInstanceOf(PolicyException.class)
                .hasMessage(file + ":" + secondName + ": metadata.name: duplicate SLO 'probe' for service '*' (first defined at "
                        + file + ":" + JobDir.lineOf(SLO, "name: probe") + ")");
    }

    @Test
    void theSameSloNameForAnotherServiceIsAnOverrideNotADuplicate() {
        JobDir.write(tmp, "slos/probe.yaml", JobDir.edit(JobDir.edit(SLO, "name: probe", "name: asr-availability"),
                "service: \"*\"", "service: dictation"));
        assertThat(PolicyLoader.load(tmp).slos()).filteredOn(s -> s.name().equals("asr-availability")).hasSize(2);
    }

    @Test
    void withoutADefaultGateLoadingFails() {
        JobDir.write(tmp, "gates/default.yaml", JobDir.edit(GATE, "service: \"*\"", "service: dictation"));
        assertThatThrownBy(() -> PolicyLoader.load(tmp))
                .isInstanceOf(PolicyException.class)
                .hasMessage("gates/*.yaml: no ReleaseGatePolicy with service \"*\" (the default gate) is defined");
    }

    @Test
    void burnSettingsMustBeOneDocument() {
        String burn = JobDir.shipped("burn.yaml");
        Path file = JobDir.write(tmp, "burn.yaml", burn + "---\n" + burn);
        int second = (int) burn.chars().filter(c -> c == '\n').count() + 1 + JobDir.lineOf(burn, "apiVersion");
        assertThatThrownBy(() -> PolicyLoader.load(tmp))
                .isInstanceOf(PolicyException.class)
                .hasMessage(file + ":" + second + ": must hold exactly one document, found 2");
    }
}
