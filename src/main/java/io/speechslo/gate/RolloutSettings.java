package io.speechslo.gate;

import java.time.Duration;

/**
 * When the release gate runs.
 *
 * @param interval evaluate every this much event time while a candidate receives traffic (default 1 min)
 * @param reminder re-emit a standing decision this often (default 15 min)
 * @param idleTimeout a candidate without canary traffic for this long has finished its rollout: its state is dropped (default 30 min)
 */
public record RolloutSettings(Duration interval, Duration reminder, Duration idleTimeout) implements java.io.Serializable {

    public static final RolloutSettings DEFAULT =
            new RolloutSettings(Duration.ofMinutes(1), Duration.ofMinutes(15), Duration.ofMinutes(30));

    public RolloutSettings {
        if (interval.toMillis() <= 0 || reminder.compareTo(interval) < 0 || idleTimeout.compareTo(interval) < 0) {
            throw new IllegalArgumentException("rollout interval must be > 0 and not exceed reminder or idle timeout");
        }
    }
}
