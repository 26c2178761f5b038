package io.speechslo.bench;

import io.speechslo.aggregate.SlicePane;
import io.speechslo.drift.DriftStats;
import io.speechslo.job.Ingested;
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
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
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

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * JMH benchmarks of the per-record work of each operator, on bench-fleet telemetry (4,096 ASR and
 * TTS records cycled): what the source does (Confluent-framed Avro decode), what each keyBy costs
 * (the slice key; Flink's serializer for {@link Ingested}, which every record crosses twice on its way
 * to the aggregator), and what the slice-pane aggregator does ({@link SlicePane#add} and below it
 * {@link MetricSet}, {@link QuantileSketch}, {@link DriftStats}; and its full per-record state round
 * trip: the pane's bytes read back, the request added, the pane written again, as
 * {@code SlicePaneAggregator.processElement} does with its MapState of bytes). Run through
 * {@link JmhBench}; ns/op and, with {@code -prof gc}, bytes allocated per op.
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
    Ingested[] ingested = new Ingested[RECORDS];
    double[] latencies = new double[RECORDS];
    List<SloDefinition> asrSlos;
    TelemetryDecoder decoder;
    TypeSerializer<Ingested> serializer;
    DataOutputSerializer out = new DataOutputSerializer(4096);
    DataInputDeserializer in = new DataInputDeserializer();

    QuantileSketch sketch;
    MetricSet asrMetrics;
    MetricSet ttsMetrics;
    DriftStats drift;
    SlicePane pane;
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
            ingested[k] = Ingested.of(k % 3 == 0 ? tts[k] : asr[k], "speech.asr.requests", k % 4, k);
            latencies[k] = asr[k].getFirstPartialMs() == null ? 0 : asr[k].getFirstPartialMs();
        }
        Policies policies = PolicyLoader.bundleDefaults().policies();
        asrSlos = policies.slosFor(asr[0].getService(), Signal.ASR);
        Schema asrSchema = AsrRequest.getClassSchema();
        Schema ttsSchema = TtsRequest.getClassSchema();
        decoder = new TelemetryDecoder(id -> id == 1 ? asrSchema : ttsSchema);
        serializer = TypeInformation.of(Ingested.class).createSerializer(new ExecutionConfig().getSerializerConfig());
        sketch = new QuantileSketch();
        asrMetrics = new MetricSet(Signal.ASR);
        ttsMetrics = new MetricSet(Signal.TTS);
        drift = new DriftStats();
        pane = new SlicePane(Signal.ASR, asrSlos.size());
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
        pane.add(r, r.getEventTime().toEpochMilli(), asrSlos);
        return pane;
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

    /** One network hop of a record between operators: Flink's serializer for Ingested, out and back in. */
    @Benchmark
    public Ingested ingestedSerializerRoundTrip() throws IOException {
        out.clear();
        serializer.serialize(ingested[next()], out);
        in.setBuffer(out.getSharedBuffer(), 0, out.length());
        return serializer.deserialize(in);
    }

    /**
     * The aggregator's per-record state round trip on a pane that already holds {@code paneRequests}
     * requests of one slice: bytes to SlicePane, add, back to bytes (the stored pane is not replaced,
     * so its size stays as set).
     */
    @State(Scope.Thread)
    public static class PaneState {
        @Param({"10", "1000"})
        int paneRequests;
        byte[] bytes;

        @Setup(Level.Trial)
        public void setUp(HotPath h) {
            SlicePane p = new SlicePane(Signal.ASR, h.asrSlos.size());
            for (int k = 0; k < paneRequests; k++) {
                AsrRequest r = h.asr[k & MASK];
                p.add(r, r.getEventTime().toEpochMilli(), h.asrSlos);
            }
            bytes = p.toBytes();
        }
    }

    @Benchmark
    public byte[] aggregatorStateRoundTrip(PaneState s) {
        AsrRequest r = asr[next()];
        SlicePane p = SlicePane.fromBytes(s.bytes);
        p.add(r, r.getEventTime().toEpochMilli(), asrSlos);
        return p.toBytes();
    }
}
