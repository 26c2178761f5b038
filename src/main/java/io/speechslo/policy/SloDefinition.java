package io.speechslo.policy;

import io.speechslo.metrics.Signal;

import java.time.Duration;
import java.util.List;

/**
 * A request-based SLO: of the requests that {@code total} selects, the share that {@code good} also
 * selects must be at least {@code objective} over a rolling {@code window}.
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
        List<BurnAlert> alerts) {

    public static final String ANY_SERVICE = "*";

    public SloDefinition {
        if (!(objective > 0 && objective < 1)) {
            throw new IllegalArgumentException(name + ": objective must be in (0, 1), so the error budget 1 - objective is > 0");
        }
        alerts = List.copyOf(alerts);
    }

    public boolean appliesTo(String svc) {
        return service.equals(ANY_SERVICE) || service.equals(svc);
    }
}
