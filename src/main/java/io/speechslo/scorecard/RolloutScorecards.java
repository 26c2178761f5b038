package io.speechslo.scorecard;

import io.speechslo.gate.RolloutTracker;
import io.speechslo.metrics.Signal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ROLLOUT scorecards of one service and signal over one gate interval: per candidate under way, its
 * stage (baseline, since when, the decision last published) and the canary's share of the user-facing
 * traffic in the window, for the executive view.
 */
public final class RolloutScorecards {

    private RolloutScorecards() {}

    /**
     * @param canaryRequests canary requests in the window, by version
     * @param stableRequests stable requests in the window, every version
     */
    public static List<Scorecard> of(String service, Signal signal, long windowStart, long windowEnd,
            List<RolloutTracker.Stage> stages, Map<String, Long> canaryRequests, long stableRequests) {
        List<Scorecard> out = new ArrayList<>();
        for (RolloutTracker.Stage s : stages) {
            long canary = canaryRequests.getOrDefault(s.candidate(), 0L);
            long both = canary + stableRequests;
            List<ScorecardValue> values = new ScorecardValues()
                    .count("canary_requests", canary, both)
                    .count("stable_requests", stableRequests, both)
                    .ratio("canary_share", canary, both, both)
                    .values();
            out.add(Scorecard.newBuilder()
                    .setKind(ScorecardKind.ROLLOUT)
                    .setService(service)
                    .setSignal(signal.name())
                    .setModelVersion(s.candidate())
                    .setTrack("CANARY")
                    .setSlice(new LinkedHashMap<>())
                    .setWindowStart(windowStart)
                    .setWindowEnd(windowEnd)
                    .setValues(values)
                    .setRollout(RolloutStage.newBuilder()
                            .setCandidate(s.candidate())
                            .setBaseline(s.baseline())
                            .setSince(s.since())
                            .setCanaryShare(both > 0 ? (double) canary / both : null)
                            .setDecision(s.decision() == null ? null : s.decision().name())
                            .setDecidedAt(s.decidedAt() == Long.MIN_VALUE ? null : s.decidedAt())
                            .build())
                    .build());
        }
        return out;
    }
}
