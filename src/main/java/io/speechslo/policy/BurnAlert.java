package io.speechslo.policy;

import java.time.Duration;

/**
 * One multi-window burn-rate condition: it fires when the burn rate over both the long and the short
 * window is at or above {@code factor} (SRE Workbook, chapter 5, alerting on SLOs).
 */
public record BurnAlert(String name, Severity severity, Duration longWindow, Duration shortWindow, double factor) {

    public BurnAlert {
        if (longWindow.isNegative() || longWindow.isZero() || shortWindow.isNegative() || shortWindow.isZero()) {
            throw new IllegalArgumentException(name + ": windows must be positive");
        }
        if (shortWindow.compareTo(longWindow) > 0) {
            throw new IllegalArgumentException(name + ": short window must not exceed the long window");
        }
        if (!(factor > 0)) {
            throw new IllegalArgumentException(name + ": burn-rate threshold must be > 0");
        }
    }
}
