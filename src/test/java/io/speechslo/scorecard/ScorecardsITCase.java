package io.speechslo.scorecard;

import static org.assertj.core.api.Assertions.assertThat;

import io.speechslo.burn.BurnRates;
import io.speechslo.fixtures.Pipelines;
import io.speechslo.generate.ScenarioGeneratorFunction;
import io.speechslo.generate.ScenarioLoader;
import io.speechslo.generate.TelemetryGenerator;
import io.speechslo.job.Ingested;
import io.speechslo.metrics.QuantileSketch;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.BurnAlert;
import io.speechslo.policy.Durations;
import io.speechslo.policy.SloDefinition;
import io.speechslo.policy.load.PolicyBundle;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Redaction;
import io.speechslo.telemetry.Track;
import io.speechslo.telemetry.AccessPurpose;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.PrivacyEventKind;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * Shipped scenarios through the whole topology on a MiniCluster at parallelism 2: every scorecard value
 * is computed again here by brute force from the raw telemetry the generator made, with this test's own
 * reading of each metric's definition, and found equal (sums exactly, to the last bit; quantiles within
 * the sketch's relative accuracy of the exact quantile). Every slice of one and two dimensions that had
 * traffic in a minute has its scorecard, and no other does.
 */
class ScorecardsITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final long SEED = 1;
    private static final long MINUTE = 60_000;

    @Test
    void asrScorecardsOfHiddenCohortRegressionEqualBruteForce() throws Exception {
        check("hidden-cohort-regression.yaml", Signal.ASR);
    }

    @Test
    void ttsScorecardsOfPreferredButSlowEqualBruteForce() throws Exception {
        check("tts-preferred-but-slow.yaml", Signal.TTS);
    }

    private static void check(String scenario, Signal signal) throws Exception {
        Path file = Path.of("job/scenarios", scenario);
        byte[] bytes = Files.readAllBytes(file);
        TelemetryGenerator generator = new TelemetryGenerator(ScenarioLoader.parse(file.toString(), bytes), SEED);
        List<SpecificRecord> all = new ArrayList<>();
        for (Iterator<SpecificRecord> it = generator.everything(); it.hasNext(); ) {
            all.add(it.next());
        }
        // requests, as the rest of this test reads them; serving samples and privacy events apart
        List<SpecificRecord> raw = all.stream().filter(r -> r instanceof AsrRequest || r instanceof TtsRequest).toList();
        TypeInformation<Ingested> type = TypeInformation.of(Ingested.class);
        PolicyBundle policies = PolicyLoader.bundleDefaults();
        Pipelines.Run run = Pipelines.run(new DataGeneratorSource<>(
                new ScenarioGeneratorFunction(file.toString(), bytes, SEED, true), all.size(), type), policies,
                "scorecards " + scenario);
        assertThat(run.deadLetters()).isEmpty();
        checkServing(run.scorecards(), all.stream().filter(r -> r instanceof ServingSample)
                .map(r -> (ServingSample) r).toList(), generator.hasServing());
        checkPrivacy(run.scorecards(), all.stream().filter(r -> r instanceof PrivacyEvent)
                .map(r -> (PrivacyEvent) r).toList(), generator.hasPrivacy());

        Map<Long, List<SpecificRecord>> byMinute = new LinkedHashMap<>();
        for (SpecificRecord r : raw) {
            long t = io.speechslo.kafka.TelemetryRecords.eventTime(r);
            byMinute.computeIfAbsent(Math.floorDiv(t, MINUTE) * MINUTE + MINUTE, m -> new ArrayList<>()).add(r);
        }

        List<Scorecard> slices = run.scorecards().stream().filter(s -> s.getKind() == ScorecardKind.SLICE).toList();
        assertThat(slices).isNotEmpty();
        assertThat(new HashSet<>(slices.stream().map(ScorecardsITCase::id).toList()))
                .as("one scorecard per window, track, version and slice")
                .hasSize(slices.size())
                .isEqualTo(expectedSliceIds(byMinute, signal));
        int values = 0;
        Map<String, io.speechslo.drift.FeatureHistogram[]> baselines = new java.util.HashMap<>();
        for (Scorecard s : slices) {
            List<SpecificRecord> cohort = byMinute.get(s.getWindowEnd()).stream()
                    .filter(r -> track(r).name().equals(s.getTrack()) && version(r).equals(s.getModelVersion())
                            && matches(r, signal, s.getSlice()))
                    .toList();
            assertThat(s.getWindowStart()).isEqualTo(s.getWindowEnd() - MINUTE);
            if (s.getTrack().equals("SHADOW")) { // shadow traffic: its requests and their cost, nothing user-facing
                values += compare(s, shadow(cohort));
                continue;
            }
            Map<String, Expected> expected = signal == Signal.ASR ? asr(cohort) : tts(cohort);
            if (signal == Signal.ASR) {
                psi(expected, cohort, baseline(baselines, raw, s.getWindowEnd() - 1, s.getSlice()));
            }
            values += compare(s, expected);
        }
        assertThat(values).isGreaterThan(slices.size() * 20);

        checkSloScorecards(run.scorecards(), raw, policies, signal);
        checkThresholdSloScorecards(run.scorecards(), policies, service(raw.get(0)), signal);
        checkRollouts(run.scorecards(), byMinute);
    }

    /** window|track|version|slice of a scorecard. */
    private static String id(Scorecard s) {
        return s.getWindowEnd() + "|" + s.getTrack() + "|" + s.getModelVersion() + "|"
                + new java.util.TreeMap<>(s.getSlice());
    }

    /** Every slice of at most two dimensions with traffic, per minute, track and version. */
    private static Set<String> expectedSliceIds(Map<Long, List<SpecificRecord>> byMinute, Signal signal) {
        Set<String> ids = new HashSet<>();
        List<String> dims = signal.sliceDimensions();
        byMinute.forEach((end, records) -> {
            for (SpecificRecord r : records) {
                for (int mask = 0; mask < 1 << dims.size(); mask++) {
                    if (Integer.bitCount(mask) > 2) {
                        continue;
                    }
                    java.util.TreeMap<String, String> slice = new java.util.TreeMap<>();
                    for (int i = 0; i < dims.size(); i++) {
                        if ((mask & 1 << i) != 0) {
                            slice.put(dims.get(i), dimension(r, dims.get(i)));
                        }
                    }
                    ids.add(end + "|" + track(r).name() + "|" + version(r) + "|" + slice);
                }
            }
        });
        return ids;
    }

    /** What a value must be: null with its samples, or a figure exactly or within a relative accuracy. */
    private record Expected(Double value, long samples, double accuracy) {}

    private static int compare(Scorecard s, Map<String, Expected> expected) {
        Map<String, ScorecardValue> got = new LinkedHashMap<>();
        s.getValues().forEach(v -> got.put(v.getName(), v));
        assertThat(got.keySet()).as("names of %s", id(s)).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((name, e) -> {
            ScorecardValue v = got.get(name);
            String what = name + " of " + id(s);
            assertThat(v.getSamples()).as("samples of " + what).isEqualTo(e.samples());
            if (e.value() == null) {
                assertThat(v.getValue()).as(what + " has no data").isNull();
            } else if (e.accuracy() == 0) {
                assertThat(v.getValue()).as(what).isEqualTo(e.value());
            } else {
                assertThat(v.getRelativeAccuracy()).as("accuracy of " + what).isEqualTo(e.accuracy());
                assertThat(Math.abs(v.getValue() - e.value())).as(what + ": " + v.getValue() + " against " + e.value())
                        .isLessThanOrEqualTo(e.accuracy() * Math.abs(e.value()) + 1e-9);
            }
        });
        return expected.size();
    }

    // ---- brute force, from the raw records: this test's own reading of each definition

    private static Map<String, Expected> asr(List<SpecificRecord> records) {
        List<AsrRequest> rs = records.stream().map(r -> (AsrRequest) r).toList();
        Map<String, Expected> m = new LinkedHashMap<>();
        long n = rs.size();
        m.put("requests", exact((double) n, n));
        List<AsrRequest> labelled = rs.stream().filter(r -> r.getRefWords() != null && r.getWordErrors() != null
                && r.getRefWords() > 0).toList();
        m.put("wer", ratio(labelled, r -> r.getWordErrors(), r -> r.getRefWords()));
        List<AsrRequest> chars = rs.stream().filter(r -> r.getRefChars() != null && r.getCharErrors() != null
                && r.getRefChars() > 0).toList();
        m.put("cer", ratio(chars, r -> r.getCharErrors(), r -> r.getRefChars()));
        List<AsrRequest> entities = rs.stream().filter(r -> r.getEntityTotal() != null && r.getEntityErrors() != null
                && r.getEntityTotal() > 0).toList();
        m.put("entity_error_rate", ratio(entities, r -> r.getEntityErrors(), r -> r.getEntityTotal()));
        List<AsrRequest> confident = rs.stream().filter(r -> r.getConfidence() != null).toList();
        m.put("confidence_mean", ratio(confident, r -> r.getConfidence(), r -> 1));
        List<AsrRequest> corrections = rs.stream().filter(r -> r.getCorrections() != null).toList();
        m.put("correction_rate", share(corrections, r -> r.getCorrections() > 0));
        List<AsrRequest> partials = rs.stream().filter(r -> r.getPartials() > 0).toList();
        m.put("partial_churn", ratio(partials, r -> r.getPartialRewrites(), r -> r.getPartials()));
        m.put("timeout_rate", share(rs, r -> r.getOutcome() == Outcome.TIMEOUT));
        m.put("error_rate", share(rs, r -> r.getOutcome() == Outcome.ERROR));
        quantiles(m, "first_partial", rs.stream().map(AsrRequest::getFirstPartialMs).toList(), 0.50, 0.95, 0.99);
        quantiles(m, "finalization", rs.stream().map(AsrRequest::getFinalizationMs).toList(), 0.50, 0.95, 0.99);
        quantiles(m, "queue", rs.stream().map(AsrRequest::getQueueMs).toList(), 0.50, 0.95, 0.99);
        quantiles(m, "model", rs.stream().map(AsrRequest::getModelMs).toList(), 0.50, 0.95, 0.99);
        quantiles(m, "preprocess", rs.stream().map(AsrRequest::getPreprocessMs).toList(), 0.50, 0.95);
        List<AsrRequest> batched = rs.stream().filter(r -> r.getBatchSize() != null).toList();
        m.put("batch_size_mean", ratio(batched, r -> r.getBatchSize(), r -> 1));
        m.put("retry_rate", share(rs, r -> r.getRetries() > 0));
        m.put("fallback_rate", share(rs, AsrRequest::getFallback));
        m.put("sensitive_logging_rate", share(rs, r -> r.getSensitiveLogged() || r.getRedaction() == Redaction.FAILED));
        m.put("raw_audio_retained_rate", share(rs, AsrRequest::getRawAudioRetained));
        m.put("redaction_failed_rate", share(rs, r -> r.getRedaction() == Redaction.FAILED));
        List<AsrRequest> costedAudio = rs.stream().filter(r -> r.getCostUsd() != null && r.getAudioMs() > 0).toList();
        m.put("cost_per_audio_minute", ratio(costedAudio, AsrRequest::getCostUsd, r -> r.getAudioMs() / 60_000.0));
        costs(m, rs, AsrRequest::getCostUsd, AsrRequest::getOutcome, AsrRequest::getRetries);
        return m;
    }

    private static Map<String, Expected> tts(List<SpecificRecord> records) {
        List<TtsRequest> rs = records.stream().map(r -> (TtsRequest) r).toList();
        Map<String, Expected> m = new LinkedHashMap<>();
        long n = rs.size();
        m.put("requests", exact((double) n, n));
        List<TtsRequest> rated = rs.stream().filter(r -> r.getPreference() != null).toList();
        m.put("preference", ratio(rated, r -> r.getPreference(), r -> 1));
        m.put("interruption_rate", share(rs, TtsRequest::getInterrupted));
        m.put("abandonment_rate", share(rs, TtsRequest::getAbandoned));
        m.put("timeout_rate", share(rs, r -> r.getOutcome() == Outcome.TIMEOUT));
        m.put("error_rate", share(rs, r -> r.getOutcome() == Outcome.ERROR));
        quantiles(m, "first_audio", rs.stream().map(TtsRequest::getFirstAudioMs).toList(), 0.50, 0.95, 0.99);
        quantiles(m, "chunk_gap", rs.stream().map(TtsRequest::getMaxChunkGapMs).toList(), 0.95);
        m.put("underrun_rate", share(rs.stream().filter(r -> r.getChunks() > 0).toList(), r -> r.getUnderruns() > 0));
        quantiles(m, "queue", rs.stream().map(TtsRequest::getQueueMs).toList(), 0.50, 0.95, 0.99);
        quantiles(m, "model", rs.stream().map(TtsRequest::getModelMs).toList(), 0.50, 0.95, 0.99);
        m.put("retry_rate", share(rs, r -> r.getRetries() > 0));
        m.put("fallback_rate", share(rs, TtsRequest::getFallback));
        m.put("sensitive_logging_rate", share(rs, TtsRequest::getSensitiveLogged));
        List<TtsRequest> costedAudio = rs.stream().filter(r -> r.getCostUsd() != null && r.getGeneratedMs() > 0).toList();
        m.put("cost_per_generated_second", ratio(costedAudio, TtsRequest::getCostUsd, r -> r.getGeneratedMs() / 1000.0));
        m.put("cache_hit_rate", share(rs, TtsRequest::getCacheHit));
        costs(m, rs, TtsRequest::getCostUsd, TtsRequest::getOutcome, TtsRequest::getRetries);
        return m;
    }

    private static <R> void costs(Map<String, Expected> m, List<R> rs, java.util.function.Function<R, Double> cost,
            java.util.function.Function<R, Outcome> outcome, java.util.function.ToIntFunction<R> retries) {
        List<R> costed = rs.stream().filter(r -> cost.apply(r) != null).toList();
        BigDecimal total = BigDecimal.ZERO;
        BigDecimal waste = BigDecimal.ZERO;
        for (R r : costed) {
            double c = cost.apply(r);
            total = total.add(new BigDecimal(c));
            Outcome o = outcome.apply(r);
            int k = retries.applyAsInt(r);
            // failed attempts cost all; retried ones each cost what the answering attempt did
            double w = o == Outcome.ERROR || o == Outcome.TIMEOUT ? c : k > 0 ? c * k / (k + 1) : 0;
            waste = waste.add(new BigDecimal(w));
        }
        m.put("cost_usd", costed.isEmpty() ? none() : exact(total.doubleValue(), costed.size()));
        m.put("retry_waste_usd", costed.isEmpty() ? none() : exact(waste.doubleValue(), costed.size()));
    }

    /** A SHADOW scorecard: its requests and the exact sum of their cost. */
    private static Map<String, Expected> shadow(List<SpecificRecord> cohort) {
        Map<String, Expected> m = new LinkedHashMap<>();
        m.put("requests", exact((double) cohort.size(), cohort.size()));
        BigDecimal total = BigDecimal.ZERO;
        long costed = 0;
        for (SpecificRecord r : cohort) {
            Double c = r instanceof AsrRequest a ? a.getCostUsd() : ((TtsRequest) r).getCostUsd();
            if (c != null) {
                total = total.add(new BigDecimal(c));
                costed++;
            }
        }
        m.put("shadow_cost_usd", costed == 0 ? none() : exact(total.doubleValue(), costed));
        return m;
    }

    private static Expected none() {
        return new Expected(null, 0, 0);
    }

    private static Expected exact(double value, long samples) {
        return new Expected(samples == 0 ? null : value, samples, 0);
    }

    /** Σx / Σy over the units, each sum exact and rounded once. */
    private static <R> Expected ratio(List<R> units, ToDoubleFunction<R> x, ToDoubleFunction<R> y) {
        BigDecimal sx = BigDecimal.ZERO;
        BigDecimal sy = BigDecimal.ZERO;
        for (R r : units) {
            sx = sx.add(new BigDecimal(x.applyAsDouble(r)));
            sy = sy.add(new BigDecimal(y.applyAsDouble(r)));
        }
        double dy = sy.doubleValue();
        return units.isEmpty() || dy == 0 ? new Expected(null, units.size(), 0)
                : exact(sx.doubleValue() / dy, units.size());
    }

    private static <R> Expected share(List<R> units, Predicate<R> hit) {
        return ratio(units, r -> hit.test(r) ? 1 : 0, r -> 1);
    }

    /** The exact lower quantiles (rank q (n - 1)) of the values present, with the sketch's accuracy. */
    private static void quantiles(Map<String, Expected> m, String name, List<Long> values, double... qs) {
        long[] sorted = values.stream().filter(java.util.Objects::nonNull).mapToLong(Long::longValue).sorted().toArray();
        for (double q : qs) {
            String key = name + "_p" + Math.round(q * 100) + "_ms";
            m.put(key, sorted.length == 0 ? none() : new Expected((double) sorted[(int) Math.floor(q * (sorted.length - 1))],
                    sorted.length, QuantileSketch.RELATIVE_ACCURACY));
        }
    }

    /**
     * The slice's audio histograms over the drift baseline (24 h) before the hour (the drift policy's
     * current window) that holds {@code at}: every user-facing request of the slice, any version.
     */
    private static io.speechslo.drift.FeatureHistogram[] baseline(Map<String, io.speechslo.drift.FeatureHistogram[]> cache,
            List<SpecificRecord> raw, long at, Map<String, String> slice) {
        long hour = 3_600_000;
        long start = Math.floorDiv(at, hour) * hour;
        return cache.computeIfAbsent(start + "|" + new java.util.TreeMap<>(slice), k -> {
            io.speechslo.drift.AudioFeature[] features = io.speechslo.drift.AudioFeature.values();
            io.speechslo.drift.FeatureHistogram[] h = new io.speechslo.drift.FeatureHistogram[features.length];
            for (io.speechslo.drift.AudioFeature f : features) {
                h[f.ordinal()] = new io.speechslo.drift.FeatureHistogram(f);
            }
            for (SpecificRecord r : raw) {
                long t = io.speechslo.kafka.TelemetryRecords.eventTime(r);
                if (t >= start - 24 * hour && t < start && track(r) != Track.SHADOW && matches(r, Signal.ASR, slice)) {
                    for (io.speechslo.drift.AudioFeature f : features) {
                        Float v = f.of((AsrRequest) r);
                        if (v != null) {
                            h[f.ordinal()].add(v);
                        }
                    }
                }
            }
            return h;
        });
    }

    /** psi_<feature>: the cohort's histogram against the baseline's; null where either is empty. */
    private static void psi(Map<String, Expected> m, List<SpecificRecord> cohort,
            io.speechslo.drift.FeatureHistogram[] baseline) {
        for (io.speechslo.drift.AudioFeature f : io.speechslo.drift.AudioFeature.values()) {
            io.speechslo.drift.FeatureHistogram now = new io.speechslo.drift.FeatureHistogram(f);
            for (SpecificRecord r : cohort) {
                Float v = f.of((AsrRequest) r);
                if (v != null) {
                    now.add(v);
                }
            }
            double psi = now.psi(baseline[f.ordinal()]);
            m.put("psi_" + f.id(), new Expected(Double.isNaN(psi) ? null : psi, now.count(), 0));
        }
    }

    // ---- SLO and rollout scorecards

    private static void checkSloScorecards(List<Scorecard> all, List<SpecificRecord> raw, PolicyBundle policies,
            Signal signal) {
        List<Scorecard> slos = all.stream().filter(s -> s.getKind() == ScorecardKind.SLO).toList();
        String service = service(raw.get(0));
        List<SloDefinition> defs = policies.policies().slosFor(service, signal);
        // per SLO and version ("" for the whole service): {bad, total} per minute, straight from the records
        Map<String, java.util.TreeMap<Long, long[]>> minutes = new java.util.HashMap<>();
        for (SpecificRecord r : raw) {
            if (track(r) == Track.SHADOW) {
                continue; // never user-facing
            }
            long minuteEnd = Math.floorDiv(io.speechslo.kafka.TelemetryRecords.eventTime(r), MINUTE) * MINUTE + MINUTE;
            for (SloDefinition slo : defs) {
                if (slo.total().test(r)) {
                    for (String v : List.of("", version(r))) {
                        long[] c = minutes.computeIfAbsent(slo.name() + "|" + v, k -> new java.util.TreeMap<>())
                                .computeIfAbsent(minuteEnd, k -> new long[2]);
                        c[0] += slo.good().test(r) ? 0 : 1;
                        c[1]++;
                    }
                }
            }
        }
        Set<String> seen = new TreeSet<>();
        for (Scorecard s : slos) {
            SloDefinition slo = defs.stream().filter(d -> d.name().equals(s.getSlo())).findFirst().orElse(null);
            if (slo == null) {
                continue; // a threshold SLO: checkThresholdSloScorecards
            }
            String version = s.getModelVersion() == null ? "" : s.getModelVersion();
            seen.add(s.getSlo() + "|" + version);
            assertThat(s.getSlice()).isEmpty();
            compare(s, expectedSlo(slo, minutes.get(s.getSlo() + "|" + version), s, false));
        }
        for (SloDefinition d : defs) {
            assertThat(seen).as("a service-wide scorecard of " + d.name()).contains(d.name() + "|");
        }
    }

    /**
     * The threshold SLOs' scorecards: each minute of each version is one timeslice, judged on the
     * version's whole-service SLICE scorecard (whose values the test checked by brute force already),
     * not judged below the SLO's minSamples; sli, budget and burn rates count those timeslices.
     */
    private static void checkThresholdSloScorecards(List<Scorecard> all, PolicyBundle policies, String service,
            Signal signal) {
        List<SloDefinition> defs = policies.policies().thresholdSlosFor(service, signal);
        assertThat(defs).as("shipped threshold SLOs of " + signal).isNotEmpty();
        Map<String, java.util.TreeMap<Long, long[]>> judged = new java.util.HashMap<>();
        for (Scorecard s : all) {
            if (s.getKind() != ScorecardKind.SLICE || !s.getSlice().isEmpty() || s.getTrack().equals("SHADOW")) {
                continue;
            }
            for (SloDefinition slo : defs) {
                ScorecardValue v = s.getValues().stream().filter(x -> x.getName().equals(slo.threshold().metric()))
                        .findFirst().orElseThrow();
                if (v.getValue() != null && v.getSamples() >= slo.threshold().minSamples()) {
                    boolean good = switch (slo.threshold().op()) {
                        case LT -> v.getValue() < slo.threshold().value();
                        case LTE -> v.getValue() <= slo.threshold().value();
                        case GT -> v.getValue() > slo.threshold().value();
                        case GTE -> v.getValue() >= slo.threshold().value();
                    };
                    judged.computeIfAbsent(slo.name() + "|" + s.getModelVersion(), k -> new java.util.TreeMap<>())
                            .put(s.getWindowEnd(), new long[] {good ? 0 : 1, 1});
                }
            }
        }
        Set<String> expectedIds = new TreeSet<>();
        judged.forEach((k, minutes) -> minutes.keySet().forEach(end -> expectedIds.add(k + "|" + end)));
        assertThat(expectedIds).as("some whole-service timeslices are judged").isNotEmpty();
        Set<String> ids = new TreeSet<>();
        for (Scorecard s : all) {
            SloDefinition slo = defs.stream().filter(d -> d.name().equals(s.getSlo())).findFirst().orElse(null);
            if (s.getKind() != ScorecardKind.SLO || slo == null) {
                continue;
            }
            assertThat(s.getSlice()).as("no slice burns: only the whole service's scorecards").isEmpty();
            String key = s.getSlo() + "|" + s.getModelVersion();
            ids.add(key + "|" + s.getWindowEnd());
            compare(s, expectedSlo(slo, judged.get(key), s, true));
        }
        assertThat(ids).as("a threshold SLO scorecard for every judged whole-service minute").isEqualTo(expectedIds);
    }

    /** An SLO scorecard's values from per-minute {bad, total} counts (requests, or judged timeslices). */
    private static Map<String, Expected> expectedSlo(SloDefinition slo, java.util.TreeMap<Long, long[]> cohort,
            Scorecard s, boolean timeslices) {
        long end = s.getWindowEnd();
        assertThat(end % MINUTE).isZero();
        Map<String, Expected> m = new LinkedHashMap<>();
        long[] whole = counts(cohort, end, slo.window().toMillis());
        // the error budget as the job takes it: 1 - objective to 12 significant digits (BurnRates)
        double budget = BurnRates.errorBudget(slo.objective());
        m.put("sli", whole[1] == 0 ? none() : exact((double) (whole[1] - whole[0]) / whole[1], whole[1]));
        m.put("objective", exact(slo.objective(), whole[1]));
        m.put("budget_remaining", exact(BurnRates.budgetRemaining(whole[0], whole[1], budget), whole[1]));
        TreeSet<java.time.Duration> windows = new TreeSet<>();
        for (BurnAlert a : slo.alerts()) {
            windows.add(a.longWindow());
            windows.add(a.shortWindow());
        }
        for (java.time.Duration w : windows) {
            long[] c = counts(cohort, end, w.toMillis());
            m.put("burn_rate_" + Durations.format(w), exact(BurnRates.burnRate(c[0], c[1], budget), c[1]));
        }
        long[] hour = counts(cohort, end, 3_600_000);
        m.put(timeslices ? "bad_timeslices_1h" : "bad_requests_1h", exact((double) hour[0], hour[1]));
        m.put(timeslices ? "bad_timeslice_share_1h" : "affected_share_1h",
                hour[1] == 0 ? none() : exact((double) hour[0] / hour[1], hour[1]));
        m.put("incident_open", exact(s.getIncidents().isEmpty() ? 0 : 1, 1));
        return m;
    }

    /** {bad, total} in [end - length, end), from per-minute counts (every window is whole minutes). */
    private static long[] counts(java.util.TreeMap<Long, long[]> minutes, long end, long length) {
        long bad = 0;
        long total = 0;
        for (long[] c : minutes.subMap(end - length, false, end, true).values()) {
            bad += c[0];
            total += c[1];
        }
        return new long[] {bad, total};
    }

    private static void checkRollouts(List<Scorecard> all, Map<Long, List<SpecificRecord>> byMinute) {
        List<Scorecard> rollouts = all.stream().filter(s -> s.getKind() == ScorecardKind.ROLLOUT).toList();
        assertThat(rollouts).as("the canary's stage every minute it is under way").isNotEmpty();
        for (Scorecard s : rollouts) {
            List<SpecificRecord> minute = byMinute.get(s.getWindowEnd());
            long canary = minute.stream().filter(r -> track(r) == Track.CANARY
                    && version(r).equals(s.getModelVersion())).count();
            long stable = minute.stream().filter(r -> track(r) == Track.STABLE).count();
            assertThat(s.getRollout().getCandidate()).isEqualTo(s.getModelVersion());
            assertThat(s.getRollout().getCanaryShare()).isEqualTo((double) canary / (canary + stable));
            Map<String, Expected> m = new LinkedHashMap<>();
            m.put("canary_requests", exact((double) canary, canary + stable));
            m.put("stable_requests", exact((double) stable, canary + stable));
            m.put("canary_share", exact((double) canary / (canary + stable), canary + stable));
            compare(s, m);
        }
    }

    // ---- the optional inputs

    private static long minuteEnd(long t) {
        return Math.floorDiv(t, MINUTE) * MINUTE + MINUTE;
    }

    /** SERVING: per minute, version and pool, from the samples (this test's reading of each name). */
    private static void checkServing(List<Scorecard> all, List<ServingSample> samples, boolean expected) {
        List<Scorecard> cards = all.stream().filter(s -> s.getKind() == ScorecardKind.SERVING).toList();
        Map<String, List<ServingSample>> cohorts = new java.util.TreeMap<>();
        for (ServingSample s : samples) {
            cohorts.computeIfAbsent(minuteEnd(s.getSampleTime().toEpochMilli()) + "|" + s.getModelVersion() + "|"
                    + s.getPool(), k -> new ArrayList<>()).add(s);
        }
        assertThat(cohorts.isEmpty()).isEqualTo(!expected);
        assertThat(cards.stream().map(s -> s.getWindowEnd() + "|" + s.getModelVersion() + "|" + s.getSlice().get("pool"))
                .sorted().toList()).isEqualTo(new ArrayList<>(cohorts.keySet()));
        for (Scorecard s : cards) {
            List<ServingSample> c = cohorts.get(s.getWindowEnd() + "|" + s.getModelVersion() + "|" + s.getSlice().get("pool"));
            long n = c.size();
            Map<String, Expected> m = new LinkedHashMap<>();
            BigDecimal util = BigDecimal.ZERO;
            for (ServingSample x : c) {
                util = util.add(new BigDecimal((double) x.getGpuUtil()));
            }
            m.put("gpu_util_mean", exact(util.doubleValue() / n, n));
            List<ServingSample> mem = c.stream().filter(x -> x.getGpuMemTotalBytes() > 0).toList();
            m.put("gpu_mem_used_ratio_max", mem.isEmpty() ? none() : exact(mem.stream()
                    .mapToDouble(x -> (double) x.getGpuMemUsedBytes() / x.getGpuMemTotalBytes()).max().orElseThrow(), mem.size()));
            m.put("autoscaler_lag_s", exact(c.stream().mapToLong(x -> x.getScaleUpRequestedAt() == null ? 0
                    : x.getSampleTime().toEpochMilli() - x.getScaleUpRequestedAt().toEpochMilli()).max().orElseThrow() / 1000.0, n));
            m.put("queue_depth_max", exact(c.stream().mapToInt(ServingSample::getQueueDepth).max().orElseThrow(), n));
            m.put("ready_replicas_min", exact(c.stream().mapToInt(ServingSample::getReadyReplicas).min().orElseThrow(), n));
            m.put("desired_replicas_max", exact(c.stream().mapToInt(ServingSample::getDesiredReplicas).max().orElseThrow(), n));
            m.put("warm_pool_size_min", exact(c.stream().mapToInt(ServingSample::getWarmPoolSize).min().orElseThrow(), n));
            m.put("samples", exact((double) n, n));
            compare(s, m);
        }
    }

    /** PRIVACY: per minute and version, from the events. */
    private static void checkPrivacy(List<Scorecard> all, List<PrivacyEvent> events, boolean expected) {
        List<Scorecard> cards = all.stream().filter(s -> s.getKind() == ScorecardKind.PRIVACY).toList();
        Map<String, List<PrivacyEvent>> cohorts = new java.util.TreeMap<>();
        for (PrivacyEvent e : events) {
            cohorts.computeIfAbsent(minuteEnd(e.getEventTime().toEpochMilli()) + "|" + e.getModelVersion(),
                    k -> new ArrayList<>()).add(e);
        }
        assertThat(cohorts.isEmpty()).isEqualTo(!expected);
        assertThat(cards.stream().map(s -> s.getWindowEnd() + "|" + s.getModelVersion()).sorted().toList())
                .isEqualTo(new ArrayList<>(cohorts.keySet()));
        long withoutOptIn = 0;
        for (Scorecard s : cards) {
            List<PrivacyEvent> c = cohorts.get(s.getWindowEnd() + "|" + s.getModelVersion());
            List<PrivacyEvent> accesses = c.stream().filter(e -> e.getKind() == PrivacyEventKind.RAW_AUDIO_ACCESS).toList();
            List<PrivacyEvent> reviews = accesses.stream().filter(e -> e.getPurpose() == AccessPurpose.REVIEW).toList();
            List<PrivacyEvent> sweeps = c.stream().filter(e -> e.getKind() == PrivacyEventKind.RETENTION).toList();
            List<PrivacyEvent> redactions = c.stream().filter(e -> e.getKind() == PrivacyEventKind.REDACTION).toList();
            List<PrivacyEvent> runs = c.stream().filter(e -> e.getKind() == PrivacyEventKind.FIXTURE_RUN).toList();
            Map<String, Expected> m = new LinkedHashMap<>();
            m.put("raw_audio_accesses", exact(accesses.size(), accesses.size()));
            for (AccessPurpose p : AccessPurpose.values()) {
                m.put("raw_audio_accesses_" + p.name().toLowerCase(java.util.Locale.ROOT),
                        exact(accesses.stream().filter(e -> e.getPurpose() == p).count(), accesses.size()));
            }
            long opted = reviews.stream().filter(e -> Boolean.TRUE.equals(e.getOptedIn())).count();
            m.put("reviews_opted_in", exact(opted, reviews.size()));
            m.put("reviews_without_opt_in", exact(reviews.size() - opted, reviews.size()));
            withoutOptIn += reviews.size() - opted;
            long due = sweeps.stream().mapToLong(e -> e.getRetentionDue()).sum();
            long done = sweeps.stream().mapToLong(e -> e.getRetentionDone()).sum();
            m.put("retention_due", exact(due, sweeps.size()));
            m.put("retention_overdue", exact(due - done, sweeps.size()));
            m.put("redaction_failed_events", exact(redactions.stream()
                    .filter(e -> e.getRedaction() == Redaction.FAILED).count(), redactions.size()));
            m.put("fixture_runs", exact(runs.size(), runs.size()));
            long covered = runs.stream().mapToLong(e -> e.getFixtureSlicesCovered()).sum();
            long given = runs.stream().mapToLong(e -> e.getFixtureSlicesTotal()).sum();
            m.put("fixture_coverage", runs.isEmpty() ? none() : exact((double) covered / given, runs.size()));
            compare(s, m);
        }
        if (expected) {
            assertThat(withoutOptIn).as("the scenario's reviews without opt-in show").isPositive();
        }
    }

    // ---- record access

    private static Track track(SpecificRecord r) {
        return r instanceof AsrRequest a ? a.getTrack() : ((TtsRequest) r).getTrack();
    }

    private static String version(SpecificRecord r) {
        return r instanceof AsrRequest a ? a.getModelVersion() : ((TtsRequest) r).getModelVersion();
    }

    private static String service(SpecificRecord r) {
        return r instanceof AsrRequest a ? a.getService() : ((TtsRequest) r).getService();
    }

    private static String dimension(SpecificRecord r, String dim) {
        return r.get(r.getSchema().getField(dim).pos()).toString();
    }

    private static boolean matches(SpecificRecord r, Signal signal, Map<String, String> slice) {
        for (Map.Entry<String, String> e : slice.entrySet()) {
            if (!dimension(r, e.getKey()).equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }
}
