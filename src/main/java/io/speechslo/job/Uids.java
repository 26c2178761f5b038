package io.speechslo.job;

/**
 * Operator uids and names. Uids are part of the savepoint contract: never rename one, only add new
 * ones. {@code pipeline.auto-generate-uids} is false, so a missing uid fails at submission.
 */
public final class Uids {

    public static final String SOURCE = "telemetry-source";
    /** Replaced the stateless "route-dead-letters" operator: dead letters are routed here now. */
    public static final String PRE_AGGREGATE = "slice-pane-pre-aggregate";
    public static final String GUARD = "cardinality-guard";
    public static final String AGGREGATE = "slice-pane-aggregate";
    public static final String BURN = "burn-rate";
    /** Added 2026-12-05 between the burn rates and the advisory sink; savepoints before hold no state for it. */
    public static final String PAGE_ATTRIBUTION = "page-attribution";
    public static final String GATE = "release-gate";
    public static final String DRIFT = "slice-drift";
    /**
     * Added 2026-12-05, stateless: the drift engine's threshold-SLO alerts (BURN_RATE), on their way to page
     * attribution, and its other advisories, on their way to the sink.
     */
    public static final String DRIFT_ALERTS = "slice-drift-alerts";
    public static final String DRIFT_OTHERS = "slice-drift-others";
    public static final String ADVISORY_SINK = "advisory-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    public static final String SCORECARD_SINK = "scorecard-sink";
    public static final String INPUTS_SOURCE = "inputs-source";
    public static final String INPUTS_ROUTE = "inputs-route";
    public static final String SERVING_SCORECARDS = "serving-scorecards";
    public static final String PRIVACY_SCORECARDS = "privacy-scorecards";

    private Uids() {}
}
