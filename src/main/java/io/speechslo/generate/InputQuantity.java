package io.speechslo.generate;

import java.util.ArrayList;
import java.util.List;

/**
 * The knobs of the optional inputs a scenario can generate: serving samples (set in a service's
 * {@code serving:} section) and privacy events (its {@code privacy:} section). Like {@link Quantity},
 * each has a default, a valid range (settings outside it are rejected, adjusted values clamped to
 * it), and changes can adjust it from a point in time ({@code value * multiply + add}). They are kept
 * apart from the request quantities because they describe a pool or a service, not a request: no
 * slice ({@code where}) narrows them.
 */
public enum InputQuantity {
    GPU_UTIL("gpuUtil", Input.SERVING, 0.55, 0, 1,
            "mean GPU utilisation; each sample draws around it (sd 0.08), clamped to 0..1"),
    GPU_MEM_USED("gpuMemUsed", Input.SERVING, 0.6, 0, 1,
            "mean share of GPU memory in use; each sample draws around it (sd 0.03)"),
    QUEUE_DEPTH("queueDepth", Input.SERVING, 2, 0, 1_000_000, "mean requests waiting per replica (Poisson)"),
    WARM_POOL("warmPool", Input.SERVING, 1, 0, 1_000, "pre-warmed standby replicas of a pool (rounded)"),
    AUTOSCALER_LAG_S("autoscalerLagS", Input.SERVING, 60, 0, 86_400,
            "seconds from a scale-up request to its replica being ready (with serving.scaleUpEvery)"),
    FP32_SHARE("fp32Share", Input.SERVING, 0, 0, 1,
            "share of a pool's replicas (the first of them) that run at fp32 instead of serving.precision; no draw"),

    DEBUGGING_ACCESSES_PER_HOUR("debuggingAccessesPerHour", Input.PRIVACY, 1, 0, 1_000_000,
            "raw audio accesses for debugging, mean per hour"),
    LABELLING_ACCESSES_PER_HOUR("labellingAccessesPerHour", Input.PRIVACY, 20, 0, 1_000_000,
            "raw audio accesses for labelling, mean per hour"),
    REVIEW_ACCESSES_PER_HOUR("reviewAccessesPerHour", Input.PRIVACY, 2, 0, 1_000_000,
            "raw audio accesses for review, mean per hour"),
    OPT_IN_SHARE("optInShare", Input.PRIVACY, 1, 0, 1,
            "share of raw audio accesses whose speaker opted in (below 1: reviews without opt-in)"),
    REDACTIONS_PER_HOUR("redactionsPerHour", Input.PRIVACY, 60, 0, 1_000_000,
            "transcript redaction events, mean per hour"),
    REDACTION_FAILURE_RATE("redactionFailureRate", Input.PRIVACY, 0, 0, 1, "share of redaction events that FAILED"),
    RETENTION_DONE_SHARE("retentionDoneShare", Input.PRIVACY, 1, 0, 1,
            "share of the recordings due that a retention sweep deletes"),
    FIXTURE_COVERAGE("fixtureCoverage", Input.PRIVACY, 0.9, 0, 1,
            "share of the production slices a fixture run covers (each slice drawn independently)");

    /** Which input a quantity shapes. */
    public enum Input { SERVING, PRIVACY }

    private final String id;
    private final Input input;
    private final double value;
    private final double min;
    private final double max;
    private final String description;

    InputQuantity(String id, Input input, double value, double min, double max, String description) {
        this.id = id;
        this.input = input;
        this.value = value;
        this.min = min;
        this.max = max;
        this.description = description;
    }

    /** The name in scenario files. */
    public String id() {
        return id;
    }

    public Input input() {
        return input;
    }

    public double defaultValue() {
        return value;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    public String description() {
        return description;
    }

    /** {@code v} within this quantity's range. */
    double clamp(double v) {
        return Math.max(min, Math.min(max, v));
    }

    /** The quantity with this scenario name, or null. */
    public static InputQuantity byId(String id) {
        for (InputQuantity q : values()) {
            if (q.id.equals(id)) {
                return q;
            }
        }
        return null;
    }

    /** Names of the quantities of one input, for error messages. */
    public static List<String> ids(Input input) {
        List<String> l = new ArrayList<>();
        for (InputQuantity q : values()) {
            if (q.input == input) {
                l.add(q.id);
            }
        }
        return l;
    }
}
