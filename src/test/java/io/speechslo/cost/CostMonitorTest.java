package io.speechslo.cost;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.DriftPolicy;
import io.speechslo.scorecard.RequestStats;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Track;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The cost monitor against hand-made minutes of traffic whose cost and drivers are known. */
class CostMonitorTest {

    private static final long MINUTE = 60_000;
    private static final long HOUR = 3_600_000;

    /** One minute of {@code n} ASR requests of 1 audio minute each, at {@code price} USD per minute. */
    private static void minute(CostMonitor m, long paneEnd, Track track, int n, double price, int retryEvery,
            Random random) {
        MetricSet set = new MetricSet(Signal.ASR);
        RequestStats stats = new RequestStats();
        Map<String, MetricSet> byLanguage = new TreeMap<>();
        MetricSet english = new MetricSet(Signal.ASR);
        for (int i = 0; i < n; i++) {
            int retries = retryEvery > 0 && i % retryEvery == 0 ? 1 : 0;
            AsrRequest r = Requests.asr().setAudioMs(60_000).setRetries(retries).setBatchSize(4).setModelMs(200L)
                    .setCostUsd(price * (1 + retries) * (1 + 0.02 * random.nextGaussian())).build();
            set.add(r);
            stats.add(r);
            english.add(r);
        }
        byLanguage.put("en-US", english);
        m.add(paneEnd, track, "v1", set, stats, byLanguage);
    }

    private static List<Advisory> hours(CostMonitor m, long fromHour, long toHour, double price, int retryEvery,
            Random random) {
        List<Advisory> out = new ArrayList<>();
        for (long h = fromHour; h < toHour; h++) {
            for (int i = 1; i <= 60; i++) {
                minute(m, h * HOUR + i * MINUTE, Track.STABLE, 20, price, retryEvery, random);
            }
            out.addAll(m.evaluate((h + 1) * HOUR));
        }
        return out;
    }

    private static CostMonitor monitor() {
        return new CostMonitor("asr-prod", Signal.ASR).configure(DriftPolicy.DEFAULT, "p1");
    }

    @Test
    void aRiseIsFlaggedOnceWithItsDriverAndResolvedWhenItEnds() {
        Random random = new Random(7);
        CostMonitor m = monitor();
        assertThat(hours(m, 0, 3, 0.006, 0, random)).as("steady: quiet").isEmpty();
        List<Advisory> storm = hours(m, 3, 5, 0.006, 2, random);
        assertThat(storm).as("flagged once, not re-emitted while the drivers stay the same").singleElement()
                .satisfies(a -> {
                    assertThat(a.getKind()).isEqualTo(AdvisoryKind.COST);
                    assertThat(a.getDecision()).isEqualTo(Decision.INVESTIGATE);
                    assertThat(a.getHints().get(0).getDriver()).isEqualTo("retries");
                    assertThat(a.getFindings().get(0).getValue() / a.getFindings().get(0).getBaseline())
                            .isBetween(1.45, 1.55);
                });
        // the storm ends: the next hour is within limits against a baseline that still holds the storm hours
        List<Advisory> after = hours(m, 5, 6, 0.006, 0, random);
        assertThat(after).singleElement().satisfies(a -> assertThat(a.getDecision()).isEqualTo(Decision.RESOLVED));
        assertThat(hours(m, 6, 8, 0.006, 0, random)).isEmpty();
    }

    @Test
    void aFallIsGoodNewsAndStaysQuiet() {
        Random random = new Random(8);
        CostMonitor m = monitor();
        hours(m, 0, 3, 0.012, 0, random);
        assertThat(hours(m, 3, 5, 0.006, 0, random)).isEmpty();
    }

    @Test
    void aRiseWithNoMeasuredCauseNamesNoDriver() {
        Random random = new Random(9);
        CostMonitor m = monitor();
        hours(m, 0, 3, 0.006, 0, random);
        List<Advisory> out = hours(m, 3, 4, 0.012, 0, random);
        assertThat(out).singleElement().satisfies(a -> {
            assertThat(a.getHints()).as("a price change with every driver steady: no invented hint").isEmpty();
            assertThat(a.getSummary()).contains("no driver explains it");
        });
    }

    @Test
    void tooLittleTrafficIsNotJudged() {
        Random random = new Random(10);
        CostMonitor m = monitor();
        for (long h = 0; h < 4; h++) {
            double price = h < 3 ? 0.006 : 0.03;
            for (int i = 1; i <= 60; i += 20) { // three panes an hour, one request each
                minute(m, h * HOUR + i * MINUTE, Track.STABLE, 1, price, 0, random);
            }
            assertThat(m.evaluate((h + 1) * HOUR)).isEmpty();
        }
    }

    @Test
    void shadowTrafficNeverCountsAsUserFacingCost() {
        Random random = new Random(11);
        CostMonitor m = monitor();
        for (long h = 0; h < 4; h++) {
            for (int i = 1; i <= 60; i++) {
                minute(m, h * HOUR + i * MINUTE, Track.STABLE, 20, 0.006, 0, random);
                if (h == 3) { // a shadow deployment mirrors every request at twice the price
                    minute(m, h * HOUR + i * MINUTE, Track.SHADOW, 20, 0.012, 0, random);
                }
            }
            assertThat(m.evaluate((h + 1) * HOUR)).isEmpty();
        }
    }

    @Test
    void stateRoundTripsAndJudgesTheSame() throws Exception {
        Random random = new Random(12);
        CostMonitor m = monitor();
        hours(m, 0, 3, 0.006, 0, random);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        m.writeTo(new DataOutputStream(bytes));
        CostMonitor back = CostMonitor.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), CostMonitor.FORMAT)
                .configure(DriftPolicy.DEFAULT, "p1");
        List<Advisory> a = hours(m, 3, 4, 0.006, 2, new Random(13));
        List<Advisory> b = hours(back, 3, 4, 0.006, 2, new Random(13));
        assertThat(a).hasSize(1);
        assertThat(b).isEqualTo(a);
    }
}
