package io.speechslo.policy.load;

import io.speechslo.policy.BurnAlert;
import io.speechslo.policy.Policies;
import io.speechslo.policy.Severity;
import io.speechslo.policy.SloDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class AlertPolicyTest {

    @TempDir
    Path tmp;

    @Test
    void shippedAlertsAreTheSreWorkbookMultiwindowBurnRates() {
        for (SloDefinition slo : PolicyLoader.loadDefaults().slos()) {
            assertThat(slo.alerts()).as(slo.name())
                    .extracting(BurnAlert::name, BurnAlert::severity, BurnAlert::longWindow, BurnAlert::shortWindow,
                            BurnAlert::factor)
                    .containsExactly(
                            tuple("page-1h", Severity.PAGE, Duration.ofHours(1), Duration.ofMinutes(5), 14.4),
                            tuple("page-6h", Severity.PAGE, Duration.ofHours(6), Duration.ofMinutes(30), 6.0),
                            tuple("ticket-1d", Severity.TICKET, Duration.ofDays(1), Duration.ofHours(2), 3.0),
                            tuple("ticket-3d", Severity.TICKET, Duration.ofDays(3), Duration.ofHours(6), 1.0));
        }
    }

    @Test
    void withoutTheAnnotationTheShortWindowIsATwelfthOfTheLongOne() {
        String alerts = JobDir.edit(JobDir.shipped("slos/alerts.yaml"),
                "        annotations:\n          speechslo.io/short-window: 30m\n", "");
        JobDir.write(tmp, "slos/alerts.yaml", alerts);
        BurnAlert sixHours = alert(PolicyLoader.load(tmp), "page-6h");
        assertThat(sixHours.shortWindow()).isEqualTo(Duration.ofMinutes(30));

        JobDir.write(tmp, "slos/alerts.yaml", JobDir.edit(alerts, "lookbackWindow: 6h", "lookbackWindow: 2h"));
        assertThat(alert(PolicyLoader.load(tmp), "page-6h").shortWindow()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void theAnnotationSetsTheShortWindow() {
        JobDir.write(tmp, "slos/alerts.yaml", JobDir.edit(JobDir.edit(JobDir.shipped("slos/alerts.yaml"),
                "speechslo.io/short-window: 5m", "speechslo.io/short-window: 10m"), "threshold: 14.4", "threshold: 10"));
        BurnAlert fast = alert(PolicyLoader.load(tmp), "page-1h");
        assertThat(fast.shortWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(fast.longWindow()).isEqualTo(Duration.ofHours(1));
        assertThat(fast.factor()).isEqualTo(10.0);
    }

    @Test
    void anSloWithoutAlertPoliciesHasNoAlerts() {
        JobDir.write(tmp, "slos/asr.yaml", JobDir.edit(JobDir.shipped("slos/asr.yaml"),
                "    - displayName: 99.9% of requests succeed\n      target: 0.999\n  alertPolicies: [speech-burn-rate]\n",
                "    - displayName: 99.9% of requests succeed\n      target: 0.999\n"));
        Policies p = PolicyLoader.load(tmp);
        assertThat(slo(p, "asr-availability").alerts()).isEmpty();
        assertThat(slo(p, "asr-first-partial-latency").alerts()).hasSize(4);
    }

    private static SloDefinition slo(Policies p, String name) {
        return p.slos().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static BurnAlert alert(Policies p, String name) {
        return slo(p, "asr-availability").alerts().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
    }
}
