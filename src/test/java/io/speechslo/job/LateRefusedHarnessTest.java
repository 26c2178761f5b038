package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.telemetry.Track;

import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Inputs an engine refuses as late are counted, never dropped in silence: a pane of a gate interval
 * already evaluated, a drift pane older than the baseline the monitor keeps, burn counts older than the
 * panes a burn monitor keeps. Each increments {@code late_refused_requests} by its requests (upstream
 * lateness handling keeps these at 0 in a healthy job; {@link BadInputITCase} checks they stay 0 under
 * bad input), and inputs in time do not.
 */
class LateRefusedHarnessTest {

    static final long MIN = 60_000;
    static final long HOUR = 60 * MIN;
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    @Test
    void theReleaseGateCountsThePanesOfAnIntervalItEvaluatedAlready() throws Exception {
        long lateness = TopologySettings.DEFAULT.allowedLateness().toMillis();
        ReleaseGateFunction gate = new ReleaseGateFunction(ReleaseGateFunctionHarnessTest.BUNDLE, lateness,
                TopologySettings.DEFAULT.rollout());
        try (KeyedOneInputStreamOperatorTestHarness<String, PaneRecord, Advisory> h =
                ReleaseGateFunctionHarnessTest.harness(gate)) {
            for (int m = 0; m < 3; m++) {
                for (Track track : new Track[] {Track.STABLE, Track.CANARY}) {
                    for (PaneRecord r : ReleaseGateFunctionHarnessTest.panes("asr-prod", track,
                            track == Track.STABLE ? "v1" : "v2", m, 40, 1)) {
                        h.processElement(r, r.paneEnd + lateness);
                    }
                }
                h.processWatermark(T0 + (m + 1) * MIN + lateness);
            }
            assertThat(gate.lateRefused.getCount()).isZero();
            // minute 1 was evaluated two intervals ago; a pane of it arrives now (30 requests of the canary)
            PaneRecord late = ReleaseGateFunctionHarnessTest.panes("asr-prod", Track.CANARY, "v2", 1, 60, 1).get(0);
            h.processElement(late, T0 + 3 * MIN);
            h.processWatermark(T0 + 3 * MIN + lateness + 1);
            assertThat(gate.lateRefused.getCount()).isEqualTo(late.decode().requests()).isEqualTo(30);
        }
    }

    @Test
    void sliceDriftCountsPanesOlderThanTheBaselineItKeeps() throws Exception {
        long lateness = TopologySettings.DEFAULT.allowedLateness().toMillis();
        DriftFunction drift = new DriftFunction(DriftFunctionHarnessTest.BUNDLE, lateness, MIN);
        try (KeyedOneInputStreamOperatorTestHarness<String, PaneRecord, Advisory> h =
                DriftFunctionHarnessTest.harness(drift)) {
            // a day and two hours of traffic, one pane every ten minutes: the 1 h windows are judged against
            // the 24 h before them, and panes older than that go
            for (long start = T0; start < T0 + 26 * HOUR; start += 10 * MIN) {
                PaneRecord r = DriftFunctionHarnessTest.pane("en-US", start, 0.2);
                h.processElement(r, r.paneEnd + lateness);
                h.processWatermark(r.paneEnd + lateness);
            }
            h.processWatermark(T0 + 26 * HOUR + lateness);
            assertThat(drift.lateRefused.getCount()).isZero();
            // a pane of the first hour arrives now: older than anything the monitor still keeps
            PaneRecord late = DriftFunctionHarnessTest.pane("en-US", T0 + 10 * MIN, 0.2);
            h.processElement(late, T0 + 26 * HOUR);
            h.processWatermark(T0 + 26 * HOUR + lateness + 1);
            assertThat(drift.lateRefused.getCount()).isEqualTo(10);
        }
    }

    @Test
    void burnRatesCountRequestsOlderThanThePanesAMonitorKeeps() throws Exception {
        BurnRateFunction burn = new BurnRateFunction(BurnRateFunctionHarnessTest.BUNDLE);
        long pane = BurnRateFunctionHarnessTest.POLICIES.burn().pane().toMillis();
        int slos = BurnRateFunctionHarnessTest.POLICIES.slosFor(BurnRateFunctionHarnessTest.SERVICE,
                io.speechslo.metrics.Signal.ASR).size();
        try (KeyedOneInputStreamOperatorTestHarness<String, BurnTick, Advisory> h =
                BurnRateFunctionHarnessTest.harness(burn)) {
            for (int m = 0; m < 180; m += 10) { // three hours, a minute's counts every ten minutes
                BurnRateFunctionHarnessTest.minute(h, BurnRateFunctionHarnessTest.pane(m, 100, 0));
            }
            assertThat(burn.lateRefused.getCount()).isZero();
            // counts from the first minute arrive three hours late: the finest level keeps an hour or two
            BurnTick late = BurnRateFunctionHarnessTest.tick(T0, pane, T0 + pane, 50, 0);
            h.processElement(late, late.tickEnd - 1);
            h.processWatermark(T0 + 171 * MIN + pane);
            long counted = 0;
            for (long t : late.total) {
                counted += t;
            }
            assertThat(counted).isPositive();
            assertThat(burn.lateRefused.getCount()).as("%d SLOs", slos).isEqualTo(counted);
        }
    }
}
