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

    /**
     * The parts of a key, empty ones included (as {@code key.split(SEP, -1)}), found with indexOf: engines
     * split their key at every timer, and String.split's list and copies cost more than the parts.
     */
    static String[] split(String key) {
        int parts = 1;
        for (int i = key.indexOf(SEP); i >= 0; i = key.indexOf(SEP, i + 1)) {
            parts++;
        }
        String[] out = new String[parts];
        int from = 0;
        for (int p = 0; p < parts - 1; p++) {
            int to = key.indexOf(SEP, from);
            out[p] = key.substring(from, to);
            from = to + 1;
        }
        out[parts - 1] = key.substring(from);
        return out;
    }

    /**
     * The SLO of {@code slos} that a monitor key ({@code slo NUL ...}) names, or null when it is gone.
     * Compared in place: the key's first part is not cut out of it.
     */
    static SloDefinition slo(List<SloDefinition> slos, String key) {
        int end = key.indexOf(SEP);
        int length = end < 0 ? key.length() : end;
        for (SloDefinition s : slos) {
            String name = s.name();
            if (name.length() == length && key.startsWith(name)) {
                return s;
            }
        }
        return null;
    }
}
