package io.speechslo.bench;

import io.speechslo.aggregate.SlicePane;
import io.speechslo.drift.DriftStats;
import io.speechslo.kafka.ConfluentWire;
import io.speechslo.kafka.Decoded;
import io.speechslo.kafka.TelemetryDecoder;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.QuantileSketch;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.slice.RequestSlices;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * JMH benchmarks of the per-record work of each operator, on bench-fleet telemetry (4,096 ASR and
 * TTS records cycled): what the source does per record (Confluent-framed Avro decode, then the
 * pre-aggregator's fold: {@link SlicePane#add} and below it {@link MetricSet}, {@link QuantileSketch},
 * {@link DriftStats}; the slice key), and what a partial pane costs on its way through the shuffle
 * into the slice aggregator (per slice and pane, not per request). Run through {@link JmhBench};
 * ns/op and, with {@code -prof gc}, bytes allocated per op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HotPath {

    static final int RECORDS = 4096;
    private static final int MASK = RECORDS - 1;

    AsrRequest[] asr = new AsrRequest[RECORDS];
    TtsRequest[] tts = new TtsRequest[RECORDS];
    byte[][] asrBytes = new byte[RECORDS][];
    byte[][] ttsBytes = new byte[RECORDS][];
    double[] latencies = new double[RECORDS];
    List<SloDefinition> asrSlos;
    TelemetryDecoder decoder;

    QuantileSketch sketch;
    MetricSet asrMetrics;
    MetricSet ttsMetrics;
    DriftStats drift;
    SlicePane pane;
    io.speechslo.job.BurnTick tick;
    int i;

    @Setup(Level.Trial)
    public void setUp() {
        List<SpecificRecord> a = new ArrayList<>();
        List<SpecificRecord> t = new ArrayList<>();
        Iterator<SpecificRecord> it = Workload.records(Workload.scenario(100_000), 100_000);
        while ((a.size() < RECORDS || t.size() < RECORDS) && it.hasNext()) {
            SpecificRecord r = it.next();
            (r instanceof AsrRequest ? a : t).add(r);
        }
        ConfluentWire wire = new ConfluentWire();
        for (int k = 0; k < RECORDS; k++) {
            asr[k] = (AsrRequest) a.get(k);
            tts[k] = (TtsRequest) t.get(k);
            asrBytes[k] = wire.encode(1, asr[k]);
            ttsBytes[k] = wire.encode(2, tts[k]);
            latencies[k] = asr[k].getFirstPartialMs() == null ? 0 : asr[k].getFirstPartialMs();
        }
        Policies policies = PolicyLoader.bundleDefaults().policies();
        asrSlos = policies.slosFor(asr[0].getService(), Signal.ASR);
        Schema asrSchema = AsrRequest.getClassSchema();
        Schema ttsSchema = TtsRequest.getClassSchema();
        decoder = new TelemetryDecoder(id -> id == 1 ? asrSchema : ttsSchema);
        sketch = new QuantileSketch();
        asrMetrics = new MetricSet(Signal.ASR);
        ttsMetrics = new MetricSet(Signal.TTS);
        drift = new DriftStats();
        pane = new SlicePane(Signal.ASR);
        tick = new io.speechslo.job.BurnTick("asr", Signal.ASR, "v1", 0,
                asrSlos.stream().map(io.speechslo.policy.SloDefinition::name).toArray(String[]::new));
    }

    private int next() {
        return i++ & MASK;
    }

    @Benchmark
    public QuantileSketch quantileSketchAdd() {
        sketch.add(latencies[next()]);
        return sketch;
    }

    @Benchmark
    public MetricSet metricSetAddAsr() {
        asrMetrics.add(asr[next()]);
        return asrMetrics;
    }

    @Benchmark
    public MetricSet metricSetAddTts() {
        ttsMetrics.add(tts[next()]);
        return ttsMetrics;
    }

    @Benchmark
    public DriftStats driftStatsAddAsr() {
        drift.add(asr[next()]);
        return drift;
    }

    @Benchmark
    public SlicePane slicePaneAddAsr() {
        AsrRequest r = asr[next()];
        pane.add(r, r.getEventTime().toEpochMilli());
        tick.add(r, asrSlos); // the burn counts, folded beside the pane
        return pane;
    }

    /**
     * The same fold as {@link #slicePaneAddAsr}, but each request into one of {@code panes} panes in
     * turn, as the pre-aggregator folds a minute's requests into about 1,300 slices' panes: the panes'
     * memory no longer stays in the CPU's caches between two requests of one slice.
     */
    @State(Scope.Thread)
    public static class ManyPanes {
        @Param({"1", "64", "2600"})
        int panes;
        SlicePane[] pane;
        int next;

        @Setup(Level.Trial)
        public void setUp(HotPath h) {
            pane = new SlicePane[panes];
            for (int p = 0; p < panes; p++) {
                pane[p] = new SlicePane(Signal.ASR);
                for (int k = 0; k < 8; k++) {
                    AsrRequest r = h.asr[(p * 8 + k) & MASK];
                    pane[p].add(r, r.getEventTime().toEpochMilli());
                }
            }
        }
    }

    @Benchmark
    public SlicePane slicePaneAddAsrManyPanes(ManyPanes s) {
        AsrRequest r = asr[next()];
        SlicePane p = s.pane[s.next++ % s.panes];
        p.add(r, r.getEventTime().toEpochMilli());
        tick.add(r, asrSlos, p.sloCounts());
        return p;
    }

    @Benchmark
    public Decoded decodeAsr() {
        return decoder.decode(asrBytes[next()]);
    }

    @Benchmark
    public Decoded decodeTts() {
        return decoder.decode(ttsBytes[next()]);
    }

    @Benchmark
    public String sliceKeyAsr() {
        return RequestSlices.of(asr[next()]).key();
    }

    /**
     * A partial pane of {@code paneRequests} requests of one slice as it travels from a source's
     * pre-aggregator to the slice aggregator: written to bytes, read back, merged into the slice's
     * pane. Paid once per slice, pane and source subtask (and checkpoint inside the pane), not per request.
     */
    @State(Scope.Thread)
    public static class PaneState {
        @Param({"15", "1000"})
        int paneRequests;
        SlicePane partial;
        SlicePane merged;

        @Setup(Level.Trial)
        public void setUp(HotPath h) {
            partial = new SlicePane(Signal.ASR);
            merged = new SlicePane(Signal.ASR);
            for (int k = 0; k < paneRequests; k++) {
                AsrRequest r = h.asr[k & MASK];
                partial.add(r, r.getEventTime().toEpochMilli());
            }
        }
    }

    @Benchmark
    public SlicePane partialPaneShuffleAndMerge(PaneState s) {
        s.merged.merge(SlicePane.fromBytes(s.partial.toBytes()));
        return s.merged;
    }

    /**
     * A slice's pane sketch (15 latencies) merged into one of the release gate's long-lived roll-ups,
     * which holds the 3,840 latencies of all 256 such panes already (some hundreds of bins): paid per
     * pane and roll-up, each a dozen roll-ups per slice every minute. The panes take turns, the
     * roll-up's bins stay the same.
     */
    @State(Scope.Thread)
    public static class RollUpState {
        static final int PANES = 256;
        QuantileSketch[] panes = new QuantileSketch[PANES];
        QuantileSketch rollUp = new QuantileSketch();
        int next;

        @Setup(Level.Trial)
        public void setUp(HotPath h) {
            for (int p = 0; p < PANES; p++) {
                panes[p] = new QuantileSketch();
                for (int k = 0; k < 15; k++) {
                    panes[p].add(h.latencies[(p * 16 + k) & MASK]);
                }
                rollUp.merge(panes[p]);
            }
        }
    }

    @Benchmark
    public QuantileSketch quantileSketchPaneIntoRollUp(RollUpState s) {
        s.rollUp.merge(s.panes[s.next++ & (RollUpState.PANES - 1)]);
        return s.rollUp;
    }
}
