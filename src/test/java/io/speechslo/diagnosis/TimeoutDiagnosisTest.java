package io.speechslo.diagnosis;

import io.speechslo.advisory.Hint;
import io.speechslo.diagnosis.TimeoutDiagnosis.Window;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.policy.load.PolicyLoader;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Timeouts named on an availability page: when its bad requests are mostly TIMEOUT and the timeout rate
 * rose beyond noise against the window before; never for an error-driven page, a steady one, or too few.
 */
class TimeoutDiagnosisTest {

    private static final Window BEFORE = new Window("in 08:00-09:00 UTC", 48_000, 12, 40);

    @Test
    void aPageOfTimeoutsNamesThemWithTheOutcomeCounts() {
        Window now = new Window("in 09:00-10:00 UTC", 50_000, 1_500, 60);
        List<Hint> hints = TimeoutDiagnosis.hints("of asr-2026.01.2", now, BEFORE);
        assertThat(hints).singleElement().satisfies(h -> {
            assertThat(h.getDriver()).isEqualTo("timeouts");
            assertThat(h.getMetric()).isEqualTo("timeout_rate");
            assertThat(h.getValue()).isCloseTo(0.03, within(1e-12));
            assertThat(h.getBaseline()).isCloseTo(12 / 48_000.0, within(1e-12));
            // the timeout rate's rise over the rise of TIMEOUT + ERROR
            double rise = 0.03 - 12 / 48_000.0;
            double badRise = 1_560 / 50_000.0 - 52 / 48_000.0;
            assertThat(h.getShareExplained()).isCloseTo(rise / badRise, within(1e-12));
            assertThat(h.getEvidence()).startsWith("TIMEOUT ended 1,500 of 50,000 requests (3.0%) in 09:00-10:00 UTC"
                    + " against 12 of 48,000 (0.025%) in 08:00-09:00 UTC (z=")
                    .contains("% of the rise in requests ending TIMEOUT or ERROR of asr-2026.01.2; ERROR 60 (0.120%)"
                            + " against 40 (0.083%)");
        });
    }

    @Test
    void errorsSteadyTimeoutsOrTooFewNameNothing() {
        // an error-driven page: more ERROR than TIMEOUT, even though timeouts rose a little
        assertThat(TimeoutDiagnosis.hints("", new Window("now", 50_000, 200, 1_500), BEFORE)).isEmpty();
        // timeouts are most of the bad requests, but as many as before
        assertThat(TimeoutDiagnosis.hints("", new Window("now", 50_000, 13, 5), new Window("before", 48_000, 12, 5)))
                .isEmpty();
        // too few timeouts to tell
        assertThat(TimeoutDiagnosis.hints("", new Window("now", 500, 9, 0), new Window("before", 48_000, 0, 0)))
                .isEmpty();
        // no window before
        assertThat(TimeoutDiagnosis.hints("", new Window("now", 50_000, 1_500, 0), new Window("before", 0, 0, 0)))
                .isEmpty();
    }

    @Test
    void theShippedAvailabilitySlosJudgeOutcomesAndTheOthersDoNot() {
        Policies policies = PolicyLoader.bundleDefaults().policies();
        for (Signal signal : Signal.values()) {
            for (SloDefinition slo : policies.allSlosFor("any-service", signal)) {
                assertThat(TimeoutDiagnosis.judgesOutcomes(slo)).as(slo.name())
                        .isEqualTo(slo.name().endsWith("-availability"));
            }
        }
    }
}
