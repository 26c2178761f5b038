package io.speechslo.gate;

import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.GatePolicy;
import io.speechslo.slice.Slice;

import java.util.Map;

/**
 * What one release-gate evaluation compares: the candidate's canary traffic against the stable
 * track's traffic over the same time, each cut by full slice (every slice dimension of the signal).
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
        String policyVersion) {}
