package io.speechslo.gate;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.Decision;
import io.speechslo.fixtures.GatePolicies;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.GatePolicy;
import io.speechslo.slice.RequestSlices;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Track;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class RolloutTrackerTest {

    private static final GatePolicy POLICY = GatePolicies.standard();
    private static final long MIN = 60_000;
    private static final long T0 = 1_700_000_000_000L - 1_700_000_000_000L % MIN;

    /** requests per minute per track over some minutes; the canary's WER multiplied by werFactor from minute regressAt. */
    private static List<AsrRequest> traffic(long seed, int minutes, int perMinute, double werFactor, int regressAt) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<AsrRequest> out = new ArrayList<>();
        String[] regions = {"us-east-1", "eu-west-1"};
        for (int m = 0; m < minutes; m++) {
            for (Track track : new Track[] {Track.STABLE, Track.CANARY, Track.SHADOW}) {
                for (int i = 0; i < perMinute; i++) {
                    double p = 0.1 * (track == Track.CANARY && m >= regressAt ? werFactor : 1.0);
                    int words = 20;
                    int errors = 0;
                    for (int w = 0; w < words; w++) {
                        errors += rnd.nextDouble() < p ? 1 : 0;
                    }
                    out.add(Requests.asr("asr-prod", track == Track.CANARY ? "v2" : track == Track.SHADOW ? "v3" : "v1",
                                    track, "en-US", regions[rnd.nextInt(2)], "mobile", "quiet")
                            .setEventTime(Instant.ofEpochMilli(T0 + m * MIN + rnd.nextInt((int) MIN)))
                            .setRefWords(words).setWordErrors(errors).setEntityTotal(4).setEntityErrors(rnd.nextInt(10) == 0 ? 1 : 0)
                            .setCostUsd(0.0004)
                            .build());
                }
            }
        }
        return out;
    }

    /** Feeds requests in the given order, evaluating at every minute boundary the stream has passed. */
    private static List<Advisory> run(RolloutTracker t, List<AsrRequest> requests, long until) {
        List<Advisory> out = new ArrayList<>();
        for (AsrRequest r : requests) {
            assertThat(t.add(r.getTrack(), r.getModelVersion(), r.getEventTime().toEpochMilli(), RequestSlices.of(r), r)).isTrue();
        }
        for (long end = T0 + MIN; end <= until; end += MIN) {
            out.addAll(t.evaluate(end, POLICY, "p1"));
        }
        return out;
    }

    private static RolloutTracker tracker() {
        return new RolloutTracker("asr-prod", Signal.ASR, RolloutSettings.DEFAULT);
    }

    @Test
    void healthyRolloutSpeaksOnceThenOnlyAsAReminder() {
        List<Advisory> out = run(tracker(), traffic(1, 40, 600, 1.0, 99), T0 + 40 * MIN);

        // one minute of traffic is too little for the critical metrics' minimum samples: pause, never pass
        assertThat(out.get(0).getDecision()).isEqualTo(Decision.PAUSE);
        assertThat(out.get(0).getFindings()).anySatisfy(f -> assertThat(f.getReason()).isEqualTo("insufficient_data"));
        // then continue once, and only reminders every 15 minutes of event time while it stands
        assertThat(out).extracting(Advisory::getDecision)
                .containsExactly(Decision.PAUSE, Decision.CONTINUE, Decision.CONTINUE, Decision.CONTINUE);
        assertThat(out).extracting(Advisory::getWindowEnd)
                .containsExactly(T0 + MIN, T0 + 2 * MIN, T0 + 17 * MIN, T0 + 32 * MIN);
        assertThat(out.get(1).getModelVersion()).isEqualTo("v2");
        assertThat(out.get(1).getBaselineVersion()).isEqualTo("v1");
    }

    @Test
    void aRegressionMidRolloutFlipsTheDecisionWhenItIsSeen() {
        List<Advisory> out = run(tracker(), traffic(2, 12, 800, 1.4, 4), T0 + 12 * MIN);

        assertThat(out.get(1).getDecision()).isEqualTo(Decision.CONTINUE);
        Advisory rollback = out.stream().filter(a -> a.getDecision() == Decision.ROLLBACK).findFirst().orElseThrow();
        assertThat(rollback.getWindowEnd()).isGreaterThan(T0 + 4 * MIN);
        assertThat(rollback.getRollbackTo()).isEqualTo("v1");
        assertThat(out).extracting(Advisory::getDecision).containsSubsequence(Decision.CONTINUE, Decision.ROLLBACK);
    }

    @Test
    void arrivalOrderDoesNotChangeTheAdvisories() {
        List<AsrRequest> requests = traffic(3, 10, 500, 1.3, 3);
        List<Advisory> inOrder = run(tracker(), requests, T0 + 10 * MIN);
        List<AsrRequest> shuffled = new ArrayList<>(requests);
        Collections.shuffle(shuffled, new Random(42));
        List<Advisory> outOfOrder = run(tracker(), shuffled, T0 + 10 * MIN);

        assertThat(inOrder).isNotEmpty();
        assertThat(outOfOrder).isEqualTo(inOrder);
    }

    @Test
    void snapshotAndRestoreMidRolloutChangesNothing() throws IOException {
        List<AsrRequest> requests = traffic(4, 10, 500, 1.3, 3);
        List<Advisory> straight = run(tracker(), requests, T0 + 10 * MIN);

        RolloutTracker first = tracker();
        List<AsrRequest> early = requests.stream().filter(r -> r.getEventTime().toEpochMilli() < T0 + 5 * MIN).toList();
        List<AsrRequest> late = requests.stream().filter(r -> r.getEventTime().toEpochMilli() >= T0 + 5 * MIN).toList();
        List<Advisory> out = new ArrayList<>(run(first, early, T0 + 4 * MIN));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        first.writeTo(new DataOutputStream(bytes));
        RolloutTracker restored = RolloutTracker.readFrom("asr-prod", Signal.ASR, RolloutSettings.DEFAULT,
                new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        for (AsrRequest r : late) {
            restored.add(r.getTrack(), r.getModelVersion(), r.getEventTime().toEpochMilli(), RequestSlices.of(r), r);
        }
        for (long end = T0 + 5 * MIN; end <= T0 + 10 * MIN; end += MIN) {
            out.addAll(restored.evaluate(end, POLICY, "p1"));
        }

        assertThat(out).isEqualTo(straight);
    }

    @Test
    void rollUpsKeptUpToDateGiveExactlyWhatRollingUpAfreshGives() throws IOException {
        // one tracker keeps its roll-ups from evaluation to evaluation; the other is restored from bytes
        // before every evaluation, so it rolls every slice up again each time
        List<AsrRequest> requests = traffic(6, 12, 700, 1.35, 5);
        RolloutTracker kept = tracker();
        RolloutTracker rebuilt = tracker();
        List<Advisory> fromKept = new ArrayList<>();
        List<Advisory> fromRebuilt = new ArrayList<>();
        for (long end = T0 + MIN; end <= T0 + 12 * MIN; end += MIN) {
            long from = end - MIN;
            long to = end;
            for (AsrRequest r : requests) {
                long t = r.getEventTime().toEpochMilli();
                if (t >= from && t < to) {
                    kept.add(r.getTrack(), r.getModelVersion(), t, RequestSlices.of(r), r);
                    rebuilt.add(r.getTrack(), r.getModelVersion(), t, RequestSlices.of(r), r);
                }
            }
            fromKept.addAll(kept.evaluate(end, POLICY, "p1"));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            rebuilt.writeTo(new DataOutputStream(bytes));
            rebuilt = RolloutTracker.readFrom("asr-prod", Signal.ASR, RolloutSettings.DEFAULT,
                    new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            fromRebuilt.addAll(rebuilt.evaluate(end, POLICY, "p1"));
        }
        assertThat(fromKept).extracting(Advisory::getDecision).contains(Decision.ROLLBACK);
        assertThat(fromKept).isEqualTo(fromRebuilt);
    }

    /**
     * Panes handed over ({@link RolloutTracker#addTaking}, kept as they are) and panes copied
     * ({@link RolloutTracker#add(Track, String, long, long, io.speechslo.slice.Slice, MetricSet, CohortSums)})
     * give the same advisories and the same state bytes, and a set copied stays the caller's.
     */
    @Test
    void panesHandedOverGiveWhatCopiedPanesGive() throws IOException {
        List<AsrRequest> requests = traffic(8, 8, 400, 1.3, 3);
        RolloutTracker taking = tracker();
        RolloutTracker copying = tracker();
        List<Advisory> fromTaking = new ArrayList<>();
        List<Advisory> fromCopying = new ArrayList<>();
        for (long end = T0 + MIN; end <= T0 + 8 * MIN; end += MIN) {
            java.util.Map<String, MetricSet> panes = new java.util.TreeMap<>();
            java.util.Map<String, AsrRequest> first = new java.util.TreeMap<>();
            for (AsrRequest r : requests) {
                long t = r.getEventTime().toEpochMilli();
                if (t >= end - MIN && t < end) {
                    String key = r.getTrack() + "/" + r.getModelVersion() + "/" + RequestSlices.of(r).key();
                    panes.computeIfAbsent(key, k -> new MetricSet(Signal.ASR)).add(r);
                    first.putIfAbsent(key, r);
                }
            }
            for (var e : panes.entrySet()) {
                AsrRequest r = first.get(e.getKey());
                MetricSet mine = e.getValue();
                long requestsBefore = mine.requests();
                assertThat(copying.add(r.getTrack(), r.getModelVersion(), end - 1, end - 1, RequestSlices.of(r), mine,
                        null)).isTrue();
                MetricSet copy = new MetricSet(Signal.ASR);
                copy.merge(mine);
                assertThat(taking.addTaking(r.getTrack(), r.getModelVersion(), end - 1, end - 1, RequestSlices.of(r),
                        copy, null)).isTrue();
                assertThat(mine.requests()).isEqualTo(requestsBefore);
            }
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            taking.writeTo(new DataOutputStream(a));
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            copying.writeTo(new DataOutputStream(b));
            assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
            fromTaking.addAll(taking.evaluate(end, POLICY, "p1"));
            fromCopying.addAll(copying.evaluate(end, POLICY, "p1"));
        }
        assertThat(fromTaking).isNotEmpty().isEqualTo(fromCopying);
    }

    @Test
    void lateRequestsAreRefusedAndShadowNeverCounts() {
        RolloutTracker t = tracker();
        run(t, traffic(5, 3, 600, 1.0, 99), T0 + 3 * MIN);
        AsrRequest late = Requests.asr().setTrack(Track.CANARY).setModelVersion("v2")
                .setEventTime(Instant.ofEpochMilli(T0 + 2 * MIN + 5)).build();
        assertThat(t.add(Track.CANARY, "v2", T0 + 2 * MIN + 5, RequestSlices.of(late), late)).isFalse();
        assertThat(t.candidates()).containsExactly("v2"); // v3 only ever served SHADOW traffic
    }

    @Test
    void aFinishedRolloutIsForgotten() {
        RolloutTracker t = tracker();
        run(t, traffic(6, 5, 600, 1.0, 99), T0 + 5 * MIN);
        assertThat(t.isEmpty()).isFalse();
        for (long end = T0 + 6 * MIN; end <= T0 + 40 * MIN; end += MIN) {
            t.evaluate(end, POLICY, "p1");
        }
        assertThat(t.candidates()).isEmpty();
        assertThat(t.isEmpty()).isTrue();
        assertThat(t.pendingPanes()).isEmpty();
    }

    @Test
    void aRollbackIsHeldForTheRestOfTheRollout() {
        // the canary regresses for minutes 3-4 only, then behaves: more data dilutes the regression
        List<AsrRequest> requests = new ArrayList<>(traffic(7, 3, 800, 1.0, 99));
        requests.addAll(traffic(8, 2, 800, 1.6, 0).stream()
                .map(r -> AsrRequest.newBuilder(r).setEventTime(Instant.ofEpochMilli(r.getEventTime().toEpochMilli() + 3 * MIN)).build())
                .toList());
        requests.addAll(traffic(9, 43, 800, 1.0, 99).stream()
                .map(r -> AsrRequest.newBuilder(r).setEventTime(Instant.ofEpochMilli(r.getEventTime().toEpochMilli() + 5 * MIN)).build())
                .toList());
        List<Advisory> out = run(tracker(), requests, T0 + 48 * MIN);

        int first = 0;
        while (out.get(first).getDecision() != Decision.ROLLBACK) {
            first++;
        }
        List<Advisory> after = out.subList(first, out.size());
        assertThat(after).hasSizeGreaterThan(1).allSatisfy(a -> assertThat(a.getDecision()).isEqualTo(Decision.ROLLBACK));
        // later evaluations would have continued on their own, and say so
        assertThat(after.get(after.size() - 1).getSummary()).startsWith("ROLLBACK held since ")
                .contains("the latest evaluation alone says: CONTINUE");
        // a held rollback is never promotable, whatever the latest evaluation alone would say
        assertThat(after).allSatisfy(a -> assertThat(a.getPromotable()).isFalse());
    }

    @Test
    void shadowTrafficOfACandidateStaysOutOfItsGateCostIncluded() {
        List<AsrRequest> requests = traffic(10, 6, 800, 1.0, 99);
        // v2 also serves SHADOW traffic: three times the cost per minute, every request timing out
        List<AsrRequest> withShadow = new ArrayList<>(requests);
        for (AsrRequest r : requests) {
            if (r.getTrack() == Track.CANARY) {
                withShadow.add(AsrRequest.newBuilder(r).setTrack(Track.SHADOW).setCostUsd(0.0012)
                        .setOutcome(io.speechslo.telemetry.Outcome.TIMEOUT).build());
            }
        }
        List<Advisory> shadowed = run(tracker(), withShadow, T0 + 6 * MIN);
        List<Advisory> plain = run(tracker(), requests, T0 + 6 * MIN);

        Advisory last = shadowed.get(shadowed.size() - 1);
        io.speechslo.advisory.Finding cost = last.getFindings().stream()
                .filter(f -> f.getMetric().equals("cost_per_audio_minute") && f.getSlice().isEmpty()).findFirst().orElseThrow();
        long canaryBefore = requests.stream().filter(r -> r.getTrack() == Track.CANARY
                && r.getEventTime().toEpochMilli() < last.getWindowEnd()).count();
        assertThat(cost.getSamples()).isEqualTo(canaryBefore); // the canary's own requests, not their shadow twins
        assertThat(cost.getValue()).isLessThan(1.2 * cost.getBaseline());
        assertThat(cost.getAction()).isEqualTo(io.speechslo.advisory.Action.CONTINUE);
        // the shadow timeouts never reach a user-facing metric
        io.speechslo.advisory.Finding errors = last.getFindings().stream()
                .filter(f -> f.getMetric().equals("timeout_rate") && f.getSlice().isEmpty()).findFirst().orElseThrow();
        assertThat(errors.getValue()).isZero();
        // the gate says exactly what it says without the shadow traffic
        assertThat(shadowed).isEqualTo(plain);
    }

    /**
     * {@code perMinute} requests a minute, each on the canary with the minute's probability in
     * {@code shares} (healthy: the same WER on both tracks).
     */
    private static List<AsrRequest> shares(long seed, int perMinute, double... shares) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<AsrRequest> out = new ArrayList<>();
        for (int m = 0; m < shares.length; m++) {
            for (int i = 0; i < perMinute; i++) {
                boolean canary = rnd.nextDouble() < shares[m];
                int errors = 0;
                for (int w = 0; w < 20; w++) {
                    errors += rnd.nextDouble() < 0.1 ? 1 : 0;
                }
                out.add(Requests.asr("asr-prod", canary ? "v2" : "v1", canary ? Track.CANARY : Track.STABLE, "en-US",
                                "us-east-1", "mobile", "quiet")
                        .setEventTime(Instant.ofEpochMilli(T0 + m * MIN + rnd.nextInt((int) MIN)))
                        .setRefWords(20).setWordErrors(errors).setEntityTotal(4).setEntityErrors(0).setCostUsd(0.0004)
                        .build());
            }
        }
        return out;
    }

    private static double[] minutes(double share, int n) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, share);
        return out;
    }

    private static double[] concat(double[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    @Test
    void aRampGivesOneStagePerStepFromTheMinuteItMoved() {
        // 5% for 10 minutes, 25% for 10, then 50%: three stages, whatever the decisions did meanwhile
        List<Advisory> out = run(tracker(), shares(11, 4000, concat(minutes(0.05, 10), minutes(0.25, 10), minutes(0.5, 30))),
                T0 + 50 * MIN);
        Advisory last = out.get(out.size() - 1);
        assertThat(last.getWindowEnd()).as("a reminder after the last step").isGreaterThan(T0 + 22 * MIN);
        List<io.speechslo.advisory.StageEntry> history = last.getStageHistory();
        List<io.speechslo.advisory.StageEntry> stages = new ArrayList<>();
        for (io.speechslo.advisory.StageEntry e : history) {
            if (stages.isEmpty() || StageHistory.step(e.getCanaryShare())
                    != StageHistory.step(stages.get(stages.size() - 1).getCanaryShare())) {
                stages.add(e);
            }
        }
        assertThat(stages).extracting(io.speechslo.advisory.StageEntry::getSince)
                .containsExactly(T0, T0 + 10 * MIN, T0 + 20 * MIN);
        assertThat(stages.get(0).getCanaryShare()).isCloseTo(0.05, org.assertj.core.data.Offset.offset(0.005));
        assertThat(stages.get(1).getCanaryShare()).isCloseTo(0.25, org.assertj.core.data.Offset.offset(0.01));
        assertThat(stages.get(2).getCanaryShare()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
        // the decisions in the history are the ones published, from the first one at the candidate's start
        assertThat(history.get(0).getSince()).isEqualTo(T0);
        assertThat(history.get(0).getDecision()).isEqualTo(out.get(0).getDecision());
        assertThat(history.get(history.size() - 1).getDecision()).isEqualTo(last.getDecision());
        assertThat(history).extracting(io.speechslo.advisory.StageEntry::getSince).isSorted();
        // an entry per stage and per change of decision, no more
        long decisionChanges = java.util.stream.IntStream.range(1, out.size())
                .filter(i -> out.get(i).getDecision() != out.get(i - 1).getDecision()).count();
        assertThat(history).hasSizeLessThanOrEqualTo(3 + (int) decisionChanges);
    }

    @Test
    void aNoisyShareAroundTenPercentIsOneStage() {
        // a 10% canary at 300 requests a minute (30 canary requests, 7-14% most minutes) and one lone
        // minute at 30%: a single stage
        double[] plan = minutes(0.10, 40);
        plan[20] = 0.30;
        List<Advisory> out = run(tracker(), shares(12, 300, plan), T0 + 40 * MIN);
        Advisory last = out.get(out.size() - 1);
        assertThat(last.getStageHistory()).isNotEmpty().allSatisfy(e -> {
            assertThat(e.getCanaryShare()).isCloseTo(0.10, org.assertj.core.data.Offset.offset(0.02));
        });
        assertThat(last.getStageHistory().stream().map(e -> e.getCanaryShare()).distinct().count())
                .as("a single stage: every entry carries its share").isOne();
    }

    @Test
    void aChangeOfDecisionAddsAnEntryAtTheEvaluationThatMadeIt() {
        List<Advisory> out = run(tracker(), traffic(2, 12, 800, 1.4, 4), T0 + 12 * MIN);
        Advisory rollback = out.stream().filter(a -> a.getDecision() == Decision.ROLLBACK).findFirst().orElseThrow();
        List<io.speechslo.advisory.StageEntry> history = rollback.getStageHistory();
        // one stage (an even split) throughout; the decisions as published, each from the evaluation that made it
        List<Advisory> changes = new ArrayList<>();
        for (Advisory a : out.subList(0, out.indexOf(rollback) + 1)) {
            if (changes.isEmpty() || changes.get(changes.size() - 1).getDecision() != a.getDecision()) {
                changes.add(a);
            }
        }
        assertThat(history).extracting(io.speechslo.advisory.StageEntry::getDecision)
                .containsExactlyElementsOf(changes.stream().map(Advisory::getDecision).toList());
        assertThat(history.get(0).getSince()).isEqualTo(T0);
        assertThat(history.subList(1, history.size())).extracting(io.speechslo.advisory.StageEntry::getSince)
                .containsExactlyElementsOf(changes.subList(1, changes.size()).stream().map(Advisory::getWindowEnd).toList());
        assertThat(history.get(history.size() - 1)).satisfies(e -> {
            assertThat(e.getDecision()).isEqualTo(Decision.ROLLBACK);
            assertThat(e.getSince()).isEqualTo(rollback.getWindowEnd());
            assertThat(e.getCanaryShare()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.02));
        });
        // a later advisory (a reminder of the held rollback) keeps the same entries, its share updated
        Advisory reminder = out.get(out.size() - 1);
        assertThat(reminder.getStageHistory()).extracting(io.speechslo.advisory.StageEntry::getSince,
                io.speechslo.advisory.StageEntry::getDecision).isEqualTo(history.stream()
                        .map(e -> org.assertj.core.groups.Tuple.tuple(e.getSince(), e.getDecision())).toList());
    }

    @Test
    void aCandidateStartingLaterHasItsOwnHistoryFromItsStart() {
        // v2 from minute 0; v4 from minute 5, its traffic added before the tracker has evaluated that far
        List<AsrRequest> requests = new ArrayList<>(shares(13, 2000, minutes(0.2, 12)));
        requests.addAll(shares(14, 400, minutes(1.0, 12)).stream().filter(r -> r.getEventTime().toEpochMilli() >= T0 + 5 * MIN)
                .map(r -> AsrRequest.newBuilder(r).setModelVersion("v4").build()).toList());
        List<Advisory> out = run(tracker(), requests, T0 + 12 * MIN);
        Advisory v4 = out.stream().filter(a -> a.getModelVersion().equals("v4")).findFirst().orElseThrow();
        assertThat(v4.getWindowEnd()).isEqualTo(T0 + 6 * MIN);
        assertThat(v4.getStageHistory()).extracting(io.speechslo.advisory.StageEntry::getSince).containsExactly(T0 + 5 * MIN);
        // 400 of its requests a minute against some 1,600 stable ones
        assertThat(v4.getStageHistory().get(0).getCanaryShare()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(0.02));
    }
}
