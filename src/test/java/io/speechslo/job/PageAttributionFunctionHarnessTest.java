package io.speechslo.job;

import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Hint;
import io.speechslo.aggregate.SlicePane;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.slice.RequestSlices;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Track;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Page attribution on the operator harness: a page waits for the watermark of its window end, leaves
 * with the region that holds its bad requests (counted over exactly the panes the watermark closed
 * within its window, whatever else arrived), other advisories pass unchanged in their order, an evenly
 * spread page names nothing, and once the hour is over no state or timer is left.
 */
class PageAttributionFunctionHarnessTest {

    static final long MIN = 60_000;
    static final long LATENESS = 30_000;
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final String[] SLOS = {"asr-availability", "asr-first-partial-latency"};

    static KeyedTwoInputStreamOperatorTestHarness<String, Advisory, PaneRecord, Advisory> harness() throws Exception {
        return harness(new PageAttributionFunction(MIN, LATENESS));
    }

    /** An open harness running the function as the topology does ({@link HeldStateCoOperator}). */
    static KeyedTwoInputStreamOperatorTestHarness<String, Advisory, PaneRecord, Advisory> harness(
            PageAttributionFunction function) throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new HeldStateCoOperator<>(function),
                PageAttributionFunction::key, PageAttributionFunction::key, Types.STRING);
        h.open();
        return h;
    }

    /** A closed slice pane of asr-availability: {@code requests} requests, {@code bad} of them bad. */
    static PaneRecord pane(String service, Track track, String region, long paneEnd, int requests, int bad) {
        SlicePane p = new SlicePane(Signal.ASR);
        for (int i = 0; i < requests; i++) {
            p.sloCounts().count(SLOS, 0, i >= bad);
        }
        return new PaneRecord(service, Signal.ASR, track, "v1",
                RequestSlices.of(Signal.ASR, "quiet", "mobile", "en-US", region).key(), paneEnd, p.toBytes());
    }

    static Advisory advisory(String service, Decision decision, long windowEnd) {
        return Advisories.withId(Advisory.newBuilder()
                .setAdvisoryId("")
                .setKind(AdvisoryKind.BURN_RATE)
                .setDecision(decision)
                .setService(service)
                .setSlo("asr-availability")
                .setWindowEnd(windowEnd)
                .setPolicyVersion("p")
                .setSummary(service + " is burning: " + decision.name().toLowerCase() + ".")
                .setFindings(List.of())
                .setLongWindow(3_600_000L)
                .setShortWindow(300_000L)
                .build());
    }

    static void watermark(KeyedTwoInputStreamOperatorTestHarness<String, Advisory, PaneRecord, Advisory> h, long t)
            throws Exception {
        h.processWatermark1(new Watermark(t));
        h.processWatermark2(new Watermark(t));
    }

    @Test
    void aPageLeavesAtItsWindowEndNamingTheRegionOverTheClosedPanesOfItsWindow() throws Exception {
        try (var h = harness()) {
            long end = T0 + 10 * MIN;
            // ten minutes: eu-west-1 (300 requests a minute) has 30 bad a minute, us-east-1 (700) 1
            for (int m = 1; m <= 9; m++) {
                h.processElement2(pane("asr-prod", Track.STABLE, "eu-west-1", T0 + m * MIN, 300, 30), T0 + m * MIN + LATENESS);
                h.processElement2(pane("asr-prod", Track.STABLE, "us-east-1", T0 + m * MIN, 700, 1), T0 + m * MIN + LATENESS);
                h.processElement2(pane("asr-prod", Track.SHADOW, "us-east-1", T0 + m * MIN, 700, 700), T0 + m * MIN + LATENESS);
            }
            Advisory earlier = advisory("asr-prod", Decision.TICKET, end - 1_000);
            h.processElement1(earlier, end - 1_000);
            watermark(h, end - 1);
            assertThat(h.extractOutputValues()).containsExactly(earlier);
            Advisory page = advisory("asr-prod", Decision.PAGE, end);
            Advisory after = advisory("asr-prod", Decision.TICKET, end);
            h.processElement1(page, end);
            h.processElement1(after, end);
            // a pane the watermark has not closed by the page's window end (it ends within the lateness)
            h.processElement2(pane("asr-prod", Track.STABLE, "us-east-1", end, 700, 700), end + LATENESS);
            assertThat(h.extractOutputValues()).hasSize(1);

            watermark(h, end);

            List<Advisory> out = h.extractOutputValues().subList(1, 3);
            assertThat(h.extractOutputValues()).hasSize(3);
            Advisory attributed = out.get(0);
            assertThat(attributed.getDecision()).isEqualTo(Decision.PAGE);
            assertThat(attributed.getHints()).hasSize(1);
            Hint hint = attributed.getHints().get(0);
            assertThat(hint.getDriver()).isEqualTo("slice");
            assertThat(hint.getMetric()).isEqualTo("bad_request_share{region=eu-west-1}");
            assertThat(hint.getValue()).isCloseTo(270.0 / 279, within(1e-12)); // 9 minutes: 270 of 279 bad
            assertThat(hint.getBaseline()).isCloseTo(0.3, within(1e-12));
            assertThat(hint.getEvidence()).isEqualTo("region=eu-west-1 holds 97% of the bad requests with 30% of the"
                    + " traffic (270 of its 2,700 requests bad, 0.14% elsewhere; 00:00-00:09 UTC)");
            assertThat(attributed.getSummary()).isEqualTo("asr-prod is burning: page. Bad requests concentrate in"
                    + " region=eu-west-1 (97% of them, 30% of the traffic).");
            assertThat(attributed.getAdvisoryId()).isEqualTo(Advisories.withId(Advisory.newBuilder(attributed).build())
                    .getAdvisoryId()).isNotEqualTo(advisory("asr-prod", Decision.PAGE, end).getAdvisoryId());
            assertThat(out.get(1)).isEqualTo(after); // unchanged, in its order
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held panes go back to state
            assertThat(h.numKeyedStateEntries()).as("the panes a later page may reach").isPositive();

            // the hour passes: every pane and timer goes
            watermark(h, end + 2 * 3_600_000L);
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held panes go back to state
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aPageWhoseBadRequestsAreSpreadEvenlyLeavesUnchanged() throws Exception {
        try (var h = harness()) {
            long end = T0 + 10 * MIN;
            for (int m = 1; m <= 9; m++) {
                h.processElement2(pane("asr-even", Track.STABLE, "eu-west-1", T0 + m * MIN, 300, 9), T0 + m * MIN + LATENESS);
                h.processElement2(pane("asr-even", Track.STABLE, "us-east-1", T0 + m * MIN, 700, 21), T0 + m * MIN + LATENESS);
            }
            Advisory page = advisory("asr-even", Decision.PAGE, end);
            Advisory copy = Advisory.newBuilder(page).build();
            h.processElement1(page, end);
            watermark(h, end);
            assertThat(h.extractOutputValues()).containsExactly(copy);
        }
    }

    @Test
    void aPageWithNoPanesYetLeavesUnchangedAtItsWindowEnd() throws Exception {
        try (var h = harness()) {
            Advisory page = advisory("asr-new", Decision.PAGE, T0 + MIN);
            Advisory copy = Advisory.newBuilder(page).build();
            h.processElement1(page, T0 + MIN);
            watermark(h, T0 + MIN - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            watermark(h, T0 + MIN);
            assertThat(h.extractOutputValues()).containsExactly(copy);
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held panes go back to state
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, Advisory, PaneRecord, Advisory> latencyHarness() throws Exception {
        return harness(new PageAttributionFunction(MIN, LATENESS, PolicyLoader.bundleDefaults()));
    }

    /**
     * A closed slice pane of {@code requests} ASR requests whose first partial is queue + 20 ms of
     * preprocessing + model time (+ 10 ms), the queue drawn around {@code queueMean}; those over 300 ms
     * count as bad for asr-first-partial-latency, every one good for asr-availability.
     */
    static PaneRecord latencyPane(String region, long paneEnd, int requests, double queueMean, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        SlicePane p = new SlicePane(Signal.ASR);
        for (int i = 0; i < requests; i++) {
            long queue = Math.round(queueMean * (0.5 + rnd.nextDouble()));
            long model = 80 + rnd.nextInt(40);
            long firstPartial = queue + 20 + model + 10;
            p.add(Requests.asr().setQueueMs(queue).setPreprocessMs(20L).setModelMs(model).setBatchSize(4)
                    .setFirstPartialMs(firstPartial).setFinalizationMs(firstPartial + 200).build(), paneEnd - 1);
            p.sloCounts().count(SLOS, 0, true);
            p.sloCounts().count(SLOS, 1, firstPartial <= 300);
        }
        return new PaneRecord("asr-slow", Signal.ASR, Track.STABLE, "v1",
                RequestSlices.of(Signal.ASR, "quiet", "mobile", "en-US", region).key(), paneEnd, p.toBytes());
    }

    static Advisory alert(String slo, Decision decision, long windowEnd) {
        return Advisories.withId(Advisory.newBuilder(advisory("asr-slow", decision, windowEnd)).setSlo(slo)
                .setModelVersion("v1").setSummary("asr-slow " + slo + " is burning.").build());
    }

    @Test
    void aLatencyPageNamesTheComponentThatMovedAgainstTheHourBeforeAndAnAvailabilityPageNone() throws Exception {
        try (var h = latencyHarness()) {
            long end = T0 + 120 * MIN;
            // two hours of two regions; in the second hour's last 20 minutes the queue grows from ~40 to ~240 ms
            for (int m = 1; m <= 120; m++) {
                double queue = m > 100 ? 240 : 40;
                h.processElement2(latencyPane("eu-west-1", T0 + m * MIN, 60, queue, m), T0 + m * MIN + LATENESS);
                h.processElement2(latencyPane("us-east-1", T0 + m * MIN, 60, queue, 1000 + m), T0 + m * MIN + LATENESS);
            }
            Advisory latencyPage = alert("asr-first-partial-latency", Decision.PAGE, end);
            Advisory availabilityPage = alert("asr-availability", Decision.PAGE, end);
            Advisory latencyTicket = alert("asr-first-partial-latency", Decision.TICKET, end);
            h.processElement1(latencyPage, end);
            h.processElement1(availabilityPage, end);
            h.processElement1(latencyTicket, end);
            watermark(h, end);

            List<Advisory> out = h.extractOutputValues();
            assertThat(out).hasSize(3);
            Advisory page = out.get(0);
            assertThat(page.getHints()).isNotEmpty();
            Hint first = page.getHints().get(0);
            assertThat(first.getDriver()).isEqualTo("queue");
            assertThat(first.getMetric()).isEqualTo("queue_ms_mean");
            // the window 01:00-01:59 (the last pane is within the lateness) holds 19 of its minutes at ~240 ms
            assertThat(first.getValue()).isBetween(40 + 19 * 200 / 59.0 - 3, 40 + 19 * 200 / 59.0 + 3);
            assertThat(first.getBaseline()).isBetween(38.0, 42.0);
            assertThat(first.getShareExplained()).isBetween(0.95, 1.05);
            assertThat(first.getEvidence()).startsWith("queue_ms mean ")
                    .contains(" ms in 00:00-01:00 UTC (z=")
                    .contains("rise in mean first_partial_ms of v1")
                    .contains("over the 7080 in 01:00-01:59 UTC and 7200 in 00:00-01:00 UTC requests that report queue_ms"
                            + " (of 7080 and 7200)")
                    .contains("batch size mean 4 against 4")
                    .doesNotContain("p95");
            assertThat(page.getHints()).extracting(Hint::getDriver).doesNotContain("model", "preprocess");
            assertThat(page.getSummary()).startsWith("asr-slow asr-first-partial-latency is burning. Of the rise in mean"
                    + " first_partial_ms against 00:00-01:00 UTC, queue time explains ");
            assertThat(page.getAdvisoryId()).isNotEqualTo(alert("asr-first-partial-latency", Decision.PAGE, end).getAdvisoryId());

            // availability: no latency hint (and nothing bad to attribute)
            assertThat(out.get(1).getHints()).isEmpty();
            assertThat(out.get(1).getSummary()).isEqualTo("asr-slow asr-availability is burning.");
            // a ticket gets the same decomposition
            assertThat(out.get(2).getHints()).extracting(Hint::getDriver).first().isEqualTo("queue");

            // two hours on, nothing is left
            watermark(h, end + 2 * 3_600_000L);
            h.prepareSnapshotPreBarrier(1); // as at a checkpoint: the held panes go back to state
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aLatencyPageWithASteadyQueueNamesNoComponentAndWithoutAWindowBeforeNone() throws Exception {
        try (var h = latencyHarness()) {
            long end = T0 + 120 * MIN;
            for (int m = 1; m <= 120; m++) {
                h.processElement2(latencyPane("eu-west-1", T0 + m * MIN, 60, 40, m), T0 + m * MIN + LATENESS);
            }
            Advisory steady = alert("asr-first-partial-latency", Decision.PAGE, end);
            Advisory copy = Advisory.newBuilder(steady).build();
            h.processElement1(steady, end);
            watermark(h, end);
            assertThat(h.extractOutputValues()).containsExactly(copy);
        }
        try (var h = latencyHarness()) {
            long end = T0 + 60 * MIN; // the first hour: no window before it
            for (int m = 1; m <= 60; m++) {
                h.processElement2(latencyPane("eu-west-1", T0 + m * MIN, 60, m > 40 ? 240 : 40, m), T0 + m * MIN + LATENESS);
            }
            Advisory first = alert("asr-first-partial-latency", Decision.PAGE, end);
            Advisory copy = Advisory.newBuilder(first).build();
            h.processElement1(first, end);
            watermark(h, end);
            assertThat(h.extractOutputValues()).containsExactly(copy);
        }
    }

    /** A closed slice pane of {@code requests} ASR requests, {@code timeouts} TIMEOUT and {@code errors} ERROR. */
    static PaneRecord outcomePane(long paneEnd, int requests, int timeouts, int errors) {
        SlicePane p = new SlicePane(Signal.ASR);
        for (int i = 0; i < requests; i++) {
            Outcome o = i < timeouts ? Outcome.TIMEOUT : i < timeouts + errors ? Outcome.ERROR : Outcome.OK;
            p.add(Requests.asr().setOutcome(o).build(), paneEnd - 1);
            p.sloCounts().count(SLOS, 0, o == Outcome.OK);
        }
        return new PaneRecord("asr-slow", Signal.ASR, Track.STABLE, "v1",
                RequestSlices.of(Signal.ASR, "quiet", "mobile", "en-US", "us-east-1").key(), paneEnd, p.toBytes());
    }

    @Test
    void anAvailabilityPageOfTimeoutsNamesThemAndOneOfErrorsDoesNot() throws Exception {
        for (boolean timeouts : new boolean[] {true, false}) {
            try (var h = latencyHarness()) {
                long end = T0 + 120 * MIN;
                for (int m = 1; m <= 120; m++) {
                    // one TIMEOUT and one ERROR a minute, and from minute 91 30 more of one of them
                    int bad = m > 90 ? 30 : 0;
                    h.processElement2(outcomePane(T0 + m * MIN, 1_000, timeouts ? 1 + bad : 1, timeouts ? 1 : 1 + bad),
                            T0 + m * MIN + LATENESS);
                }
                h.processElement1(alert("asr-availability", Decision.PAGE, end), end);
                watermark(h, end);
                Advisory page = h.extractOutputValues().get(0);
                if (timeouts) {
                    assertThat(page.getHints()).singleElement().satisfies(hint -> {
                        assertThat(hint.getDriver()).isEqualTo("timeouts");
                        assertThat(hint.getValue()).isCloseTo(929.0 / 59_000, within(1e-12));
                        assertThat(hint.getBaseline()).isCloseTo(60.0 / 60_000, within(1e-12));
                        assertThat(hint.getShareExplained()).isCloseTo(1.0, within(1e-12)); // errors did not move
                        assertThat(hint.getEvidence()).startsWith("TIMEOUT ended 929 of 59,000 requests (1.6%) in"
                                + " 01:00-01:59 UTC against 60 of 60,000 (0.100%) in 00:00-01:00 UTC (z=")
                                .contains("; ERROR 59 (0.100%) against 60 (0.100%)");
                    });
                    assertThat(page.getSummary()).endsWith(" Most bad requests timed out (929 TIMEOUT, 59 ERROR in"
                            + " 01:00-01:59 UTC).");
                } else {
                    assertThat(page.getHints()).isEmpty();
                    assertThat(page.getSummary()).isEqualTo("asr-slow asr-availability is burning.");
                }
            }
        }
    }

    @Test
    void aThresholdSloAlertMadeAfterItsPaneClosedIsDecomposedOverItsOwnWindow() throws Exception {
        try (var h = latencyHarness()) {
            long end = T0 + 120 * MIN;
            for (int m = 1; m <= 120; m++) {
                double queue = m > 100 ? 240 : 40;
                h.processElement2(latencyPane("eu-west-1", T0 + m * MIN, 60, queue, m), T0 + m * MIN + LATENESS);
            }
            // the drift engine makes it once its pane closed: the watermark is past its window end already
            watermark(h, end + LATENESS - 1);
            Advisory latency = alert("asr-first-partial-p95-per-slice", Decision.PAGE, end);
            Advisory wer = alert("asr-wer-per-slice", Decision.PAGE, end);
            Advisory werCopy = Advisory.newBuilder(wer).build();
            h.processElement1(latency, end + LATENESS - 1);
            h.processElement1(wer, end + LATENESS - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            watermark(h, end + LATENESS);
            List<Advisory> out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            // the same window as had it come at its window end: 01:00-01:59 against 00:00-01:00
            assertThat(out.get(0).getHints()).extracting(Hint::getDriver).first().isEqualTo("queue");
            assertThat(out.get(0).getHints().get(0).getEvidence())
                    .contains("over the 3540 in 01:00-01:59 UTC and 3600 in 00:00-01:00 UTC requests");
            assertThat(out.get(1)).isEqualTo(werCopy); // a quality threshold SLO: nothing to decompose, no slice search
        }
    }
}
