package io.speechslo.burn;

import io.speechslo.advisory.Action;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Direction;
import io.speechslo.advisory.Finding;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.BurnAlert;
import io.speechslo.policy.BurnSettings;
import io.speechslo.policy.RequestFilter;
import io.speechslo.policy.Severity;
import io.speechslo.policy.SloDefinition;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BurnRateMonitorTest {

    private static final long MIN = 60_000L;
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 86_400_000L;
    /** 2025-01-01T00:00:00Z. */
    private static final long T0 = 1_735_689_600_000L;
    /** Start of the interesting part, after three days of clean traffic (so every window is full). */
    private static final long B = T0 + 3 * DAY;

    /** The SRE Workbook's recommended set for a 30-day SLO. */
    private static final List<BurnAlert> WORKBOOK = List.of(
            new BurnAlert("page-fast", Severity.PAGE, Duration.ofHours(1), Duration.ofMinutes(5), 14.4),
            new BurnAlert("page-slow", Severity.PAGE, Duration.ofHours(6), Duration.ofMinutes(30), 6),
            new BurnAlert("ticket-fast", Severity.TICKET, Duration.ofDays(1), Duration.ofHours(2), 3),
            new BurnAlert("ticket-slow", Severity.TICKET, Duration.ofDays(3), Duration.ofHours(6), 1));

    private static SloDefinition slo(double objective, List<BurnAlert> alerts) {
        return new SloDefinition("asr-availability", "ASR availability", "asr-prod", Signal.ASR, objective,
                Duration.ofDays(30), RequestFilter.ALL, RequestFilter.ALL, alerts);
    }

    private static BurnRateMonitor monitor(SloDefinition slo, String modelVersion) {
        return new BurnRateMonitor(slo, BurnSettings.DEFAULT, "asr-prod", modelVersion, "policy-7");
    }

    private static BurnRateMonitor workbook() {
        return monitor(slo(0.999, WORKBOOK), null);
    }

    /**
     * Feeds {@code minutes} minutes from {@code start}: in each, {@code total} requests of which {@code bad}
     * fail, at the minute's 30th second; then evaluates at the minute's end. Returns what was emitted.
     */
    private static List<Advisory> run(BurnRateMonitor m, long start, int minutes, long total, long bad) {
        List<Advisory> out = new ArrayList<>();
        for (int i = 0; i < minutes; i++) {
            long t = start + i * MIN;
            if (total > 0) {
                assertThat(m.add(t + 30_000, total - bad, total)).isTrue();
            }
            m.evaluate(t + MIN).ifPresent(out::add);
        }
        return out;
    }

    private static List<Advisory> warmUp(BurnRateMonitor m) {
        return run(m, T0, 3 * 1440, 1000, 0);
    }

    private static List<Decision> decisions(List<Advisory> advisories) {
        return advisories.stream().map(Advisory::getDecision).toList();
    }

    private static List<Long> windowEnds(List<Advisory> advisories) {
        return advisories.stream().map(Advisory::getWindowEnd).toList();
    }

    private static List<Action> actions(Advisory a) {
        return a.getFindings().stream().map(Finding::getAction).toList();
    }

    @Test
    void zeroRequestsEmitNothing() {
        BurnRateMonitor m = workbook();
        assertThat(run(m, T0, 3 * 60, 0, 0)).isEmpty();
        assertThat(BurnRates.burnRate(0, 0, 0.001)).isEqualTo(0.0);
        assertThat(m.isAlerting()).isFalse();
        assertThat(m.isIdle(T0)).isTrue();
    }

    @Test
    void noErrorsEmitNothing() {
        BurnRateMonitor m = workbook();
        assertThat(warmUp(m)).isEmpty();
        assertThat(run(m, B, 1440, 5000, 0)).isEmpty();
        assertThat(m.isAlerting()).isFalse();
    }

    @Test
    void exactlyOnBudgetIsABurnRateOfOneAndFiresAFactorOneTicket() {
        SloDefinition slo = slo(0.999, List.of(
                new BurnAlert("on-budget", Severity.TICKET, Duration.ofHours(1), Duration.ofMinutes(5), 1)));
        BurnRateMonitor m = monitor(slo, null);
        // 10 bad in 10000 is exactly the 0.1% budget: burn rate 1.0, and the rule is rate >= threshold.
        List<Advisory> out = run(m, T0, 30, 10_000, 10);
        assertThat(decisions(out)).containsExactly(Decision.TICKET, Decision.TICKET);
        Advisory first = out.get(0);
        assertThat(first.getWindowEnd()).isEqualTo(T0 + MIN);
        assertThat(first.getLongBurnRate()).isEqualTo(1.0);
        assertThat(first.getShortBurnRate()).isEqualTo(1.0);
        assertThat(first.getThreshold()).isEqualTo(1.0);
        assertThat(first.getBudgetRemaining()).isEqualTo(0.0);
        assertThat(first.getSummary()).isEqualTo("asr-prod is burning its asr-availability error budget 1x too fast"
                + " over 1h (and 1x over 5m): ticket. 0% of the 30-day budget left.");
        assertThat(out.get(1).getWindowEnd()).isEqualTo(T0 + 16 * MIN);

        // Just under budget (10 bad in 10001: 0.9999x) never fires.
        assertThat(run(monitor(slo, null), T0, 120, 10_001, 10)).isEmpty();
    }

    @Test
    void aFewBadRequestsAreNoEvidenceWhateverTheirShare() {
        SloDefinition slo = slo(0.99, List.of(
                new BurnAlert("on-budget", Severity.TICKET, Duration.ofHours(1), Duration.ofMinutes(5), 1)));
        // 2 bad of 150 is a burn rate of 1.33 against a 1% budget, but only 2 requests: silence
        assertThat(run(monitor(slo, null), T0, 1, 150, 2)).isEmpty();
        // the floor is MIN_BAD_EVENTS bad requests in the long window: 9 never fire, 10 do
        assertThat(run(monitor(slo, null), T0, 1, 600, BurnRateMonitor.MIN_BAD_EVENTS - 1)).isEmpty();
        assertThat(decisions(run(monitor(slo, null), T0, 1, 600, BurnRateMonitor.MIN_BAD_EVENTS)))
                .containsExactly(Decision.TICKET);
    }

    @Test
    void burningFastPagesThenRecoveryResolves() {
        BurnRateMonitor m = workbook();
        assertThat(warmUp(m)).isEmpty();
        // 2% errors is a 20x burn, for one hour, then clean again.
        List<Advisory> out = new ArrayList<>(run(m, B, 60, 1000, 20));
        out.addAll(run(m, B + 60 * MIN, 120, 1000, 0));

        // The 1h window reaches 14.4x after 44 burning minutes (20 * 44 / 60 = 14.67; 43 gives 14.33);
        // reminded 15 minutes later; the 5m window drops below 14.4x 2 minutes after the burn stops.
        assertThat(decisions(out)).containsExactly(Decision.PAGE, Decision.PAGE, Decision.RESOLVED);
        assertThat(windowEnds(out)).containsExactly(B + 44 * MIN, B + 59 * MIN, B + 62 * MIN);

        Advisory page = out.get(0);
        assertThat(page.getKind()).isEqualTo(AdvisoryKind.BURN_RATE);
        assertThat(page.getService()).isEqualTo("asr-prod");
        assertThat(page.getModelVersion()).isNull();
        assertThat(page.getSlo()).isEqualTo("asr-availability");
        assertThat(page.getPolicyVersion()).isEqualTo("policy-7");
        assertThat(page.getLongWindow()).isEqualTo(3_600_000L);
        assertThat(page.getShortWindow()).isEqualTo(300_000L);
        assertThat(page.getLongBurnRate()).isCloseTo(880.0 / 60_000 / 0.001, within(1e-9));
        assertThat(page.getShortBurnRate()).isCloseTo(20.0, within(1e-9));
        assertThat(page.getThreshold()).isEqualTo(14.4);
        // 30-day window: 4,364 minutes of 1000 requests so far, 880 of them bad.
        assertThat(page.getBudgetRemaining()).isCloseTo(1 - 880 / (0.001 * 4_364_000), within(1e-12));
        assertThat(page.getSummary()).isEqualTo("asr-prod is burning its asr-availability error budget 14.7x too"
                + " fast over 1h (and 20x over 5m): page. 79.8% of the 30-day budget left.");
        assertThat(actions(page)).containsExactly(Action.PAGE, Action.CONTINUE, Action.CONTINUE, Action.CONTINUE);
        List<Finding> f = page.getFindings();
        assertThat(f).extracting(Finding::getMetric).containsOnly("asr-availability");
        assertThat(f).extracting(Finding::getSlice).containsOnly(Map.of());
        assertThat(f).extracting(Finding::getReason).containsOnly("burn_rate");
        assertThat(f).extracting(Finding::getDirection).containsOnly(Direction.LOWER_IS_BETTER);
        assertThat(f).extracting(Finding::getLimit).containsExactly(14.4, 6.0, 3.0, 1.0);
        assertThat(f).extracting(Finding::getCritical).containsExactly(true, true, false, false);
        assertThat(f).extracting(Finding::getSamples).containsExactly(60_000L, 360_000L, 1_440_000L, 4_320_000L);
        assertThat(f).extracting(Finding::getBaselineSamples).containsExactly(5_000L, 30_000L, 120_000L, 360_000L);
        assertThat(f.get(1).getValue()).isCloseTo(880.0 / 360_000 / 0.001, within(1e-9));
        assertThat(f.get(1).getBaseline()).isCloseTo(20.0, within(1e-9)); // 30m window: all burning

        // RESOLVED shows the condition that last fired, with the current rates: the 1h window holds burning
        // minutes 2..59 (58 of 60), the 5m window minutes 57..59 (3 of 5).
        Advisory resolved = out.get(2);
        assertThat(resolved.getLongWindow()).isEqualTo(3_600_000L);
        assertThat(resolved.getShortWindow()).isEqualTo(300_000L);
        assertThat(resolved.getLongBurnRate()).isCloseTo(58 * 20.0 / 60, within(1e-9));
        assertThat(resolved.getShortBurnRate()).isCloseTo(12.0, within(1e-9));
        assertThat(resolved.getThreshold()).isEqualTo(14.4);
        assertThat(resolved.getBudgetRemaining()).isCloseTo(1 - 1200 / (0.001 * 4_382_000), within(1e-12));
        assertThat(actions(resolved))
                .containsExactly(Action.RESOLVED, Action.CONTINUE, Action.CONTINUE, Action.CONTINUE);
        assertThat(resolved.getSummary()).isEqualTo("asr-prod is no longer burning its asr-availability error"
                + " budget too fast: 19.3x over 1h (and 12x over 5m), below the 14.4x threshold: resolved."
                + " 72.6% of the 30-day budget left.");
        assertThat(out).extracting(Advisory::getAdvisoryId).doesNotHaveDuplicates();
        assertThat(m.isAlerting()).isFalse();
    }

    @Test
    void burningThreeTimesForADayTicketsButDoesNotPage() {
        BurnRateMonitor m = workbook();
        warmUp(m);
        // 0.3% errors is a 3x burn. The 1d window reaches exactly 3x at the end of the day (>= fires),
        // and the 3d window exactly 1x; 3x never reaches the page thresholds (6x, 14.4x).
        List<Advisory> out = run(m, B, 1440, 1000, 3);
        assertThat(decisions(out)).containsExactly(Decision.TICKET);
        Advisory t = out.get(0);
        assertThat(t.getWindowEnd()).isEqualTo(B + DAY);
        assertThat(t.getLongWindow()).isEqualTo(DAY);
        assertThat(t.getShortWindow()).isEqualTo(2 * 3_600_000L);
        assertThat(t.getThreshold()).isEqualTo(3.0);
        assertThat(t.getLongBurnRate()).isCloseTo(3.0, within(1e-9));
        assertThat(actions(t)).containsExactly(Action.CONTINUE, Action.CONTINUE, Action.TICKET, Action.TICKET);
        assertThat(t.getFindings().get(3).getValue()).isCloseTo(1.0, within(1e-9));
        assertThat(t.getSummary()).startsWith("asr-prod is burning its asr-availability error budget 3x too fast"
                + " over 1d (and 3x over 2h): ticket.");
    }

    @Test
    void aStandingAlertIsRemindedEveryFifteenMinutesOfEventTime() {
        BurnRateMonitor m = workbook();
        warmUp(m);
        // 4x: both ticket conditions first hold after 1080 minutes (4 * 1080 / 1440 = 3).
        List<Advisory> out = run(m, B, 1440, 1000, 4);
        assertThat(out).hasSize(25);
        assertThat(decisions(out)).containsOnly(Decision.TICKET);
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.get(i).getWindowEnd()).isEqualTo(B + (1080 + 15L * i) * MIN);
        }
        assertThat(out).extracting(Advisory::getAdvisoryId).doesNotHaveDuplicates();
        assertThat(m.isAlerting()).isTrue();
    }

    @Test
    void aShortSpikeThatOnlyTheShortWindowSeesDoesNotAlert() {
        BurnRateMonitor m = workbook();
        warmUp(m);
        // One minute at 50% errors: the 5m window burns at 100x, but the 1h window only at 8.3x.
        List<Advisory> out = new ArrayList<>(run(m, B, 1, 1000, 500));
        out.addAll(run(m, B + MIN, 120, 1000, 0));
        assertThat(out).isEmpty();

        // Control: two such minutes take the 1h window to 16.7x, and then both windows agree.
        BurnRateMonitor control = workbook();
        warmUp(control);
        List<Advisory> paged = run(control, B, 2, 1000, 500);
        assertThat(decisions(paged)).containsExactly(Decision.PAGE);
        assertThat(paged.get(0).getLongBurnRate()).isCloseTo(1000.0 / 60_000 / 0.001, within(1e-9));
    }

    @Test
    void aTrickleOfFailuresNeverPages() {
        BurnRateMonitor m = workbook();
        List<Advisory> out = new ArrayList<>();
        // One failing request every 6 minutes for a day: 10 an hour, 100% errors.
        for (int i = 0; i < 1440; i++) {
            if (i % 6 == 0) {
                m.onRequest(T0 + i * MIN + 30_000, false);
            }
            m.evaluate(T0 + (i + 1) * MIN).ifPresent(out::add);
        }
        assertThat(decisions(out)).doesNotContain(Decision.PAGE).containsOnly(Decision.TICKET);
        // The 1d window first holds minEvents (100) requests after the 100th, at minute 594.
        Advisory first = out.get(0);
        assertThat(first.getWindowEnd()).isEqualTo(T0 + 595 * MIN);
        assertThat(first.getLongWindow()).isEqualTo(DAY);
        assertThat(first.getFindings()).extracting(Finding::getReason)
                .containsExactly("insufficient_data", "insufficient_data", "burn_rate", "burn_rate");
        assertThat(first.getFindings()).extracting(Finding::getSamples).containsExactly(10L, 60L, 100L, 100L);
        assertThat(first.getFindings().get(0).getValue()).isCloseTo(1000.0, within(1e-9));
        assertThat(actions(first)).containsExactly(Action.CONTINUE, Action.CONTINUE, Action.TICKET, Action.TICKET);
    }

    @Test
    void aNinetyPercentObjectiveCapsTheThresholdAtAllRequestsFailing() {
        SloDefinition slo = slo(0.9, List.of(
                new BurnAlert("page-fast", Severity.PAGE, Duration.ofHours(1), Duration.ofMinutes(5), 14.4)));
        // 99.9% errors burn at 9.99x: below the capped 10x, and 14.4x is out of reach anyway.
        assertThat(run(monitor(slo, null), T0, 120, 1000, 999)).isEmpty();

        BurnRateMonitor m = monitor(slo, "v7");
        List<Advisory> out = run(m, T0, 1, 1000, 1000);
        assertThat(decisions(out)).containsExactly(Decision.PAGE);
        Advisory page = out.get(0);
        assertThat(page.getThreshold()).isEqualTo(10.0);
        assertThat(page.getLongBurnRate()).isEqualTo(10.0);
        assertThat(page.getFindings().get(0).getLimit()).isEqualTo(10.0);
        assertThat(page.getModelVersion()).isEqualTo("v7");
        assertThat(page.getFindings().get(0).getSlice()).isEqualTo(Map.of("model_version", "v7"));
        assertThat(page.getSummary()).isEqualTo("asr-prod (model v7) is burning its asr-availability error budget"
                + " 10x too fast over 1h (and 10x over 5m): page. The 30-day budget is overspent by 900%.");
    }

    @Test
    void snapshotAndRestoreGiveIdenticalLaterOutput() throws IOException {
        BurnRateMonitor original = workbook();
        warmUp(original);
        assertThat(decisions(run(original, B, 50, 1000, 20))).containsExactly(Decision.PAGE);

        BurnRateMonitor restored = BurnRateMonitor.readFrom(new DataInputStream(new ByteArrayInputStream(bytes(original))));
        assertThatThrownBy(() -> restored.evaluate(B + 50 * MIN))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without its configuration");
        restored.configure(slo(0.999, WORKBOOK), BurnSettings.DEFAULT, "asr-prod", null, "policy-7");

        List<Advisory> a = new ArrayList<>(run(original, B + 50 * MIN, 10, 1000, 20));
        a.addAll(run(original, B + 60 * MIN, 60, 1000, 0));
        List<Advisory> b = new ArrayList<>(run(restored, B + 50 * MIN, 10, 1000, 20));
        b.addAll(run(restored, B + 60 * MIN, 60, 1000, 0));
        // The reminder is due 15 minutes after the PAGE at minute 44, whoever holds the state.
        assertThat(decisions(b)).containsExactly(Decision.PAGE, Decision.RESOLVED);
        assertThat(windowEnds(b)).containsExactly(B + 59 * MIN, B + 62 * MIN);
        assertThat(b).isEqualTo(a);
        assertThat(bytes(restored)).isEqualTo(bytes(original));
    }

    @Test
    void restoringAnotherSlosStateFails() throws IOException {
        BurnRateMonitor m = workbook();
        m.onRequest(T0, true);
        SloDefinition other = new SloDefinition("tts-availability", "TTS", "tts-prod", Signal.TTS, 0.999,
                Duration.ofDays(30), RequestFilter.ALL, RequestFilter.ALL, WORKBOOK);
        BurnRateMonitor read = BurnRateMonitor.readFrom(new DataInputStream(new ByteArrayInputStream(bytes(m))));
        assertThatThrownBy(() -> read.configure(other, BurnSettings.DEFAULT, "tts-prod", null, "p"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("asr-availability");
    }

    @Test
    void aLateEventOlderThanTheRingIsRefused() {
        BurnRateMonitor m = workbook();
        run(m, T0 + 3 * DAY, 10, 100, 0);
        long end = T0 + 3 * DAY + 10 * MIN;
        // With panes under a minute (1 s by default) the fine level keeps the last hour (minutes and hours
        // keep the rest, counted as events arrive): after evaluating at end, nothing before end - 1h is
        // taken any more. The job dead-letters a request long before that (allowed lateness, 30 s by default).
        assertThat(BurnSettings.DEFAULT.pane()).isLessThan(Duration.ofMinutes(1));
        assertThat(m.onRequest(end - HOUR - 1, false)).isFalse();
        assertThat(m.onRequest(end - HOUR, false)).isTrue();
    }

    @Test
    void idleOnlyAfterAQuietSloWindowAndNotWhileAlerting() {
        BurnRateMonitor m = workbook();
        assertThat(m.isIdle(T0)).isTrue();
        m.onRequest(T0, true);
        assertThat(m.isIdle(T0 + 30 * DAY)).isFalse();
        assertThat(m.isIdle(T0 + 30 * DAY + 1)).isTrue();

        SloDefinition lax = slo(0.9, List.of(
                new BurnAlert("page-fast", Severity.PAGE, Duration.ofHours(1), Duration.ofMinutes(5), 14.4)));
        BurnRateMonitor alerting = monitor(lax, null);
        run(alerting, T0, 1, 1000, 1000);
        assertThat(alerting.isAlerting()).isTrue();
        assertThat(alerting.isIdle(T0 + 60 * DAY)).isFalse();
    }

    @Test
    void evaluationMustBeAtAPaneEndAndNeverRepeats() {
        BurnRateMonitor m = monitor(slo(0.9, List.of(
                new BurnAlert("page-fast", Severity.PAGE, Duration.ofHours(1), Duration.ofMinutes(5), 14.4))), null);
        assertThatThrownBy(() -> m.evaluate(T0 + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a multiple");
        m.add(T0, 0, 1000);
        assertThat(m.evaluate(T0 + MIN)).isPresent();
        assertThat(m.evaluate(T0 + MIN)).isEmpty();
        assertThat(m.evaluate(T0)).isEmpty();
    }

    @Test
    void alertWindowsMustBeWholePanes() {
        SloDefinition odd = slo(0.999, List.of(
                new BurnAlert("odd", Severity.PAGE, Duration.ofMinutes(62), Duration.ofMillis(92_500), 14.4)));
        assertThatThrownBy(() -> monitor(odd, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("asr-availability/odd")
                .hasMessageContaining("window 92500ms is not a whole number of 1s panes");
    }

    private static byte[] bytes(BurnRateMonitor m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(new DataOutputStream(out));
        return out.toByteArray();
    }

    @Test
    void aThresholdSloCountsTimeslicesAndNamesItsSlice() {
        SloDefinition slo = SloDefinition.threshold("asr-wer-per-slice", "WER", "*", Signal.ASR, 0.99,
                Duration.ofDays(30), new io.speechslo.policy.SliceThreshold("wer",
                        io.speechslo.policy.SliceThreshold.Op.LTE, 0.25, 30, Duration.ofMinutes(1)), WORKBOOK);
        BurnSettings settings = BurnRateMonitor.settings(slo, BurnSettings.DEFAULT);
        assertThat(settings.pane()).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.minEvents()).isEqualTo(BurnRateMonitor.MIN_JUDGED_TIMESLICES);
        assertThat(settings.reminder()).isEqualTo(BurnSettings.DEFAULT.reminder());
        io.speechslo.slice.Slice cohort = io.speechslo.slice.Slice.of(java.util.Map.of("language", "de-DE",
                "device", "phone-line"));
        BurnRateMonitor m = new BurnRateMonitor(slo, settings, "asr-voicemail", "v1", cohort, "policy-7");
        // 30 good timeslices, then bad ones: two bad of 32 already burn 6.25x over 6h (6.7x over 30m),
        // past page-slow's 6x, but MIN_BAD_TIMESLICES (3) holds the page back until the third
        assertThat(run(m, B, 30, 1, 0)).isEmpty();
        assertThat(run(m, B + 30 * MIN, 2, 1, 1)).isEmpty();
        List<Advisory> page = run(m, B + 32 * MIN, 1, 1, 1);
        assertThat(page).singleElement().satisfies(a -> {
            assertThat(a.getDecision()).isEqualTo(Decision.PAGE);
            assertThat(a.getFindings()).allSatisfy(f -> assertThat(f.getSlice()).containsExactlyInAnyOrderEntriesOf(
                    java.util.Map.of("language", "de-DE", "device", "phone-line", "model_version", "v1")));
            assertThat(a.getSummary()).startsWith("asr-voicemail (model v1) on device=phone-line, language=de-DE is"
                    + " burning its asr-wer-per-slice error budget")
                    .contains("9.09x too fast over 6h (and 10x over 30m): page. wer <= 0.25 failed in 3 of 33 judged 1m"
                            + " timeslices over 6h.");
        });
        assertThat(m.assessment()).isSameAs(page.get(0));
        // not emitted again within the reminder, but still assessed (for the SLO's grouped advisory)
        assertThat(run(m, B + 33 * MIN, 1, 1, 1)).isEmpty();
        assertThat(m.assessment()).isNotNull().extracting(Advisory::getDecision).isEqualTo(Decision.PAGE);
    }
}
