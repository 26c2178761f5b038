package io.speechslo.bench;

import io.speechslo.job.Ingested;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Redaction;
import io.speechslo.telemetry.Track;

import org.apache.flink.connector.datagen.source.GeneratorFunction;

import java.time.Instant;
import java.util.SplittableRandom;

/**
 * ASR telemetry over an exact number of active slices, for the state benchmark. A slice here is what
 * the slice-pane aggregator keys by (service, signal, track, model version, full slice): slice
 * {@code k} is track STABLE (v1) for even k and CANARY (v2) for odd k, combination {@code k / 2} of
 * four dimensions with ten values each (at most 10,000 combinations a service, so no dimension passes
 * the cardinality guard's 200 values), services {@code svc-0, svc-1, ...} as needed. Every pane
 * (one minute of event time) holds {@code perPane} requests of every slice, in event-time order.
 *
 * <p>Index to record is a pure function, made for a DataGeneratorSource over {@code 0..count()-1} at
 * {@code parallelism} p: its sequence is cut into p equal contiguous splits, and this function
 * interleaves them (split s serves logical records s, s+p, s+2p, ...) so that all source subtasks
 * walk through event time together, as Kafka partitions read in parallel would.
 */
final class SliceTraffic implements GeneratorFunction<Long, Ingested> {

    static final int COMBINATIONS_PER_SERVICE = 10_000;
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final long PANE_MILLIS = 60_000;

    private final int slices;
    private final int perPane;
    private final int panes;
    private final int parallelism;

    SliceTraffic(int slices, int perPane, int panes, int parallelism) {
        if (slices % 2 != 0 || (long) slices * perPane % parallelism != 0) {
            throw new IllegalArgumentException("slices must be even and slices x perPane a multiple of the parallelism");
        }
        this.slices = slices;
        this.perPane = perPane;
        this.panes = panes;
        this.parallelism = parallelism;
    }

    long count() {
        return (long) slices * perPane * panes;
    }

    /** The logical position (event-time order) of the record at source index {@code i}. */
    long logical(long i) {
        long perSplit = count() / parallelism;
        long split = i / perSplit;
        return (i - split * perSplit) * parallelism + split;
    }

    @Override
    public Ingested map(Long index) {
        long j = logical(index);
        long perPaneAll = (long) slices * perPane;
        long pane = j / perPaneAll;
        long inPane = j % perPaneAll;
        int k = (int) (inPane % slices);
        long t = T0 + pane * PANE_MILLIS + inPane * PANE_MILLIS / perPaneAll;
        int combination = (k / 2) % COMBINATIONS_PER_SERVICE;
        int service = (k / 2) / COMBINATIONS_PER_SERVICE;
        boolean canary = k % 2 == 1;
        SplittableRandom rnd = new SplittableRandom(j * 0x9E3779B97F4A7C15L + 17);
        long audio = 1_000 + rnd.nextInt(20_000);
        boolean labelled = rnd.nextInt(5) == 0;
        int refWords = labelled ? 5 + rnd.nextInt(40) : 0;
        AsrRequest r = AsrRequest.newBuilder()
                .setRequestId("r" + j)
                .setEventTime(Instant.ofEpochMilli(t))
                .setService("svc-" + service)
                .setModelVersion(canary ? "v2" : "v1")
                .setTrack(canary ? Track.CANARY : Track.STABLE)
                .setLanguage("l" + combination % 10)
                .setRegion("r" + combination / 10 % 10)
                .setDevice("d" + combination / 100 % 10)
                .setAcousticCondition("a" + combination / 1000 % 10)
                .setOutcome(rnd.nextInt(1000) == 0 ? Outcome.ERROR : Outcome.OK)
                .setAudioMs(audio)
                .setFirstPartialMs(60L + rnd.nextInt(300))
                .setFinalizationMs(150L + rnd.nextInt(700))
                .setPartials(1 + rnd.nextInt(12))
                .setPartialRewrites(rnd.nextInt(3))
                .setRefWords(labelled ? refWords : null)
                .setWordErrors(labelled ? rnd.nextInt(refWords / 4 + 1) : null)
                .setEntityTotal(labelled ? 2 : null)
                .setEntityErrors(labelled ? rnd.nextInt(2) : null)
                .setConfidence((float) rnd.nextDouble())
                .setCorrections(0)
                .setSilenceRatio((float) (0.1 + 0.3 * rnd.nextDouble()))
                .setClippingRatio((float) (0.002 * rnd.nextDouble()))
                .setSnrDb((float) (5 + 25 * rnd.nextDouble()))
                .setSpeechLevelDbfs((float) (-40 + 20 * rnd.nextDouble()))
                .setQueueMs((long) rnd.nextInt(20))
                .setPreprocessMs((long) rnd.nextInt(30))
                .setModelMs(50L + rnd.nextInt(200))
                .setBatchSize(1 + rnd.nextInt(16))
                .setRetries(0)
                .setFallback(false)
                .setCostUsd(audio / 60_000.0 * 0.006)
                .setRawAudioRetained(false)
                .setSensitiveLogged(false)
                .setRedaction(Redaction.REDACTED)
                .build();
        return Ingested.of(r, "speech.asr.requests", (int) (index % 4), j);
    }
}
