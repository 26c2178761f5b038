package io.speechslo.gate;

import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.GatePolicy;
import io.speechslo.slice.Slice;

import java.util.Map;

/**
 * What one release-gate evaluation compares: the candidate's canary traffic against the stable
 * track's traffic over the same time, each cut by full slice (every slice dimension of the signal).
 *
 * @param since event time the compared traffic starts at (the candidate's first pane), so the gate can
 *     tell how long more samples take at the rate so far; {@link Long#MIN_VALUE} when unknown
 */
public record GateInput(
        String service,
        Signal signal,
        String candidateVersion,
        String stableVersion,
        Map<Slice, MetricSet> canary,
        Map<Slice, MetricSet> stable,
        GatePolicy policy,
        long windowEnd,
        String policyVersion,
        long since) {

    /** An input whose start is unknown: inconclusive findings then say how many samples, not how long. */
    public GateInput(String service, Signal signal, String candidateVersion, String stableVersion,
            Map<Slice, MetricSet> canary, Map<Slice, MetricSet> stable, GatePolicy policy, long windowEnd,
            String policyVersion) {
        this(service, signal, candidateVersion, stableVersion, canary, stable, policy, windowEnd, policyVersion,
                Long.MIN_VALUE);
    }

    /** Event time elapsed since {@link #since}, or -1 when unknown. */
    public long elapsedMillis() {
        return since == Long.MIN_VALUE || windowEnd <= since ? -1 : windowEnd - since;
    }
}
