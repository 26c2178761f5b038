package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.burn.BurnRateMonitor;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Track;

import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The burn-rate adapter on the operator harness: an hour of 5% errors against the shipped 99.9%
 * availability SLO pages, clean traffic afterwards resolves it, and the monitors then stay (they are
 * kept for an SLO window) while the wake-up timer chain stops at the end of input.
 */
class BurnRateFunctionHarnessTest {

    static final PolicyBundle BUNDLE = PolicyLoader.bundleDefaults();
    static final Policies POLICIES = BUNDLE.policies();
    static final long MIN = 60_000;
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final String SERVICE = "asr-prod";
    static final String KEY = Keys.service(SERVICE, Signal.ASR);

    /**
     * Burn counts of a minute's traffic of model v1, {@code requests} requests, {@code errors} of them
     * ERROR, sent as the burn pane that ends at T0 + minute + 1 min (the counts of one 5 s burn pane).
     */
    static BurnTick pane(int minute, int requests, int errors) {
        return tick(T0 + minute * MIN, MIN, T0 + (minute + 1) * MIN, requests, errors);
    }

    /** Burn counts of v1 ending at {@code tickEnd}: {@code requests} spread over {@code [start, start + span)}, the first {@code errors} ERROR. */
    static BurnTick tick(long start, long span, long tickEnd, int requests, int errors) {
        return tick(SERVICE, start, span, tickEnd, requests, errors);
    }

    /** As {@link #tick(long, long, long, int, int)}, of {@code service}. */
    static BurnTick tick(String service, long start, long span, long tickEnd, int requests, int errors) {
        List<SloDefinition> slos = POLICIES.slosFor(service, Signal.ASR);
        BurnTick tick = new BurnTick(service, Signal.ASR, "v1", tickEnd, BurnTick.names(slos));
        for (int i = 0; i < requests; i++) {
            long t = start + i * (span / requests);
            AsrRequest r = Requests.asr(service, "v1", Track.STABLE, "en-US", "us-east-1", "mobile", "quiet")
                    .setEventTime(Instant.ofEpochMilli(t))
                    .setOutcome(i < errors ? Outcome.ERROR : Outcome.OK)
                    .build();
            tick.add(r, slos);
        }
        return tick;
    }

    /** Sends burn counts as the pre-aggregator does (stamped with their end) and moves the watermark to their end. */
    static void minute(KeyedOneInputStreamOperatorTestHarness<String, BurnTick, Advisory> h, BurnTick r)
            throws Exception {
        h.processElement(r, r.tickEnd - 1);
        h.processWatermark(r.tickEnd);
    }

    /** An open harness running the function as the topology does ({@link HeldStateOperator}). */
    static KeyedOneInputStreamOperatorTestHarness<String, BurnTick, Advisory> harness(BurnRateFunction function)
            throws Exception {
        return EngineRestarts.open(function, BurnTick::serviceKey);
    }

    static List<Advisory> of(List<Advisory> all, String version) {
        return all.stream().filter(a -> Objects.equals(a.getModelVersion(), version)).toList();
    }

    @Test
    void anHourOfErrorsPagesCleanTrafficResolvesAndTheTimerChainStopsAtEndOfInput() throws Exception {
        try (var h = harness(new BurnRateFunction(BUNDLE))) {
            minute(h, pane(0, 100, 5));
            // 5 bad requests are no evidence yet (BurnRateMonitor.MIN_BAD_EVENTS is 10)
            assertThat(h.extractOutputValues()).isEmpty();
            // one buffered pane was folded: the monitors remain, with one wake-up timer (no alert stands)
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held monitors go back to state
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            minute(h, pane(1, 100, 5));
            List<Advisory> first = h.extractOutputValues();
            assertThat(first).hasSize(2); // service-wide and model v1
            assertThat(first).allSatisfy(a -> {
                assertThat(a.getKind()).isEqualTo(AdvisoryKind.BURN_RATE);
                assertThat(a.getDecision()).isEqualTo(Decision.PAGE);
                assertThat(a.getService()).isEqualTo(SERVICE);
                assertThat(a.getSlo()).isEqualTo("asr-availability");
                assertThat(a.getWindowEnd()).isEqualTo(T0 + 2 * MIN);
                assertThat(a.getLongWindow()).isEqualTo(3_600_000L); // page-1h, the strongest condition
                assertThat(a.getThreshold()).isEqualTo(14.4);
                assertThat(a.getLongBurnRate()).isCloseTo(50.0, org.assertj.core.data.Offset.offset(1e-9)); // 5% / 0.1%
            });
            assertThat(first).extracting(Advisory::getModelVersion).containsExactlyInAnyOrder(null, "v1");

            for (int m = 2; m < 60; m++) {
                minute(h, pane(m, 100, 5));
            }
            for (int m = 60; m < 430; m++) {
                minute(h, pane(m, 100, 0));
            }
            List<Advisory> all = h.extractOutputValues();
            assertThat(all).allSatisfy(a -> assertThat(a.getSlo()).isEqualTo("asr-availability"));
            // Worked out from the shipped policy (5 bad of 100 a minute for minutes 0..59, budget 0.1%):
            // a page condition holds through the window ending at minute 86 (page-6h: >= 4 bad minutes in
            // its 30m short window), a ticket through minute 412 (ticket-3d: >= 8 bad minutes in its 6h
            // short window); standing decisions are repeated every 15 minutes. Each minute's counts sit
            // in its last burn pane, and a window reaching past the last hour starts at a minute
            // boundary (it may leave out one minute at its old edge): the 6h window ending one burn pane
            // after minute 412 starts at minute 53, so it holds 7 bad minutes and the ticket resolves there.
            for (String version : new String[] {null, "v1"}) {
                List<Advisory> mine = of(all, version);
                List<Decision> changes = new ArrayList<>();
                for (int i = 0; i < mine.size(); i++) {
                    Advisory a = mine.get(i);
                    if (i == 0 || a.getDecision() != mine.get(i - 1).getDecision()) {
                        changes.add(a.getDecision());
                    } else {
                        assertThat(a.getWindowEnd() - mine.get(i - 1).getWindowEnd()).isEqualTo(15 * MIN);
                    }
                }
                assertThat(changes).containsExactly(Decision.PAGE, Decision.TICKET, Decision.RESOLVED);
                assertThat(first(mine, Decision.TICKET)).isEqualTo(T0 + 87 * MIN);
                assertThat(first(mine, Decision.RESOLVED)).isEqualTo(T0 + 412 * MIN + POLICIES.burn().pane().toMillis());
                assertThat(mine.get(mine.size() - 1).getDecision()).isEqualTo(Decision.RESOLVED);
            }

            // Resolved, but the monitors are kept for an SLO window (30 days) after their last request:
            // 3 SLOs x (service-wide, v1). The pane buffer is empty; one wake-up timer chains on.
            h.processWatermark(T0 + 500 * MIN );
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held monitors go back to state
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(CardinalityGuardHarnessTest.mapState(h, KEY, States.BURN_MONITORS)).hasSize(6);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            int before = h.extractOutputValues().size();
            h.processWatermark(Long.MAX_VALUE); // end of input: nothing past the data is evaluated
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.extractOutputValues()).hasSize(before);
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held monitors go back to state
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        }
    }

    @Test
    void heldMonitorsGoBackToStateBeforeEveryCheckpointAndOnceTooManyAreHeld() throws Exception {
        try (var h = harness(new BurnRateFunction(BUNDLE))) {
            minute(h, pane(0, 100, 0));
            // held as objects between checkpoints: state has them once a checkpoint's barrier comes
            assertThat(CardinalityGuardHarnessTest.mapState(h, KEY, States.BURN_MONITORS)).isEmpty();
            h.prepareSnapshotPreBarrier(1);
            int perService = 2 * POLICIES.slosFor(SERVICE, Signal.ASR).size(); // service-wide and v1, per SLO
            assertThat(CardinalityGuardHarnessTest.mapState(h, KEY, States.BURN_MONITORS)).hasSize(perService);

            // more than MAX_HELD monitors held: the end of the watermark step writes them back, no checkpoint
            int services = BurnRateFunction.MAX_HELD / perService + 1;
            for (int s = 0; s < services; s++) {
                BurnTick t = tick("asr-" + s, T0 + MIN, MIN, T0 + 2 * MIN, 10, 0);
                h.processElement(t, t.tickEnd - 1);
            }
            h.processWatermark(T0 + 2 * MIN);
            for (int s = 0; s < services; s++) {
                assertThat(CardinalityGuardHarnessTest.mapState(h, Keys.service("asr-" + s, Signal.ASR),
                        States.BURN_MONITORS)).as("asr-%d", s).hasSize(perService);
            }
        }
    }

    @Test
    void inputsWaitAsObjectsAndGoToStateAtABarrierOrOnceTooManyWait(@TempDir Path dir) throws Exception {
        try (var h = EngineRestarts.harness(new BurnRateFunction(BUNDLE), BurnTick::serviceKey,
                EngineRestarts.Backend.ROCKSDB, dir)) {
            h.open();
            BurnTick early = pane(0, 100, 0);
            h.processElement(early, early.tickEnd - 1);
            // not due yet, and no checkpoint came: RocksDB never saw it
            assertThat(waiting(h)).isZero();
            h.prepareSnapshotPreBarrier(1);
            assertThat(waiting(h)).isOne();
            assertThat(CardinalityGuardHarnessTest.mapState(h, KEY, States.BURN_TICK_BUFFER.counts())).hasSize(1);
            // one more for the same pane, held: the timer takes the one in state and the one held
            h.processElement(early, early.tickEnd - 1);
            h.processWatermark(early.tickEnd);
            h.prepareSnapshotPreBarrier(2);
            assertThat(waiting(h)).isZero();
            assertThat(CardinalityGuardHarnessTest.mapState(h, KEY, States.BURN_TICK_BUFFER.counts())).isEmpty();
            SloDefinition slo = POLICIES.slosFor(SERVICE, Signal.ASR).get(0);
            BurnRateMonitor m = CardinalityGuardHarnessTest.mapState(h, KEY, States.BURN_MONITORS)
                    .get(slo.name() + Keys.SEP)
                    .configure(slo, POLICIES.burn(), SERVICE, null, POLICIES.version());
            assertThat(m.status(early.tickEnd).total()).isEqualTo(200); // both counted

            // more inputs waiting than MAX_HELD_INPUTS: the end of the watermark step writes them to state
            BurnTick later = pane(2, 1, 0);
            for (int i = 0; i <= EngineFunction.MAX_HELD_INPUTS; i++) {
                h.processElement(later, later.tickEnd - 1);
            }
            h.processWatermark(early.tickEnd + 1);
            assertThat(waiting(h)).isEqualTo(EngineFunction.MAX_HELD_INPUTS + 1);
        }
    }

    /** Burn counts of {@link #KEY} waiting for their timer in state. */
    private static int waiting(KeyedOneInputStreamOperatorTestHarness<String, BurnTick, Advisory> h) throws Exception {
        var backend = h.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(KEY);
        int n = 0;
        for (var ignored : backend.getPartitionedState(org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE, States.BURN_TICK_BUFFER.inputs()).keys()) {
            n++;
        }
        return n;
    }

    @Test
    void idleMonitorsGoAfterAWholeSloWindowWithoutWakingEveryMinute() throws Exception {
        try (var h = harness(new BurnRateFunction(BUNDLE))) {
            for (int m = 0; m < 10; m++) {
                minute(h, pane(m, 100, 0));
            }
            assertThat(h.extractOutputValues()).isEmpty();
            // no alert standing: one wake-up, a whole SLO window (30 days) on, rounded to a day boundary
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processWatermark(T0 + 30L * 24 * 60 * MIN);
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held monitors go back to state
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.processWatermark(T0 + 31L * 24 * 60 * MIN );
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held monitors go back to state
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(EngineRestarts.Backend.class)
    void restoredWhileAPageStandsItGoesOnAsIfItNeverStopped(EngineRestarts.Backend backend, @TempDir Path dir)
            throws Exception {
        List<EngineRestarts.Step<BurnTick>> steps = new ArrayList<>();
        for (int m = 0; m < 120; m++) {
            BurnTick r = pane(m, 100, m < 60 ? 5 : 0);
            steps.add(h -> minute(h, r));
        }
        // stopped after minute 44, with a PAGE standing since minute 2 (reminded at 17, 32)
        List<Advisory> after = EngineRestarts.assertRestoreChangesNothing(
                () -> new BurnRateFunction(BUNDLE), BurnTick::serviceKey, backend, dir, steps, 45, 12,
                "burn-tick-buffer-v2", "burn-tick-buffer-v2-counts", States.BURN_MONITORS.getName());
        for (String version : new String[] {null, "v1"}) {
            assertThat(of(after, version)).extracting(Advisory::getDecision, a -> (a.getWindowEnd() - T0) / MIN)
                    .containsExactly(tuple(Decision.PAGE, 47L), tuple(Decision.PAGE, 62L), tuple(Decision.PAGE, 77L),
                            tuple(Decision.TICKET, 87L), tuple(Decision.TICKET, 102L), tuple(Decision.TICKET, 117L));
        }
    }

    @Test
    void aPageGoesOutAsSoonAsTheWatermarkPassesTheBurnPaneHoldingTheDecisiveErrors() throws Exception {
        long burn = POLICIES.burn().pane().toMillis();
        assertThat(burn).isEqualTo(1_000); // the shipped default this test is about
        try (var h = harness(new BurnRateFunction(BUNDLE))) {
            for (long end = T0 + burn; end <= T0 + MIN; end += burn) {
                minute(h, tick(end - burn, burn, end, (int) (240 / (MIN / burn)), 0)); // a healthy minute, 240 requests
            }
            minute(h, tick(T0 + MIN, burn, T0 + MIN + burn, 20, 9)); // 9 bad: no evidence yet
            assertThat(h.extractOutputValues()).isEmpty();
            minute(h, tick(T0 + MIN + burn, burn, T0 + MIN + 2 * burn, 20, 1)); // the tenth
            List<Advisory> out = h.extractOutputValues();
            assertThat(out).hasSize(2).allSatisfy(a -> {
                assertThat(a.getDecision()).isEqualTo(Decision.PAGE);
                assertThat(a.getWindowEnd()).isEqualTo(T0 + MIN + 2 * burn);
                assertThat(a.getShortWindow()).isEqualTo(5 * MIN);
                assertThat(a.getLongBurnRate()).isCloseTo(10.0 / 280 / 0.001, org.assertj.core.data.Offset.offset(1e-9));
            });
            // while the page stands, it wakes every burn pane so it can resolve without traffic (the other
            // timer is the wake-up a whole SLO window on, set while nothing stood)
            assertThat(h.numEventTimeTimers()).isEqualTo(2);
            h.processWatermark(T0 + MIN + 3 * burn);
            assertThat(h.numEventTimeTimers()).isEqualTo(2);
        }
    }

    @Test
    void burnCountsLateForTheirPaneGoInAtTheNextEvaluationInsteadOfBeingLost() throws Exception {
        long burn = POLICIES.burn().pane().toMillis();
        try (var h = harness(new BurnRateFunction(BUNDLE))) {
            minute(h, pane(0, 200, 0));
            h.processWatermark(T0 + MIN + burn + burn / 2); // the burn pane ending at T0 + 1m + burn is evaluated
            // its errors arrive now (late within the allowed lateness, so the pre-aggregator sent them)
            h.processElement(tick(T0 + MIN, burn, T0 + MIN + burn, 20, 20), T0 + MIN + burn - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(T0 + MIN + 2 * burn - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(T0 + MIN + 2 * burn); // the next evaluation
            List<Advisory> out = h.extractOutputValues();
            assertThat(out).hasSize(2).allSatisfy(a -> {
                assertThat(a.getDecision()).isEqualTo(Decision.PAGE);
                assertThat(a.getWindowEnd()).isEqualTo(T0 + MIN + 2 * burn);
                assertThat(a.getLongBurnRate()).isCloseTo(20.0 / 220 / 0.001, org.assertj.core.data.Offset.offset(1e-9));
            });
        }
    }

    @Test
    void aCatchUpWhoseWatermarkStepsOverManyPanesEvaluatesEachPaneAsAStepByStepRunDoes() throws Exception {
        long burn = POLICIES.burn().pane().toMillis();
        List<BurnTick> ticks = new ArrayList<>();
        for (long end = T0 + burn; end <= T0 + 20 * MIN; end += burn) {
            boolean failing = end > T0 + 6 * MIN && end <= T0 + 9 * MIN;
            ticks.add(tick(end - burn, burn, end, 20, failing ? 4 : 0));
        }
        List<Advisory> stepwise;
        try (var h = harness(new BurnRateFunction(BUNDLE))) {
            for (BurnTick t : ticks) {
                minute(h, t);
            }
            stepwise = h.extractOutputValues();
        }
        assertThat(stepwise).extracting(Advisory::getDecision).contains(Decision.PAGE);
        try (var h = harness(new BurnRateFunction(BUNDLE))) {
            // a catch-up: the records run minutes ahead of the watermark, which then passes them in steps of 7 min
            for (int i = 0; i < ticks.size(); i++) {
                h.processElement(ticks.get(i), ticks.get(i).tickEnd - 1);
                if ((i + 1) % 84 == 0) {
                    h.processWatermark(ticks.get(i).tickEnd);
                }
            }
            h.processWatermark(ticks.get(ticks.size() - 1).tickEnd);
            assertThat(h.extractOutputValues()).isEqualTo(stepwise);
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held monitors go back to state
            assertThat(h.numKeyedStateEntries()).as("nothing left buffered: only the monitors").isEqualTo(1);
        }
    }

    private static long first(List<Advisory> advisories, Decision d) {
        return advisories.stream().filter(a -> a.getDecision() == d).findFirst().orElseThrow().getWindowEnd();
    }

    /** The shipped policies with the ASR SLOs in the reverse order. */
    static PolicyBundle reorderedAsrSlos(Path dir) throws Exception {
        String asr = java.nio.file.Files.readString(Path.of("job", "slos", "asr.yaml"));
        List<String> docs = new ArrayList<>(List.of(asr.split("\n---\n")));
        java.util.Collections.reverse(docs);
        java.nio.file.Files.createDirectories(dir.resolve("slos"));
        java.nio.file.Files.writeString(dir.resolve("slos").resolve("asr.yaml"), String.join("\n---\n", docs));
        return PolicyLoader.bundle(dir);
    }

    static java.util.Map<String, String> monitorBytes(KeyedOneInputStreamOperatorTestHarness<String, BurnTick, Advisory> h)
            throws Exception {
        h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held monitors go back to state
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (var e : CardinalityGuardHarnessTest.mapState(h, KEY, States.BURN_MONITORS).entrySet()) {
            out.put(e.getKey(), java.util.HexFormat.of().formatHex(
                    EngineSerializersTest.bytes(new BurnRateMonitorSerializer(), e.getValue())));
        }
        return out;
    }

    @Test
    void burnCountsHeldAcrossARestoreCountForTheirOwnSloWhenAPolicyEditReordersTheSlos(@TempDir Path dir)
            throws Exception {
        // burn counts, with their SLO names, stay a POJO in flight and in state (Flink's schema evolution)
        org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo(BurnTick.class);
        PolicyBundle edited = reorderedAsrSlos(dir.resolve("policies"));
        List<String> before = List.of(BurnTick.names(POLICIES.slosFor(SERVICE, Signal.ASR)));
        List<String> after = List.of(BurnTick.names(edited.policies().slosFor(SERVICE, Signal.ASR)));
        assertThat(after).containsExactlyInAnyOrderElementsOf(before).isNotEqualTo(before);

        // minutes 0-4 evaluated, minute 5's counts held in state (the watermark has not passed them) at the snapshot
        BurnTick held = pane(5, 100, 7);
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (var h = EngineRestarts.harness(new BurnRateFunction(BUNDLE), BurnTick::serviceKey,
                EngineRestarts.Backend.HEAP, dir)) {
            h.open();
            for (int m = 0; m < 5; m++) {
                minute(h, pane(m, 100, 7));
            }
            h.processElement(held, held.tickEnd - 1);
            h.prepareSnapshotPreBarrier(1); // as a task does before every snapshot
            snapshot = h.snapshot(1, 1);
        }
        java.util.Map<String, java.util.Map<String, String>> monitors = new java.util.TreeMap<>();
        for (var policies : java.util.Map.of("kept", BUNDLE, "edited", edited).entrySet()) {
            try (var h = EngineRestarts.harness(new BurnRateFunction(policies.getValue()), BurnTick::serviceKey,
                    EngineRestarts.Backend.HEAP, dir)) {
                h.initializeState(snapshot);
                h.open();
                h.processWatermark(held.tickEnd);
                monitors.put(policies.getKey(), monitorBytes(h));
            }
        }
        // every SLO's monitor holds the same counts (its bytes leave the policies out), whatever the order
        assertThat(monitors.get("edited")).isEqualTo(monitors.get("kept")).hasSize(2 * before.size());

        // counts by position would have gone to other SLOs: these counts tell the SLOs apart
        List<SloDefinition> editedSlos = edited.policies().slosFor(SERVICE, Signal.ASR);
        List<SloDefinition> keptSlos = POLICIES.slosFor(SERVICE, Signal.ASR);
        assertThat(deep(BurnRateFunction.counts(editedSlos, List.of(held))))
                .isEqualTo(deep(BurnRateFunction.counts(keptSlos, List.of(held))));
        BurnTick unnamed = pane(5, 100, 7);
        unnamed.slos = null; // as held by a savepoint before the names: by position
        assertThat(deep(BurnRateFunction.counts(editedSlos, List.of(unnamed))))
                .isNotEqualTo(deep(BurnRateFunction.counts(keptSlos, List.of(held))));
    }

    private static java.util.Map<String, String> deep(java.util.Map<String, List<long[]>> counts) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.stream().map(java.util.Arrays::toString).toList().toString()));
        return out;
    }
}
