package io.speechslo.report;

import io.speechslo.policy.BurnAlert;
import io.speechslo.policy.Severity;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The earliest page the SRE Workbook's alerts allow after a step in the error rate. */
class BurnMathsTest {

    static final List<BurnAlert> ALERTS = List.of(
            new BurnAlert("page-1h", Severity.PAGE, Duration.ofHours(1), Duration.ofMinutes(5), 14.4),
            new BurnAlert("page-6h", Severity.PAGE, Duration.ofHours(6), Duration.ofMinutes(30), 6),
            new BurnAlert("ticket-1d", Severity.TICKET, Duration.ofDays(1), Duration.ofHours(2), 3));

    @Test
    void withAFullHistoryTheOneHourAlertPagesFirst() {
        // every minute bad at a 99% objective is a burn of 100: 1 h window reaches 14.4 after 8.64 min
        BurnMaths.Earliest e = BurnMaths.earliestPage(ALERTS, 0.99, 0, 1, Duration.ofDays(7), Duration.ofMinutes(1),
                Duration.ZERO);
        assertThat(e.alert().name()).isEqualTo("page-1h");
        assertThat(e.after()).isEqualTo(Duration.ofMinutes(9));
    }

    @Test
    void aShortHistoryLetsTheSixHourWindowFillFaster() {
        // one hour of good data before: 6 h window burns t / (60 + t) * 100 >= 6 after 3.83 min
        BurnMaths.Earliest e = BurnMaths.earliestPage(ALERTS, 0.99, 0, 1, Duration.ofHours(1), Duration.ofMinutes(1),
                Duration.ZERO);
        assertThat(e.alert().name()).isEqualTo("page-6h");
        assertThat(e.after()).isEqualTo(Duration.ofMinutes(4));
        // but never before the monitor holds its least bad count
        assertThat(BurnMaths.earliestPage(ALERTS, 0.99, 0, 1, Duration.ofHours(1), Duration.ofMinutes(1),
                Duration.ofMinutes(6)).after()).isEqualTo(Duration.ofMinutes(6));
    }

    @Test
    void requestsAtAThirtyPercentErrorRate() {
        // 99.9%: burn 300; with a full history the 1 h window reaches 14.4 after 3600 * 14.4 / 300 = 172.8 s
        BurnMaths.Earliest e = BurnMaths.earliestPage(ALERTS, 0.999, 0, 0.3, Duration.ofDays(30), Duration.ofSeconds(1),
                Duration.ZERO);
        assertThat(e.alert().name()).isEqualTo("page-1h");
        assertThat(e.after()).isEqualTo(Duration.ofSeconds(173));
    }

    @Test
    void aBurnBelowEveryPageThresholdNeverPages() {
        // burn 5: under 6 and 14.4; a ticket alert does not page
        assertThat(BurnMaths.earliestPage(ALERTS, 0.99, 0, 0.05, Duration.ofDays(7), Duration.ofMinutes(1),
                Duration.ZERO)).isNull();
        // a baseline already burning shortens the way
        assertThat(BurnMaths.burn(0.01, 0.2, 3_600_000, 600_000, 3_600_000)).isCloseTo((0.01 * 50 + 0.2 * 10) / 60,
                org.assertj.core.data.Offset.offset(1e-12));
    }
}
