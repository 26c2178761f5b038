package io.speechslo.job;

import io.speechslo.metrics.Signal;
import io.speechslo.policy.SloDefinition;

import java.util.List;

/** Key strings of the keyed operators. Parts are joined with a NUL, which no part may contain. */
final class Keys {

    static final char SEP = '\u0000';

    private Keys() {}

    static String service(String service, Signal signal) {
        return service + SEP + signal.name();
    }

    static String slice(PaneRecord r) {
        return r.service + SEP + r.signal.name() + SEP + r.track.name() + SEP + r.version + SEP + r.slice;
    }

    static String[] split(String key) {
        return key.split(String.valueOf(SEP), -1);
    }

    /** The SLO of {@code slos} that a monitor key ({@code slo NUL ...}) names, or null when it is gone. */
    static SloDefinition slo(List<SloDefinition> slos, String key) {
        String name = split(key)[0];
        return slos.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }
}
