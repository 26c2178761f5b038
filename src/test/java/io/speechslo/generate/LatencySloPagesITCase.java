package io.speechslo.generate;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Hint;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Latency and availability SLO pages through the whole topology: a stable-only service whose queue falls
 * behind pages on its first-partial latency SLO, and every latency page's first hint is {@code queue} (its
 * window against the one before it, model time unchanged), with the share of the mean's rise it explains;
 * its serving samples add {@code autoscaler} as evidence (scale-ups slowed when the queue grew); the
 * availability pages of the outage scenarios (ERROR-driven) carry no latency hint and no
 * {@code timeouts}; a service whose requests time out pages on availability naming {@code timeouts}.
 */
class LatencySloPagesITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final List<String> LATENCY_DRIVERS = List.of("queue", "preprocess", "model");

    @Test
    void aQueueFallingBehindPagesOnFirstPartialLatencyNamingTheQueue() throws Exception {
        ShippedScenariosITCase.Run run = ShippedScenariosITCase.run("latency-slo-queue-page.yaml");
        List<Advisory> burns = run.of(AdvisoryKind.BURN_RATE);
        List<Advisory> pages = burns.stream()
                .filter(a -> a.getDecision() == Decision.PAGE && a.getSlo().equals("asr-first-partial-latency")).toList();
        assertThat(pages).as("the queue's growth burns the first-partial budget fast enough to page").isNotEmpty();
        assertThat(burns).allSatisfy(a -> {
            assertThat(a.getService()).isEqualTo("asr-captions");
            assertThat(a.getModelVersion()).isIn(null, "asr-2026.01.2"); // the service, and its one version
            assertThat(a.getSlo()).isIn("asr-first-partial-latency", "asr-finalization-latency", "asr-first-partial-p95-per-slice");
            assertThat(a.getHints()).as(a.getSummary()).isNotEmpty();
            Hint first = a.getHints().get(0);
            assertThat(first.getDriver()).isEqualTo("queue");
            assertThat(first.getMetric()).isEqualTo("queue_ms_mean");
            assertThat(first.getValue()).isGreaterThan(first.getBaseline());
            assertThat(first.getEvidence()).startsWith("queue_ms mean ").contains("rise in mean")
                    .contains(a.getModelVersion() == null ? "on the whole service" : "of asr-2026.01.2")
                    .contains("requests that report queue_ms").contains(" UTC (z=");
            // model time did not move: it is never named
            assertThat(a.getHints()).extracting(Hint::getDriver).doesNotContain("model").doesNotHaveDuplicates();
            assertThat(a.getSummary()).contains(", queue time explains ");
        });
        for (Advisory a : pages) {
            Hint first = a.getHints().get(0);
            // the queue wait is added to the first partial: it explains all of its mean's rise
            assertThat(first.getShareExplained()).as(first.getEvidence()).isBetween(0.8, 1.25);
            // and the serving samples say why: scale-ups that used to take 30 s take 10 minutes
            assertThat(a.getHints()).as(a.getSummary()).anySatisfy(h -> {
                assertThat(h.getDriver()).isEqualTo("autoscaler");
                assertThat(h.getShareExplained()).isNull();
                assertThat(h.getValue()).isGreaterThan(h.getBaseline());
                assertThat(h.getEvidence()).contains("replicas the autoscaler asked for were not ready in ")
                        .contains("pool-minutes");
            });
            assertThat(a.getHints()).extracting(Hint::getDriver).doesNotContain("gpu_saturation");
        }
        // from minute 75 the router overflows: the last page's window holds it, the window before does not
        Advisory last = pages.get(pages.size() - 1);
        assertThat(last.getHints()).as(last.getSummary()).anySatisfy(h -> {
            assertThat(h.getDriver()).isEqualTo("pool");
            assertThat(h.getMetric()).startsWith("pool_share{gpu-").endsWith("-overflow}");
            assertThat(h.getBaseline()).isZero();
            assertThat(h.getValue()).isGreaterThan(0.1);
            assertThat(h.getShareExplained()).isNull();
            assertThat(h.getEvidence()).contains("of the requests that name their pool");
        });
        assertThat(run.of(AdvisoryKind.ROLLOUT)).isEmpty();
        assertThat(run.of(AdvisoryKind.DRIFT)).isEmpty();
    }

    @Test
    void availabilityPagesCarryNoLatencyHint() throws Exception {
        for (String scenario : List.of("slo-burning-fast.yaml", "page-service-wide-outage.yaml")) {
            List<Advisory> pages = ShippedScenariosITCase.run(scenario).of(AdvisoryKind.BURN_RATE).stream()
                    .filter(a -> a.getDecision() == Decision.PAGE).toList();
            assertThat(pages).as(scenario).isNotEmpty().allSatisfy(a -> {
                assertThat(a.getSlo()).isEqualTo("asr-availability");
                assertThat(a.getHints()).extracting(Hint::getDriver).doesNotContainAnyElementsOf(LATENCY_DRIVERS)
                        .doesNotContain("timeouts");
                assertThat(a.getSummary()).doesNotContain("time explains").doesNotContain("timed out");
            });
        }
    }

    @Test
    void aStalledBackendPagesOnAvailabilityNamingTimeouts() throws Exception {
        ShippedScenariosITCase.Run run = ShippedScenariosITCase.run("availability-timeouts-page.yaml");
        List<Advisory> burns = run.of(AdvisoryKind.BURN_RATE);
        long oneHourIn = java.time.Instant.parse("2026-01-05T09:00:00Z").toEpochMilli();
        assertThat(burns).filteredOn(a -> a.getDecision() == Decision.PAGE).isNotEmpty();
        assertThat(burns).allSatisfy(a -> assertThat(a.getSlo()).isEqualTo("asr-availability"));
        // within the first hour the alert's window has no window before it in the data: nothing to compare with
        assertThat(burns).filteredOn(a -> a.getWindowEnd() <= oneHourIn).isNotEmpty()
                .allSatisfy(a -> assertThat(a.getHints()).isEmpty());
        List<Advisory> compared = burns.stream().filter(a -> a.getWindowEnd() > oneHourIn).toList();
        assertThat(compared).filteredOn(a -> a.getDecision() == Decision.PAGE).isNotEmpty();
        assertThat(compared).allSatisfy(a -> {
            assertThat(a.getHints()).as(a.getSummary()).isNotEmpty();
            Hint first = a.getHints().get(0);
            assertThat(first.getDriver()).isEqualTo("timeouts");
            assertThat(first.getMetric()).isEqualTo("timeout_rate");
            assertThat(first.getValue()).isGreaterThan(first.getBaseline());
            // errors did not move: timeouts explain (about) all of the rise in bad requests
            assertThat(first.getShareExplained()).isBetween(0.9, 1.1);
            assertThat(first.getEvidence()).startsWith("TIMEOUT ended ").contains("; ERROR ");
            assertThat(a.getSummary()).contains("Most bad requests timed out (");
            // every cohort times out alike: no slice is named
            assertThat(a.getHints()).extracting(Hint::getDriver).containsExactly("timeouts");
        });
        assertThat(run.of(AdvisoryKind.ROLLOUT)).isEmpty();
        assertThat(run.of(AdvisoryKind.DRIFT)).isEmpty();
    }
}
