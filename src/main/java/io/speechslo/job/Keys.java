package io.speechslo.job;

import io.speechslo.metrics.Signal;

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
}
