package io.speechslo.diagnosis;

import io.speechslo.advisory.Hint;
import io.speechslo.metrics.Signal;
import io.speechslo.slice.RequestSlices;
import io.speechslo.slice.Slice;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Slice attribution of a page's bad requests: a region holding most of them is named with its numbers,
 * a cohort of two dimensions is named instead of its two parents, and bad requests spread evenly name
 * nothing (over many random draws).
 */
class SliceAttributionTest {

    static final String[] REGIONS = {"us-east-1", "eu-west-1", "ap-south-1"};
    static final double[] REGION_MIX = {0.5, 0.3, 0.2};
    static final String[] DEVICES = {"mobile", "web", "phone-line"};
    static final double[] DEVICE_MIX = {0.5, 0.3, 0.2};
    static final String[] LANGUAGES = {"en-US", "es-US", "de-DE"};
    static final double[] LANGUAGE_MIX = {0.6, 0.2, 0.2};
    static final String[] CONDITIONS = {"quiet", "noisy", "far-field"};
    static final double[] CONDITION_MIX = {0.5, 0.3, 0.2};

    /**
     * An hour of 100,000 requests over every full slice, the bad ones drawn per slice (binomial, seeded)
     * at the rate {@code badRate} gives the slice.
     */
    static Map<Slice, long[]> traffic(long seed, ToDoubleFunction<Slice> badRate) {
        Random random = new Random(seed);
        Map<Slice, long[]> out = new TreeMap<>();
        for (int c = 0; c < 3; c++) {
            for (int d = 0; d < 3; d++) {
                for (int l = 0; l < 3; l++) {
                    for (int r = 0; r < 3; r++) {
                        Slice s = RequestSlices.of(Signal.ASR, CONDITIONS[c], DEVICES[d], LANGUAGES[l], REGIONS[r]);
                        long n = Math.round(100_000 * CONDITION_MIX[c] * DEVICE_MIX[d] * LANGUAGE_MIX[l] * REGION_MIX[r]);
                        double p = badRate.applyAsDouble(s);
                        long bad = 0;
                        for (long i = 0; i < n; i++) {
                            bad += random.nextDouble() < p ? 1 : 0;
                        }
                        out.put(s, new long[] {bad, n});
                    }
                }
            }
        }
        return out;
    }

    static long[] sum(Map<Slice, long[]> traffic, String dim, String value) {
        long[] out = new long[2];
        traffic.forEach((s, c) -> {
            if (value.equals(s.get(dim))) {
                out[0] += c[0];
                out[1] += c[1];
            }
        });
        return out;
    }

    @Test
    void aRegionalOutageNamesTheRegionWithItsNumbersAndNothingElse() {
        Map<Slice, long[]> t = traffic(1, s -> s.get("region").equals("eu-west-1") ? 0.05 : 0.0005);
        long[] all = {0, 0};
        t.values().forEach(c -> {
            all[0] += c[0];
            all[1] += c[1];
        });
        long[] eu = sum(t, "region", "eu-west-1");

        List<SliceAttribution.Named> named = SliceAttribution.attribute(t);

        assertThat(named).extracting(n -> n.slice().key()).containsExactly("region=eu-west-1");
        SliceAttribution.Named n = named.get(0);
        assertThat(n.bad()).isEqualTo(eu[0]);
        assertThat(n.total()).isEqualTo(eu[1]);
        assertThat(n.badShare()).isCloseTo((double) eu[0] / all[0], within(1e-12));
        assertThat(n.trafficShare()).isCloseTo(0.3, within(0.001));
        assertThat(n.badShare()).isGreaterThan(0.9); // 1500 of ~1535 bad requests
        assertThat(n.restRate()).isCloseTo((double) (all[0] - eu[0]) / (all[1] - eu[1]), within(1e-12));

        List<Hint> hints = SliceAttribution.hints(named, 1_767_254_400_000L, 1_767_257_880_000L).sorted();
        assertThat(hints).hasSize(1);
        Hint h = hints.get(0);
        assertThat(h.getDriver()).isEqualTo("slice");
        assertThat(h.getMetric()).isEqualTo("bad_request_share{region=eu-west-1}");
        assertThat(h.getValue()).isCloseTo(n.badShare(), within(1e-12));
        assertThat(h.getBaseline()).isCloseTo(n.trafficShare(), within(1e-12));
        assertThat(h.getShareExplained()).isCloseTo(n.badShare() - n.trafficShare(), within(1e-12));
        assertThat(h.getEvidence()).startsWith("region=eu-west-1 holds " + SliceAttribution.percent(n.badShare())
                        + " of the bad requests with 30% of the traffic (")
                .contains(String.format(java.util.Locale.ROOT, "%,d of its %,d requests bad", eu[0], eu[1]))
                .endsWith("; 08:00-08:58 UTC)");
        assertThat(SliceAttribution.summary(named)).startsWith(" Bad requests concentrate in region=eu-west-1 (");
    }

    @Test
    void aCohortOfTwoDimensionsIsNamedInsteadOfItsParents() {
        Map<Slice, long[]> t = traffic(2, s -> s.get("region").equals("eu-west-1") && s.get("device").equals("mobile")
                ? 0.08 : 0.0005);

        List<SliceAttribution.Named> named = SliceAttribution.attribute(t);

        assertThat(named).isNotEmpty();
        assertThat(named.get(0).slice().key()).isEqualTo("device=mobile,region=eu-west-1");
        assertThat(named).extracting(n -> n.slice().key()).doesNotContain("region=eu-west-1", "device=mobile");
        assertThat(named.get(0).trafficShare()).isCloseTo(0.15, within(0.001));
    }

    @Test
    void aDeviceThatLooksBadOnlyBecauseItsTrafficIsInTheFailingRegionIsNotNamed() {
        // eu-west-1 traffic is 90% mobile, us-east-1's 30%: mobile holds most bad requests, but only in eu-west-1
        Map<Slice, long[]> t = new TreeMap<>();
        t.put(Slice.parse("device=mobile,region=eu-west-1"), new long[] {1_350, 27_000});
        t.put(Slice.parse("device=web,region=eu-west-1"), new long[] {150, 3_000});
        t.put(Slice.parse("device=mobile,region=us-east-1"), new long[] {11, 21_000});
        t.put(Slice.parse("device=web,region=us-east-1"), new long[] {24, 49_000});

        List<SliceAttribution.Named> named = SliceAttribution.attribute(t);

        assertThat(named).extracting(n -> n.slice().key()).containsExactly("region=eu-west-1");
        assertThat(named.get(0).bad()).isEqualTo(1_500);
        assertThat(named.get(0).total()).isEqualTo(30_000);
    }

    @Test
    void twoFailingRegionsAreBothNamedMostExcessFirst() {
        Map<Slice, long[]> t = traffic(3, s -> switch (s.get("region")) {
            case "eu-west-1" -> 0.05;
            case "ap-south-1" -> 0.03;
            default -> 0.0005;
        });

        assertThat(SliceAttribution.attribute(t)).extracting(n -> n.slice().key())
                .containsExactly("region=eu-west-1", "region=ap-south-1");
    }

    @Test
    void badRequestsSpreadEvenlyNameNothing() {
        for (long seed = 0; seed < 30; seed++) {
            assertThat(SliceAttribution.attribute(traffic(100 + seed, s -> 0.02))).as("seed %d", seed).isEmpty();
        }
    }

    @Test
    void tooFewBadRequestsNameNothing() {
        Map<Slice, long[]> t = traffic(4, s -> 0);
        t.put(RequestSlices.of(Signal.ASR, "quiet", "mobile", "en-US", "eu-west-1"), new long[] {9, 5_000});
        assertThat(SliceAttribution.attribute(t)).isEmpty();
        assertThat(SliceAttribution.attribute(Map.of())).isEmpty();
    }
}
