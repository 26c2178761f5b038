package io.speechslo.console;

import io.speechslo.policy.Durations;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A view's filters from its query string: {@code service}, {@code version}, {@code range} (a duration
 * such as 15m, 6h, 1d, at most the console's history), {@code end} (an ISO-8601 instant, default the newest
 * data) and {@code dim} (a slice dimension). A malformed one is a {@link BadRequest} naming it.
 */
record ConsoleQuery(String service, String version, Duration range, Instant end, String dim) {

    static final Set<String> NAMES = Set.of("service", "version", "range", "end", "dim");

    /** A 400: the parameter and what is wrong with it. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    /** A 404: what is not there. */
    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }

    static ConsoleQuery parse(String rawQuery, Duration history) {
        Map<String, String> p = params(rawQuery);
        Duration range = Duration.ofHours(6);
        if (p.containsKey("range")) {
            try {
                range = Durations.parse(p.get("range"));
            } catch (RuntimeException e) {
                throw new BadRequest("query parameter 'range' must be a duration such as 15m, 6h or 1d, got '"
                        + p.get("range") + "'");
            }
            if (range.isZero() || range.isNegative() || range.compareTo(history) > 0) {
                throw new BadRequest("query parameter 'range' must be more than 0 and at most the console's history ("
                        + Durations.format(history) + "), got '" + p.get("range") + "'");
            }
        }
        Instant end = null;
        if (p.containsKey("end") && !p.get("end").isEmpty()) {
            try {
                end = Instant.parse(p.get("end"));
            } catch (DateTimeParseException e) {
                throw new BadRequest("query parameter 'end' must be an ISO-8601 instant such as 2026-01-05T10:00:00Z, got '"
                        + p.get("end") + "'");
            }
        }
        for (String name : new String[] {"service", "version", "dim"}) {
            String v = p.get(name);
            if (v != null && (v.length() > 200 || v.chars().anyMatch(Character::isISOControl))) {
                throw new BadRequest("query parameter '" + name + "' is not a valid name");
            }
        }
        return new ConsoleQuery(blankToNull(p.get("service")), blankToNull(p.get("version")), range, end,
                blankToNull(p.get("dim")));
    }

    static Map<String, String> params(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new BadRequest("query string is not URL-encoded: '" + pair + "'");
            }
            if (!NAMES.contains(name)) {
                throw new BadRequest("unknown query parameter '" + name + "' (known: service, version, range, end, dim)");
            }
            out.put(name, value);
        }
        return out;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
