package io.speechslo.aggregate;

import io.speechslo.bytes.ByteReader;
import io.speechslo.bytes.ByteWriter;
import io.speechslo.bytes.Varints;
import io.speechslo.drift.DriftStats;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.SloDefinition;
import io.speechslo.telemetry.AsrRequest;

import org.apache.avro.specific.SpecificRecord;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * What the requests of one full slice (of one service, signal, track and model version) contribute
 * over one event-time pane, to every engine at once: the gate's metrics, each SLO's good and total
 * counts (in the order of {@code Policies.slosFor}), and the drift statistics. Requests are folded in
 * here, next to the data, so the engines downstream see one aggregate per slice per pane instead of
 * every request.
 */
public final class SlicePane {

    private final MetricSet metrics;
    private final long[] good;
    private final long[] total;
    private final DriftStats drift;
    private long lastEventTime = Long.MIN_VALUE;

    public SlicePane(Signal signal, int slos) {
        this(new MetricSet(signal), new long[slos], new long[slos], new DriftStats());
    }

    private SlicePane(MetricSet metrics, long[] good, long[] total, DriftStats drift) {
        this.metrics = metrics;
        this.good = good;
        this.total = total;
        this.drift = drift;
    }

    /** Folds one request in; {@code slos} must be the same list (same order) on every call. */
    public void add(SpecificRecord request, long eventTime, List<SloDefinition> slos) {
        add(request, eventTime, slos, null, null);
    }

    /**
     * Folds one request in, and also counts it, per SLO, in {@code alsoGood} and {@code alsoTotal} when
     * they are not null (arrays of {@link #slos()} counts kept elsewhere), so each SLO's predicates are
     * tested once per request.
     */
    public void add(SpecificRecord request, long eventTime, List<SloDefinition> slos, long[] alsoGood,
            long[] alsoTotal) {
        metrics.add(request);
        for (int i = 0; i < good.length; i++) {
            SloDefinition slo = slos.get(i);
            if (slo.total().test(request)) {
                total[i]++;
                boolean ok = slo.good().test(request);
                if (ok) {
                    good[i]++;
                }
                if (alsoTotal != null) {
                    alsoTotal[i]++;
                    if (ok) {
                        alsoGood[i]++;
                    }
                }
            }
        }
        if (request instanceof AsrRequest) {
            drift.add((AsrRequest) request);
        } else {
            drift.add((io.speechslo.telemetry.TtsRequest) request);
        }
        lastEventTime = Math.max(lastEventTime, eventTime);
    }

    /**
     * Adds another pane of the same slice and SLO list (a partial aggregate of other requests). Exact:
     * merging partials in any grouping or order gives the pane of all their requests.
     */
    public void merge(SlicePane o) {
        if (o.good.length != good.length || o.metrics.signal() != metrics.signal()) {
            throw new IllegalArgumentException("cannot merge a " + o.metrics.signal() + " pane of " + o.good.length
                    + " SLOs into a " + metrics.signal() + " pane of " + good.length);
        }
        metrics.merge(o.metrics);
        for (int i = 0; i < good.length; i++) {
            good[i] += o.good[i];
            total[i] += o.total[i];
        }
        drift.merge(o.drift);
        lastEventTime = Math.max(lastEventTime, o.lastEventTime);
    }

    public MetricSet metrics() {
        return metrics;
    }

    public DriftStats drift() {
        return drift;
    }

    public int slos() {
        return good.length;
    }

    public long good(int slo) {
        return good[slo];
    }

    public long total(int slo) {
        return total[slo];
    }

    public long lastEventTime() {
        return lastEventTime;
    }

    public long requests() {
        return metrics.requests();
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeByte(metrics.signal().ordinal());
        out.writeLong(lastEventTime);
        out.writeInt(good.length);
        for (int i = 0; i < good.length; i++) {
            Varints.writeUnsigned(out, good[i]);
            Varints.writeUnsigned(out, total[i]);
        }
        metrics.writeTo(out);
        drift.writeTo(out);
    }

    public static SlicePane readFrom(DataInput in) throws IOException {
        Signal signal = Signal.values()[in.readByte()];
        long last = in.readLong();
        int n = in.readInt();
        long[] good = new long[n];
        long[] total = new long[n];
        for (int i = 0; i < n; i++) {
            good[i] = Varints.readUnsigned(in);
            total[i] = Varints.readUnsigned(in);
        }
        SlicePane p = new SlicePane(MetricSet.readFrom(signal, in), good, total, DriftStats.readFrom(in));
        p.lastEventTime = last;
        return p;
    }

    public byte[] toBytes() {
        return ByteWriter.bytes(this::writeTo, 512);
    }

    public static SlicePane fromBytes(byte[] bytes) {
        try {
            return readFrom(new ByteReader(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
