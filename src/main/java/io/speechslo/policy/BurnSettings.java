package io.speechslo.policy;

import java.time.Duration;

/**
 * How burn rates are computed.
 *
 * @param pane granularity of the exact good/total counts kept per SLO (every alert window is a multiple of it)
 * @param minEvents a long window with fewer requests than this never alerts (a trickle cannot page)
 * @param reminder how often a standing alert is re-emitted
 */
public record BurnSettings(Duration pane, long minEvents, Duration reminder) {

    public BurnSettings {
        if (pane.isNegative() || pane.isZero() || reminder.isNegative() || reminder.isZero()) {
            throw new IllegalArgumentException("burn pane and reminder must be positive");
        }
        if (minEvents < 0) {
            throw new IllegalArgumentException("burn minEvents must be >= 0");
        }
    }

    public static final BurnSettings DEFAULT = new BurnSettings(Duration.ofSeconds(1), 100, Duration.ofMinutes(15));
}
