package io.speechslo.policy;

import io.speechslo.metrics.Signal;

import java.time.Duration;
import java.util.List;

/**
 * An SLO, of one of two kinds:
 * <ul>
 *   <li>request-based (OpenSLO {@code ratioMetric}, {@code Occurrences}): of the requests that
 *       {@code total} selects, the share that {@code good} also selects must be at least {@code objective}
 *       over a rolling {@code window}, per service and model version;
 *   <li>threshold (OpenSLO {@code thresholdMetric}, {@code Timeslices}; {@code threshold} set, {@code total}
 *       and {@code good} null): of the judged timeslices, the share whose slice value meets the threshold
 *       must be at least {@code objective}, on every slice of up to two dimensions and the whole service,
 *       per model version.
 * </ul>
 * Both burn their error budget the same way and share the alert policies.
 *
 * @param service the service it applies to, or {@code "*"} for every service without its own SLO of that name
 */
public record SloDefinition(
        String name,
        String displayName,
        String service,
        Signal signal,
        double objective,
        Duration window,
        RequestFilter total,
        RequestFilter good,
        List<BurnAlert> alerts,
        SliceThreshold threshold) {

    public static final String ANY_SERVICE = "*";

    public SloDefinition {
        if (!(objective > 0 && objective < 1)) {
            throw new IllegalArgumentException(name + ": objective must be in (0, 1), so the error budget 1 - objective is > 0");
        }
        alerts = List.copyOf(alerts);
        if ((threshold == null) == (total == null || good == null)) {
            throw new IllegalArgumentException(name + ": an SLO has either good and total request filters or a threshold");
        }
    }

    /** A request-based SLO. */
    public SloDefinition(String name, String displayName, String service, Signal signal, double objective,
            Duration window, RequestFilter total, RequestFilter good, List<BurnAlert> alerts) {
        this(name, displayName, service, signal, objective, window, total, good, alerts, null);
    }

    /** A threshold SLO, judged per slice and timeslice. */
    public static SloDefinition threshold(String name, String displayName, String service, Signal signal,
            double objective, Duration window, SliceThreshold threshold, List<BurnAlert> alerts) {
        return new SloDefinition(name, displayName, service, signal, objective, window, null, null, alerts, threshold);
    }

    public boolean isThreshold() {
        return threshold != null;
    }

    public boolean appliesTo(String svc) {
        return service.equals(ANY_SERVICE) || service.equals(svc);
    }
}
