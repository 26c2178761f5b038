package io.speechslo.generate;

import io.speechslo.generate.Scenario.Adjustment;
import io.speechslo.generate.Scenario.Change;
import io.speechslo.generate.Scenario.Profile;
import io.speechslo.generate.Scenario.Service;
import io.speechslo.generate.Scenario.Setting;
import io.speechslo.metrics.Signal;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Redaction;
import io.speechslo.telemetry.Track;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.specific.SpecificRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One service of a scenario, compiled for generation: slice values by index, the changes that concern
 * it, and the resolved per-request parameters of every cohort, cached. Draws one minute of requests
 * from a seeded stream; the same seed and minute always give the same requests.
 */
final class ServiceModel {

    private static final Quantity[] QUANTITIES = Quantity.values();

    private final Service spec;
    private final int index;
    private final long startMillis;
    private final int dims;
    /** Values per dimension (signal order): the mix's, then those changes bring. */
    private final String[][] values;
    /** Base weights per dimension, cumulative, over the mix's values. */
    private final double[][] cumulative;
    private final int[] radix;
    private final List<CompiledChange> changes = new ArrayList<>();
    private final List<int[]> profileWhere = new ArrayList<>();
    /** Caches: results depend only on their keys, never on the order they are filled in. */
    private final Map<Long, Params> params = new HashMap<>();
    private final Map<Integer, double[][]> samplers = new HashMap<>();

    ServiceModel(Scenario scenario, int index) {
        this.spec = scenario.services().get(index);
        this.index = index;
        this.startMillis = scenario.start().toEpochMilli();
        List<String> dimNames = spec.signal().sliceDimensions();
        this.dims = dimNames.size();
        List<List<String>> vals = new ArrayList<>();
        this.cumulative = new double[dims][];
        for (int d = 0; d < dims; d++) {
            Map<String, Double> w = spec.mix().get(dimNames.get(d));
            vals.add(new ArrayList<>(w.keySet()));
            cumulative[d] = cumulate(new ArrayList<>(w.values()));
        }
        for (Change c : scenario.changes()) {
            if (c.appliesTo(spec.name())) {
                c.newValues().forEach((dim, w) -> vals.get(dimNames.indexOf(dim)).addAll(w.keySet()));
            }
        }
        this.values = new String[dims][];
        this.radix = new int[dims];
        for (int d = 0; d < dims; d++) {
            values[d] = vals.get(d).toArray(new String[0]);
            radix[d] = values[d].length;
        }
        for (Change c : scenario.changes()) {
            if (c.appliesTo(spec.name())) {
                changes.add(new CompiledChange(c));
            }
        }
        if (changes.size() > 30) {
            throw new IllegalArgumentException("service " + spec.name() + " has " + changes.size()
                    + " changes; at most 30 are supported");
        }
        for (Profile p : spec.profiles()) {
            profileWhere.add(indexes(p.where()));
        }
    }

    Service spec() {
        return spec;
    }

    private static double[] cumulate(List<Double> weights) {
        double[] c = new double[weights.size()];
        double sum = 0;
        for (int i = 0; i < c.length; i++) {
            sum += weights.get(i);
            c[i] = sum;
        }
        return c;
    }

    /** Value index per dimension, -1 where the mapping says nothing. */
    private int[] indexes(Map<String, String> where) {
        int[] idx = new int[dims];
        Arrays.fill(idx, -1);
        List<String> dimNames = spec.signal().sliceDimensions();
        where.forEach((dim, value) -> {
            int d = dimNames.indexOf(dim);
            idx[d] = Arrays.asList(values[d]).indexOf(value);
        });
        return idx;
    }

    private static boolean matches(int[] where, int[] slice) {
        for (int d = 0; d < where.length; d++) {
            if (where[d] >= 0 && where[d] != slice[d]) {
                return false;
            }
        }
        return true;
    }

    /** A change with its slice values as indexes and its times as epoch millis. */
    private final class CompiledChange {
        final long from;
        final long until;
        final Track track;
        final String version;
        final int[] where;
        final Map<Quantity, Adjustment> adjust;
        /** Per dimension: indexes and weights of the values the change brings (empty arrays for none). */
        final int[][] newIdx = new int[dims][];
        final double[][] newWeights = new double[dims][];
        final boolean bringsValues;

        CompiledChange(Change c) {
            from = startMillis + c.from().toMillis();
            until = c.until() == null ? Long.MAX_VALUE : startMillis + c.until().toMillis();
            track = c.track();
            version = c.version();
            where = indexes(c.where());
            adjust = c.adjust();
            List<String> dimNames = spec.signal().sliceDimensions();
            for (int d = 0; d < dims; d++) {
                Map<String, Double> w = c.newValues().getOrDefault(dimNames.get(d), Map.of());
                newIdx[d] = new int[w.size()];
                newWeights[d] = new double[w.size()];
                int i = 0;
                for (Map.Entry<String, Double> e : w.entrySet()) {
                    newIdx[d][i] = Arrays.asList(values[d]).indexOf(e.getKey());
                    newWeights[d][i++] = e.getValue();
                }
            }
            bringsValues = !c.newValues().isEmpty();
        }

        boolean active(long t, Track tr, String ver) {
            return t >= from && t < until && (track == null || track == tr) && (version == null || version.equals(ver));
        }
    }

    /** Resolved parameters of one cohort: settings with profiles and active changes applied. */
    static final class Params {
        final double[] value = new double[QUANTITIES.length];
        final double[] p99 = new double[QUANTITIES.length];
        final double[] multiply = new double[QUANTITIES.length];
        final double[] add = new double[QUANTITIES.length];

        double get(Quantity q) {
            return value[q.ordinal()];
        }

        /** A LOGNORMAL draw with its adjustments, clamped to the quantity's range. */
        double lognormal(Draws d, Quantity q) {
            int i = q.ordinal();
            return clamp(q, d.lognormal(value[i], p99[i]) * multiply[i] + add[i]);
        }

        /** A FEATURE draw with its adjustments, clamped to the quantity's range. */
        double feature(Draws d, Quantity q) {
            int i = q.ordinal();
            double x = q.spread() > 0 ? value[i] + q.spread() * d.gaussian() : d.exponential(value[i]);
            return clamp(q, x * multiply[i] + add[i]);
        }
    }

    private static double clamp(Quantity q, double v) {
        return Math.max(q.min(), Math.min(q.max(), v));
    }

    private Params params(int[] slice, Track track, String version, long t) {
        int mask = 0;
        for (int i = 0; i < changes.size(); i++) {
            CompiledChange c = changes.get(i);
            if (!c.adjust.isEmpty() && c.active(t, track, version) && matches(c.where, slice)) {
                mask |= 1 << i;
            }
        }
        long combo = track.ordinal(); // the track first: its requests have parameters of their own
        for (int d = 0; d < dims; d++) {
            combo = combo * radix[d] + slice[d];
        }
        long key = combo << 32 | mask;
        Params p = params.get(key);
        if (p == null) {
            p = resolve(slice, mask);
            params.put(key, p);
        }
        return p;
    }

    private Params resolve(int[] slice, int mask) {
        Map<Quantity, Setting> settings = new java.util.EnumMap<>(spec.base());
        for (int i = 0; i < profileWhere.size(); i++) {
            if (matches(profileWhere.get(i), slice)) {
                settings.putAll(spec.profiles().get(i).set());
            }
        }
        Params p = new Params();
        Arrays.fill(p.multiply, 1);
        settings.forEach((q, s) -> {
            p.value[q.ordinal()] = s.value();
            p.p99[q.ordinal()] = s.p99();
        });
        for (int i = 0; i < changes.size(); i++) {
            if ((mask & 1 << i) == 0) {
                continue;
            }
            changes.get(i).adjust.forEach((q, a) -> {
                int o = q.ordinal();
                if (q.kind() == Quantity.Kind.RATE || q.kind() == Quantity.Kind.AMOUNT) {
                    p.value[o] = clamp(q, a.apply(p.value[o]));
                } else {
                    Adjustment both = a.after(new Adjustment(p.multiply[o], p.add[o]));
                    p.multiply[o] = both.multiply();
                    p.add[o] = both.add();
                }
            });
        }
        return p;
    }

    /** Cumulative weights per dimension for the requests of a track at a time: the mix plus new values. */
    private double[][] sampler(long t, Track track, String version) {
        int mask = 0;
        for (int i = 0; i < changes.size(); i++) {
            CompiledChange c = changes.get(i);
            if (c.bringsValues && c.active(t, track, version)) {
                mask |= 1 << i;
            }
        }
        if (mask == 0) {
            return cumulative;
        }
        double[][] s = samplers.get(mask);
        if (s == null) {
            s = new double[dims][];
            for (int d = 0; d < dims; d++) {
                List<Double> w = new ArrayList<>();
                double prev = 0;
                for (double c : cumulative[d]) {
                    w.add(c - prev);
                    prev = c;
                }
                for (int i = cumulative[d].length; i < radix[d]; i++) {
                    w.add(0.0);
                }
                for (int i = 0; i < changes.size(); i++) {
                    if ((mask & 1 << i) != 0) {
                        CompiledChange c = changes.get(i);
                        for (int j = 0; j < c.newIdx[d].length; j++) {
                            w.set(c.newIdx[d][j], w.get(c.newIdx[d][j]) + c.newWeights[d][j]);
                        }
                    }
                }
                s[d] = cumulate(w);
            }
            samplers.put(mask, s);
        }
        return s;
    }

    private static int pick(Draws d, double[] cumulative) {
        double u = d.uniform() * cumulative[cumulative.length - 1];
        for (int i = 0; i < cumulative.length; i++) {
            if (u < cumulative[i]) {
                return i;
            }
        }
        return cumulative.length - 1;
    }

    // ---- one minute

    /** Mean requests in minute {@code m} (its middle sets the diurnal multiplier). */
    private double lambda(long m) {
        return spec.ratePerMinute() * spec.diurnal(startMillis + m * 60_000 + 30_000);
    }

    /**
     * How many requests minute {@code m} holds, without drawing them; with a shadow deployment its mirrored
     * copies too, which depend on the requests' slices, so then the minute is drawn.
     */
    long count(long seed, long m) {
        if (spec.shadowVersion() != null) {
            return minute(seed, m).size();
        }
        return userFacing(seed, m);
    }

    /** How many user-facing requests minute {@code m} holds. */
    private long userFacing(long seed, long m) {
        return new Draws(Draws.seed(seed, index, m, Draws.REQUEST_COUNT)).poisson(lambda(m));
    }

    /** The requests of minute {@code m}, in event-time order. */
    List<SpecificRecord> minute(long seed, long m) {
        int n = (int) userFacing(seed, m);
        Draws d = new Draws(Draws.seed(seed, index, m, Draws.REQUEST_FIELDS));
        // fields added to the schemas later draw from a stream of their own, so the fields that were
        // there before keep their values for a seed
        Draws e = new Draws(Draws.seed(seed, index, m, Draws.REQUEST_FIELDS_LATER));
        // the shadow's mirrored copies too: a scenario without a shadow draws what it always drew
        Draws shadow = spec.shadowVersion() == null ? null : new Draws(Draws.seed(seed, index, m, Draws.SHADOW));
        long[] offsets = new long[n];
        for (int i = 0; i < n; i++) {
            offsets[i] = d.below(60_000);
        }
        Arrays.sort(offsets);
        long t0 = startMillis + m * 60_000;
        List<SpecificRecord> out = new ArrayList<>(n);
        int[] slice = new int[dims];
        for (int i = 0; i < n; i++) {
            long t = t0 + offsets[i];
            boolean canary = spec.canaryVersion() != null && d.uniform() < spec.canaryShare();
            Track track = canary ? Track.CANARY : Track.STABLE;
            String version = canary ? spec.canaryVersion() : spec.stableVersion();
            double[][] cum = sampler(t, track, version);
            for (int k = 0; k < dims; k++) {
                slice[k] = pick(d, cum[k]);
            }
            Params p = params(slice, track, version, t);
            String id = spec.name() + "-" + (t0 / 60_000) + "-" + i;
            out.add(spec.signal() == Signal.ASR ? asr(d, e, p, id, t, track, version, slice)
                    : tts(d, p, id, t, track, version, slice));
            if (shadow != null && shadow.chance(p.get(Quantity.SHADOW_RATE))) {
                String v = spec.shadowVersion();
                Params sp = params(slice, Track.SHADOW, v, t);
                out.add(spec.signal() == Signal.ASR ? asr(shadow, shadow, sp, id + "-shadow", t, Track.SHADOW, v, slice)
                        : tts(shadow, sp, id + "-shadow", t, Track.SHADOW, v, slice));
            }
        }
        return out;
    }

    private static Outcome outcome(Draws d, Params p) {
        double u = d.uniform();
        double timeout = p.get(Quantity.TIMEOUT_RATE);
        double error = timeout + p.get(Quantity.ERROR_RATE);
        double cancel = error + p.get(Quantity.CANCEL_RATE);
        return u < timeout ? Outcome.TIMEOUT : u < error ? Outcome.ERROR : u < cancel ? Outcome.CANCELLED : Outcome.OK;
    }

    /**
     * The serving pool that answers a request: one per region, the canary and the shadow each in a pool of
     * their own, and the region's overflow pool for the share {@code overflowRate} sends there.
     */
    private String pool(int[] slice, Track track, boolean overflow) {
        return poolName(values[1][slice[1]], track, overflow);
    }

    /** The name of a region's pool for a track: {@code gpu-<region>[-overflow][-canary|-shadow]}. */
    static String poolName(String region, Track track, boolean overflow) {
        return "gpu-" + region + (overflow ? "-overflow" : "")
                + (track == Track.CANARY ? "-canary" : track == Track.SHADOW ? "-shadow" : "");
    }

    /**
     * What an attempt costs beyond its length-priced {@code cost}: the per-request overhead, the overflow
     * pool's price and a fallback's second answer. No draw and the same double when none is set, so a
     * scenario without these knobs is unchanged.
     */
    private static double attempt(Params p, double cost, boolean overflow, boolean fallback) {
        double c = cost + p.get(Quantity.COST_PER_REQUEST);
        if (overflow) {
            c *= p.get(Quantity.OVERFLOW_PRICE);
        }
        return fallback ? 2 * c : c;
    }

    /** Draws only when the rate is set, so scenarios without it draw what they always drew. */
    private static boolean drawn(Draws d, Params p, Quantity rate) {
        double r = p.get(rate);
        return r > 0 && d.chance(r);
    }

    /**
     * @param e draws for the fields added later (character errors), so {@code d} draws what it always drew
     */
    private AsrRequest asr(Draws d, Draws e, Params p, String id, long t, Track track, String version,
            int[] slice) {
        Outcome outcome = outcome(d, p);
        boolean ok = outcome == Outcome.OK;
        long audioMs = Math.round(p.lognormal(d, Quantity.AUDIO_MS));
        double seconds = audioMs / 1000.0;
        int partials = outcome == Outcome.ERROR ? 0 : Math.max(1, (int) (seconds * 2.5) + d.below(3));
        int rewrites = partials == 0 ? 0 : d.binomial(partials, 0.15);
        Long firstPartial = partials == 0 ? null : Math.round(p.lognormal(d, Quantity.FIRST_PARTIAL_MS));
        Long finalization = ok ? Math.round(p.lognormal(d, Quantity.FINALIZATION_MS)) : null;
        double wer = p.get(Quantity.WER);
        // every request has its own difficulty around its cohort's error rate
        double difficulty = StrictMath.exp(0.35 * d.gaussian() - 0.06125);
        double requestWer = Math.min(1, wer * difficulty);
        Integer refWords = null;
        Integer wordErrors = null;
        Integer entityTotal = null;
        Integer entityErrors = null;
        Integer refChars = null;
        Integer charErrors = null;
        boolean labelled = ok && d.chance(p.get(Quantity.LABELLED_RATE));
        if (labelled) {
            refWords = Math.max(2, (int) Math.round(seconds * 2.4 * (0.8 + 0.4 * d.uniform())));
            wordErrors = d.binomial(refWords, requestWer);
            entityTotal = d.binomial(4, 0.5);
            entityErrors = d.binomial(entityTotal, Math.min(1, p.get(Quantity.ENTITY_ERROR_RATE) * difficulty));
            // characters of the same words: a substituted word mostly keeps some of its characters
            refChars = (int) Math.round(refWords * (4.5 + 2 * e.uniform()));
            charErrors = e.binomial(refChars, Math.min(1, requestWer * 0.55));
        }
        Float confidence = partials == 0 ? null
                : (float) Math.max(0, Math.min(1, 0.97 - 1.5 * requestWer + 0.02 * d.gaussian()));
        Integer corrections = ok ? (d.chance(requestWer * 0.3) ? 1 : 0) : null;
        // a backlog or slower preprocessing delays both the first partial and the final result; the
        // model's share is of the final result without them (no draw: a scenario without them is unchanged)
        long queueDelay = Math.round(p.get(Quantity.QUEUE_DELAY_MS));
        long preprocessDelay = Math.round(p.get(Quantity.PREPROCESS_DELAY_MS));
        long waited = queueDelay + preprocessDelay;
        long queueMs = Math.round(d.exponential(8)) + queueDelay;
        long preprocessMs = 3 + Math.round(d.exponential(4)) + preprocessDelay;
        double modelTime = p.get(Quantity.MODEL_TIME);
        Long modelMs = finalization == null ? null
                : Math.round(finalization * (0.55 + 0.1 * d.uniform()) * modelTime);
        // compute cost scales with model time and shrinks with the batch a request shares (the default
        // batch of 1..8, mean 4.5, is the price's reference); every retried attempt is paid for
        int maxBatch = Math.max(1, (int) Math.round(p.get(Quantity.BATCH_SIZE)));
        double batching = 4.5 / ((1 + maxBatch) / 2.0);
        double cost = p.get(Quantity.COST_PER_AUDIO_MINUTE) * audioMs / 60_000.0 * Math.max(0.5, 1 + 0.04 * d.gaussian())
                * modelTime * batching;
        // drawn in the order they always were, so a scenario that sets none of the knobs above is unchanged
        float silence = (float) p.feature(d, Quantity.SILENCE_RATIO);
        float clipping = (float) p.feature(d, Quantity.CLIPPING_RATIO);
        float snr = (float) p.feature(d, Quantity.SNR_DB);
        float level = (float) p.feature(d, Quantity.SPEECH_LEVEL_DBFS);
        int batch = 1 + d.below(maxBatch);
        int retries = outcome == Outcome.TIMEOUT || d.chance(p.get(Quantity.RETRY_RATE)) ? 1 : 0;
        boolean overflow = drawn(d, p, Quantity.OVERFLOW_RATE);
        boolean fallback = ok && drawn(d, p, Quantity.FALLBACK_RATE);
        return AsrRequest.newBuilder()
                .setRequestId(id)
                .setEventTime(Instant.ofEpochMilli(t))
                .setService(spec.name())
                .setModelVersion(version)
                .setTrack(track)
                .setLanguage(values[0][slice[0]])
                .setRegion(values[1][slice[1]])
                .setDevice(values[2][slice[2]])
                .setAcousticCondition(values[3][slice[3]])
                .setOutcome(outcome)
                .setAudioMs(audioMs)
                .setFirstPartialMs(firstPartial == null ? null : firstPartial + waited)
                .setFinalizationMs(finalization == null ? null : finalization + waited)
                .setPartials(partials)
                .setPartialRewrites(rewrites)
                .setRefWords(refWords)
                .setWordErrors(wordErrors)
                .setEntityTotal(entityTotal)
                .setEntityErrors(entityErrors)
                .setConfidence(confidence)
                .setCorrections(corrections)
                .setSilenceRatio(silence)
                .setClippingRatio(clipping)
                .setSnrDb(snr)
                .setSpeechLevelDbfs(level)
                .setQueueMs(queueMs)
                .setPreprocessMs(preprocessMs)
                .setModelMs(modelMs)
                .setBatchSize(batch)
                .setRetries(retries)
                .setFallback(fallback)
                .setCostUsd(attempt(p, cost, overflow, fallback) * (1 + retries))
                .setRawAudioRetained(labelled)
                .setSensitiveLogged(d.chance(p.get(Quantity.SENSITIVE_LOGGING_RATE)))
                .setRedaction(labelled ? Redaction.REDACTED : Redaction.NOT_NEEDED)
                .setRefChars(refChars)
                .setCharErrors(charErrors)
                .setPool(pool(slice, track, overflow))
                .build();
    }

    private TtsRequest tts(Draws d, Params p, String id, long t, Track track, String version, int[] slice) {
        Outcome outcome = outcome(d, p);
        boolean ok = outcome == Outcome.OK;
        int chars = (int) Math.round(p.lognormal(d, Quantity.TEXT_CHARS));
        long fullMs = Math.round(chars * 65 * (0.9 + 0.2 * d.uniform()));
        long generatedMs = ok ? fullMs : outcome == Outcome.ERROR ? 0 : Math.round(fullMs * d.uniform());
        Long firstAudio = outcome == Outcome.ERROR ? null : Math.round(p.lognormal(d, Quantity.FIRST_AUDIO_MS));
        int chunks = generatedMs == 0 ? 0 : 1 + (int) (generatedMs / 400);
        Long gap = chunks > 1 ? Math.round(p.lognormal(d, Quantity.CHUNK_GAP_MS)) : null;
        int underruns = chunks > 0 && d.chance(p.get(Quantity.UNDERRUN_RATE)) ? 1 + d.below(2) : 0;
        Float preference = null;
        if (ok && d.chance(p.get(Quantity.LABELLED_RATE))) {
            double rating = Math.rint(p.get(Quantity.PREFERENCE) + 0.8 * d.gaussian());
            preference = (float) Math.max(1, Math.min(5, rating));
        }
        boolean cacheHit = d.chance(p.get(Quantity.CACHE_HIT_RATE));
        double modelTime = p.get(Quantity.MODEL_TIME);
        double cost = p.get(Quantity.COST_PER_GENERATED_SECOND) * generatedMs / 1000.0
                * Math.max(0.5, 1 + 0.04 * d.gaussian()) * modelTime * (cacheHit ? 0.05 : 1);
        // drawn in the order they always were, so a scenario that sets none of the knobs above is unchanged
        boolean interrupted = ok && d.chance(p.get(Quantity.INTERRUPTION_RATE));
        boolean abandoned = !ok && outcome == Outcome.CANCELLED || ok && d.chance(p.get(Quantity.ABANDONMENT_RATE));
        long queueDelay = Math.round(p.get(Quantity.QUEUE_DELAY_MS));
        long queueMs = Math.round(d.exponential(6)) + queueDelay;
        Long modelMs = firstAudio == null ? null : Math.round(firstAudio * (0.6 + 0.1 * d.uniform()) * modelTime);
        int retries = outcome == Outcome.TIMEOUT || d.chance(p.get(Quantity.RETRY_RATE)) ? 1 : 0;
        boolean overflow = drawn(d, p, Quantity.OVERFLOW_RATE);
        boolean fallback = ok && drawn(d, p, Quantity.FALLBACK_RATE);
        return TtsRequest.newBuilder()
                .setRequestId(id)
                .setEventTime(Instant.ofEpochMilli(t))
                .setService(spec.name())
                .setModelVersion(version)
                .setTrack(track)
                .setLanguage(values[0][slice[0]])
                .setRegion(values[1][slice[1]])
                .setDevice(values[2][slice[2]])
                .setVoice(values[3][slice[3]])
                .setOutcome(outcome)
                .setTextChars(chars)
                .setFirstAudioMs(firstAudio == null ? null : firstAudio + queueDelay)
                .setChunks(chunks)
                .setMaxChunkGapMs(gap)
                .setUnderruns(underruns)
                .setGeneratedMs(generatedMs)
                .setInterrupted(interrupted)
                .setAbandoned(abandoned)
                .setPreference(preference)
                .setQueueMs(queueMs)
                .setModelMs(modelMs)
                .setRetries(retries)
                .setFallback(fallback)
                .setCacheHit(cacheHit)
                .setCostUsd(generatedMs == 0 ? null : attempt(p, cost, overflow, fallback) * (1 + retries))
                .setSensitiveLogged(d.chance(p.get(Quantity.SENSITIVE_LOGGING_RATE)))
                .setPool(pool(slice, track, overflow))
                .build();
    }
}
