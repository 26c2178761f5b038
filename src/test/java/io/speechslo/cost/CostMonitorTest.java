package io.speechslo.cost;

import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.aggregate.SlicePane;
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
import java.util.function.IntFunction;

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
        m.add(paneEnd, track, "v1", set, stats, byLanguage, new CostShares());
    }

    /**
     * One minute of {@code n} ASR requests made by {@code request} (given the request's index), folded
     * into a slice pane as the job folds them, and handed to the monitor as the drift function does.
     */
    private static void pane(CostMonitor m, long paneEnd, int n, IntFunction<AsrRequest> request) {
        SlicePane pane = new SlicePane(Signal.ASR);
        for (int i = 0; i < n; i++) {
            pane.add(request.apply(i), paneEnd - 1);
        }
        m.add(paneEnd, Track.STABLE, "v1", pane.metrics(), pane.requestStats(),
                Map.of("en-US", pane.metrics()), pane.costShares());
    }

    /** Hours {@code [from, to)} of panes of 20 requests a minute; the advisories at each hour's end. */
    private static List<Advisory> panes(CostMonitor m, long from, long to, IntFunction<AsrRequest> request) {
        List<Advisory> out = new ArrayList<>();
        for (long h = from; h < to; h++) {
            for (int i = 1; i <= 60; i++) {
                pane(m, h * HOUR + i * MINUTE, 20, request);
            }
            out.addAll(m.evaluate((h + 1) * HOUR));
        }
        return out;
    }

    /** A request of {@code audioMs} at {@code price} USD per audio minute plus {@code perRequest}, with noise. */
    private static AsrRequest.Builder costing(Random random, long audioMs, double price, double perRequest) {
        return Requests.asr().setAudioMs(audioMs).setBatchSize(4).setModelMs(200L).setPool("gpu-eu")
                .setCostUsd((price * audioMs / 60_000.0 + perRequest) * (1 + 0.02 * random.nextGaussian()));
    }

    private static void assertFirstDriver(List<Advisory> out, String driver) {
        assertThat(out).singleElement().satisfies(a -> {
            assertThat(a.getDecision()).isEqualTo(Decision.INVESTIGATE);
            assertThat(a.getHints()).isNotEmpty();
            assertThat(a.getHints().get(0).getDriver()).isEqualTo(driver);
            assertThat(a.getHints().get(0).getShareExplained()).isBetween(0.8, 1.25);
            assertThat(a.getSummary()).contains("first driver: " + driver);
        });
    }

    @Test
    void fallbacksThatPayTwiceAreTheFallbackDriver() {
        Random random = new Random(21);
        CostMonitor m = monitor();
        assertThat(panes(m, 0, 3, i -> costing(random, 60_000, 0.006, 0).build())).isEmpty();
        // from the fourth hour half the requests fail over to a fallback path: the primary attempt is paid too
        List<Advisory> out = panes(m, 3, 4, i -> {
            AsrRequest.Builder b = costing(random, 60_000, 0.006, 0);
            return i % 2 == 0 ? b.setFallback(true).setCostUsd(2 * b.getCostUsd()).build() : b.build();
        });
        assertFirstDriver(out, "fallback");
        assertThat(out.get(0).getHints()).extracting(h -> h.getDriver()).doesNotContain("retries", "pool",
                "audio_length");
    }

    @Test
    void shorterAudioSpreadsThePerRequestCostOverFewerMinutes() {
        Random random = new Random(22);
        CostMonitor m = monitor();
        // 0.006 USD a minute plus 0.002 a request; audio of 30-90 s, then of 6-18 s
        assertThat(panes(m, 0, 3, i -> costing(random, 30_000 + 3_000 * (i % 21), 0.006, 0.002).build()))
                .isEmpty();
        List<Advisory> out = panes(m, 3, 4, i -> costing(random, 6_000 + 600 * (i % 21), 0.006, 0.002).build());
        assertFirstDriver(out, "audio_length");
        assertThat(out.get(0).getHints().get(0).getEvidence()).contains("mean audio per request 58.5 -> 11.7 s");
    }

    @Test
    void shorterAudioAtAPurePerMinutePriceIsNoRise() {
        Random random = new Random(23);
        CostMonitor m = monitor();
        panes(m, 0, 3, i -> costing(random, 30_000 + 3_000 * (i % 21), 0.006, 0).build());
        assertThat(panes(m, 3, 4, i -> costing(random, 6_000 + 600 * (i % 21), 0.006, 0).build())).isEmpty();
    }

    @Test
    void trafficMovingToAPricierPoolIsThePoolDriver() {
        Random random = new Random(24);
        CostMonitor m = monitor();
        assertThat(panes(m, 0, 3, i -> costing(random, 60_000, 0.006, 0).build())).isEmpty();
        // from the fourth hour 60% of the requests go to an overflow pool at 2.5 times the price
        List<Advisory> out = panes(m, 3, 4, i -> i % 5 < 3
                ? costing(random, 60_000, 0.015, 0).setPool("gpu-eu-overflow").build()
                : costing(random, 60_000, 0.006, 0).build());
        assertFirstDriver(out, "pool");
        assertThat(out.get(0).getHints().get(0).getEvidence()).contains("pool gpu-eu-overflow 0% -> 60% of requests");
    }

    /** A serving minute in which the knobs say what each replica sample looks like. */
    private record Serving(double util, int ready, int warm, String precision) {}

    /**
     * As {@link #panes(CostMonitor, long, long, IntFunction)}, each minute also with one pool's minute of
     * serving samples (a sample per ready replica every 15 s, utilisation spread +-0.05 around its mean).
     */
    private static List<Advisory> served(CostMonitor m, long from, long to, Serving serving,
            IntFunction<AsrRequest> request) {
        List<Advisory> out = new ArrayList<>();
        for (long h = from; h < to; h++) {
            for (int i = 1; i <= 60; i++) {
                long end = h * HOUR + i * MINUTE;
                pane(m, end, 20, request);
                io.speechslo.serving.ServingStats minute = new io.speechslo.serving.ServingStats();
                for (int k = 0; k < 4 * serving.ready(); k++) {
                    minute.add(io.speechslo.testing.TelemetrySamples.serving(k, java.time.Instant.ofEpochMilli(end - 1))
                            .setModelVersion("v1").setGpuUtil((float) (serving.util() + 0.05 * ((i + k) % 3 - 1)))
                            .setReadyReplicas(serving.ready()).setDesiredReplicas(serving.ready())
                            .setWarmPoolSize(serving.warm()).setPrecision(serving.precision())
                            .setScaleUpRequestedAt(null).build());
                }
                m.addServing(end, "v1", minute);
            }
            out.addAll(m.evaluate((h + 1) * HOUR));
        }
        return out;
    }

    @Test
    void slowerModelTimeWherePoolsSwitchedPrecisionIsThePrecisionDriver() {
        Random random = new Random(27);
        CostMonitor m = monitor();
        Serving fp16 = new Serving(0.6, 4, 1, "fp16");
        assertThat(served(m, 0, 3, fp16, i -> costing(random, 60_000, 0.006, 0).build())).isEmpty();
        // fp32 from the fourth hour: model time and cost 1.8 times
        List<Advisory> out = served(m, 3, 4, new Serving(0.6, 4, 1, "fp32"),
                i -> costing(random, 60_000, 0.0108, 0).setModelMs(360L).build());
        assertFirstDriver(out, "precision");
        assertThat(out.get(0).getHints()).extracting(h -> h.getDriver()).doesNotContain("model");
        assertThat(out.get(0).getHints().get(0).getEvidence())
                .contains("precision fp32 0% -> 100% of the serving samples, fp16 100% -> 0%")
                .contains("model time per request 200 -> 360 ms");
        assertThat(out.get(0).getHints().get(0).getMetric()).isEqualTo("precision_share{fp32}");

        // the same slowdown with the precision unchanged is the model's
        Random again = new Random(27);
        CostMonitor same = monitor();
        served(same, 0, 3, fp16, i -> costing(again, 60_000, 0.006, 0).build());
        assertFirstDriver(served(same, 3, 4, fp16, i -> costing(again, 60_000, 0.0108, 0).setModelMs(360L).build()),
                "model");
    }

    @Test
    void idleGpusWithTheSameReplicasAreGpuSaturation() {
        Random random = new Random(28);
        CostMonitor m = monitor();
        assertThat(served(m, 0, 3, new Serving(0.7, 4, 0, "fp16"), i -> costing(random, 60_000, 0.006, 0).build()))
                .isEmpty();
        // utilisation halves on the same replicas; fully loaded, the cost per minute doubles
        List<Advisory> out = served(m, 3, 4, new Serving(0.35, 4, 0, "fp16"),
                i -> costing(random, 60_000, 0.012, 0).build());
        assertFirstDriver(out, "gpu_saturation");
        assertThat(out.get(0).getHints().get(0).getEvidence()).contains("GPU utilisation 70% -> 35% with the same"
                + " replicas (4 ready per pool)");
    }

    @Test
    void aGrownWarmPoolIsTheAutoscaler() {
        Random random = new Random(29);
        CostMonitor m = monitor();
        assertThat(served(m, 0, 3, new Serving(0.6, 4, 1, "fp16"), i -> costing(random, 60_000, 0.006, 0).build()))
                .isEmpty();
        // five standby replicas for four ready instead of one: (1 + 5/4) / (1 + 1/4) = 1.8 times
        List<Advisory> out = served(m, 3, 4, new Serving(0.6, 4, 5, "fp16"),
                i -> costing(random, 60_000, 0.0108, 0).build());
        assertFirstDriver(out, "autoscaler");
        assertThat(out.get(0).getHints().get(0).getEvidence()).contains("warm pool 1 -> 5 replicas (standby 25% ->"
                + " 125% of the ready ones)");
        assertThat(out.get(0).getHints()).extracting(h -> h.getDriver()).doesNotContain("gpu_saturation");
    }

    @Test
    void withoutServingSamplesOrForAnUnknownVersionTheServingDriversStaySilent() {
        Random random = new Random(30);
        CostMonitor m = monitor();
        panes(m, 0, 3, i -> costing(random, 60_000, 0.006, 0).build());
        // samples of a version with no costed requests are not kept
        m.addServing(3 * HOUR + MINUTE, "v9", new io.speechslo.serving.ServingStats());
        List<Advisory> out = panes(m, 3, 4, i -> costing(random, 60_000, 0.012, 0).build());
        assertThat(out).singleElement().satisfies(a -> {
            assertThat(a.getHints()).isEmpty();
            assertThat(a.getSummary()).contains("no driver explains it");
        });
    }

    @Test
    void requestsThatNameNoPoolNameNoPoolDriver() {
        Random random = new Random(25);
        CostMonitor m = monitor();
        panes(m, 0, 3, i -> costing(random, 60_000, 0.006, 0).setPool(null).build());
        List<Advisory> out = panes(m, 3, 4, i -> costing(random, 60_000, i % 5 < 3 ? 0.015 : 0.006, 0)
                .setPool(i % 5 < 3 ? "gpu-eu-overflow" : null).build());
        assertThat(out).singleElement().satisfies(a -> assertThat(a.getHints()).isEmpty());
    }

    @Test
    void aBaselineOfFormat1ReadsAndLeavesTheNewDriversOut() throws Exception {
        Random random = new Random(26);
        CostMonitor m = monitor();
        panes(m, 0, 3, i -> costing(random, 60_000, 0.006, 0).setRetries(i % 50 == 0 ? 1 : 0).build());
        CostMonitor read = CostMonitor.readFrom(new DataInputStream(new ByteArrayInputStream(format1(m))), 1)
                .configure(DriftPolicy.DEFAULT, "p1");
        // the pools move and half the requests retry: the retries are named, the pools (whose baseline the
        // old format does not hold) are not, rather than being measured against an empty baseline
        List<Advisory> out = panes(read, 3, 4, i -> {
            AsrRequest.Builder b = costing(random, 60_000, 0.006, 0).setPool(i % 2 == 0 ? "gpu-us" : "gpu-eu");
            return i % 2 == 0 ? b.setRetries(1).setCostUsd(2 * b.getCostUsd()).build() : b.build();
        });
        assertThat(out).singleElement().satisfies(a -> assertThat(a.getHints()).extracting(h -> h.getDriver())
                .containsExactly("retries"));
        // its state now writes format 2, which reads back the same
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        read.writeTo(new DataOutputStream(bytes));
        CostMonitor again = CostMonitor.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
                CostMonitor.FORMAT);
        ByteArrayOutputStream bytes2 = new ByteArrayOutputStream();
        again.writeTo(new DataOutputStream(bytes2));
        assertThat(bytes2.toByteArray()).isEqualTo(bytes.toByteArray());
    }

    @Test
    void aBaselineOfFormat2HasNoServingFiguresAndTheServingDriversWait() throws Exception {
        Random random = new Random(31);
        CostMonitor m = monitor();
        served(m, 0, 3, new Serving(0.6, 4, 1, "fp16"), i -> costing(random, 60_000, 0.006, 0).build());
        CostMonitor read = CostMonitor.readFrom(new DataInputStream(new ByteArrayInputStream(format2(m))), 2)
                .configure(DriftPolicy.DEFAULT, "p1");
        // fp32 after the restore: against a baseline without serving figures the slowdown stays the model's
        List<Advisory> out = served(read, 3, 4, new Serving(0.6, 4, 1, "fp32"),
                i -> costing(random, 60_000, 0.0108, 0).setModelMs(360L).build());
        assertFirstDriver(out, "model");
        assertThat(out.get(0).getHints()).extracting(h -> h.getDriver()).doesNotContain("precision");
    }

    /** Writes one bucket as an older release did. */
    private interface OldBucket {
        void write(CostBucket bucket, DataOutputStream out) throws Exception;
    }

    /** The monitor's bytes with every bucket written by {@code bucket}: the rest is the same in every format. */
    private static byte[] rewritten(CostMonitor m, OldBucket bucket) throws Exception {
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        m.writeTo(new DataOutputStream(current));
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(current.toByteArray()));
        ByteArrayOutputStream old = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(old);
        out.writeUTF(in.readUTF());
        out.writeByte(in.readByte());
        int versions = in.readInt();
        out.writeInt(versions);
        for (int v = 0; v < versions; v++) {
            out.writeUTF(in.readUTF());
            int buckets = in.readInt();
            out.writeInt(buckets);
            for (int b = 0; b < buckets; b++) {
                out.writeLong(in.readLong());
                bucket.write(CostBucket.readFrom(in, CostMonitor.FORMAT), out);
            }
        }
        int standing = in.readInt();
        out.writeInt(standing);
        for (int i = 0; i < standing; i++) {
            out.writeUTF(in.readUTF());
            out.writeUTF(in.readUTF());
        }
        return old.toByteArray();
    }

    /** The monitor in format 2 (before the serving figures): each bucket without its last part. */
    private static byte[] format2(CostMonitor m) throws Exception {
        return rewritten(m, (bucket, out) -> {
            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            bucket.writeTo(new DataOutputStream(whole));
            ByteArrayOutputStream serving = new ByteArrayOutputStream();
            bucket.serving.writeTo(new DataOutputStream(serving));
            out.write(whole.toByteArray(), 0, whole.size() - serving.size());
        });
    }

    /** The monitor in format 1 (before the audio-length, fallback and pool figures), written as that release did. */
    private static byte[] format1(CostMonitor m) throws Exception {
        return rewritten(m, (bucket, out) -> {
            for (double d : new double[] {bucket.cost, bucket.units, bucket.retryWaste, bucket.batchSum,
                    bucket.batchSquared, bucket.modelMs, bucket.modelMsSquared, bucket.paneSum, bucket.paneSquared}) {
                out.writeDouble(d);
            }
            for (long l : new long[] {bucket.costed, bucket.requests, bucket.retried, bucket.cacheHits,
                    bucket.batched, bucket.modelRequests, bucket.panes}) {
                out.writeLong(l);
            }
            out.writeInt(bucket.mix.size());
            for (Map.Entry<String, double[]> e : bucket.mix.entrySet()) {
                out.writeUTF(e.getKey());
                for (double d : e.getValue()) {
                    out.writeDouble(d);
                }
            }
        });
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
    void aShadowDeploymentBesideAUserFacingRiseIsShadowTrafficEvidence() {
        Random random = new Random(14);
        CostMonitor m = monitor();
        assertThat(hours(m, 0, 3, 0.006, 0, random)).isEmpty();
        // the fourth hour: the price doubles for no reason the data shows, and a shadow deployment starts
        List<Advisory> out = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            minute(m, 3 * HOUR + i * MINUTE, Track.STABLE, 20, 0.012, 0, random);
            minute(m, 3 * HOUR + i * MINUTE, Track.SHADOW, 20, 0.012, 0, random);
        }
        out.addAll(m.evaluate(4 * HOUR));
        assertThat(out).singleElement().satisfies(a -> {
            assertThat(a.getHints()).singleElement().satisfies(h -> {
                assertThat(h.getDriver()).isEqualTo("shadow_traffic");
                assertThat(h.getShareExplained()).isNull(); // shadow spend is not part of the user-facing rise
                assertThat(h.getMetric()).isEqualTo("shadow_cost_usd");
                assertThat(h.getBaseline()).isEqualTo(0.0);
                assertThat(h.getEvidence()).startsWith("shadow traffic spends 0.24").contains("USD per pane against 0"
                        + " before; never counted in the user-facing figure");
            });
            assertThat(a.getSummary()).contains("first driver: shadow_traffic");
        });
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
