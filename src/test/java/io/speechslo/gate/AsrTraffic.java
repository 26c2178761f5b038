package io.speechslo.gate;

import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.slice.RequestSlices;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Track;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Seeded ASR traffic for gate tests: per-request word errors, entities, latencies and cost. */
final class AsrTraffic {

    static final String[] LANGUAGES = {"en-US", "de-DE", "es-ES"};
    static final String[] REGIONS = {"us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"};
    static final String[] DEVICES = {"mobile", "web", "phone-line"};
    static final String[] CONDITIONS = {"quiet", "noisy", "far-field"};

    /** Per-request behaviour of a model on a cohort. */
    interface Model {
        /** Word error probability per reference word. */
        double wer(String language, String region, String device, String condition);

        default double entityErrorRate(String language, String region, String device, String condition) {
            return 0.08;
        }

        default double firstPartialMs(SplittableRandom rnd) {
            return 120 + exponential(rnd, 40);
        }

        default double costPerMinute() {
            return 0.006;
        }

        /** Time in the queue, ms, of a request that reports where its time went ({@link #reportsServing}). */
        default double queueMs(SplittableRandom rnd) {
            return exponential(rnd, 8);
        }
    }

    static final Model STABLE = (l, r, d, c) -> c.equals("noisy") ? 0.18 : c.equals("far-field") ? 0.14 : 0.10;

    private final SplittableRandom rnd;
    private final Map<Slice, MetricSet> cohorts = new TreeMap<>();
    double labelledRate = 0.5;
    /**
     * When set, requests report queue, preprocessing and model time and their batch, and the first
     * partial is the sum of the three (the model's first-partial time is then its model time).
     */
    boolean reportsServing;

    AsrTraffic(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    /** n requests spread uniformly over every slice. */
    AsrTraffic uniform(Model model, Track track, int n) {
        for (int i = 0; i < n; i++) {
            one(model, track, pick(LANGUAGES), pick(REGIONS), pick(DEVICES), pick(CONDITIONS));
        }
        return this;
    }

    /** n requests in one cohort (language drawn uniformly). */
    AsrTraffic cohort(Model model, Track track, int n, String region, String device, String condition) {
        for (int i = 0; i < n; i++) {
            one(model, track, pick(LANGUAGES), region, device, condition);
        }
        return this;
    }

    Map<Slice, MetricSet> cohorts() {
        return cohorts;
    }

    private void one(Model model, Track track, String language, String region, String device, String condition) {
        AsrRequest.Builder b = Requests.asr("asr-prod", track == Track.CANARY ? "v2" : "v1", track,
                language, region, device, condition);
        long audioMs = 2000 + rnd.nextInt(8000);
        b.setAudioMs(audioMs);
        if (rnd.nextDouble() < labelledRate) {
            int refWords = 5 + rnd.nextInt(21);
            b.setRefWords(refWords).setWordErrors(binomial(refWords, model.wer(language, region, device, condition)));
            int entities = rnd.nextInt(4);
            b.setEntityTotal(entities)
                    .setEntityErrors(binomial(entities, model.entityErrorRate(language, region, device, condition)));
        }
        b.setFirstPartialMs(Math.round(model.firstPartialMs(rnd)));
        if (reportsServing) {
            long queue = Math.round(model.queueMs(rnd));
            long preprocess = 3 + Math.round(exponential(rnd, 4));
            long modelMs = b.getFirstPartialMs();
            b.setQueueMs(queue).setPreprocessMs(preprocess).setModelMs(modelMs).setBatchSize(1 + rnd.nextInt(8))
                    .setFirstPartialMs(queue + preprocess + modelMs);
        }
        b.setFinalizationMs(Math.round(300 + exponential(rnd, 80)));
        b.setCostUsd(model.costPerMinute() * audioMs / 60_000.0 * (0.9 + 0.2 * rnd.nextDouble()));
        AsrRequest r = b.build();
        cohorts.computeIfAbsent(RequestSlices.of(r), k -> new MetricSet(Signal.ASR)).add(r);
    }

    private String pick(String[] values) {
        return values[rnd.nextInt(values.length)];
    }

    private int binomial(int n, double p) {
        return io.speechslo.fixtures.RandomDraws.binomial(rnd, n, p);
    }

    static double exponential(SplittableRandom rnd, double mean) {
        return io.speechslo.fixtures.RandomDraws.exponential(rnd, mean);
    }
}
