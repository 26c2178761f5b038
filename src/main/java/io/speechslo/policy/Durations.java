package io.speechslo.policy;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as written in policies: 30s, 5m, 1h, 30d, 2w (a number and one unit). */
public final class Durations {

    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d|w)");

    private Durations() {}

    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (write e.g. 30s, 5m, 1h, 30d)");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            case "d":
                return Duration.ofDays(n);
            default:
                return Duration.ofDays(7 * n);
        }
    }

    /** The shortest exact form: 90m stays 90m, 60m becomes 1h. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        long[] units = {7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000, 1};
        String[] names = {"w", "d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            if (ms % units[i] == 0 && ms >= units[i]) {
                return (ms / units[i]) + names[i];
            }
        }
        return ms + "ms";
    }
}
