package io.speechslo.aggregate;

import io.speechslo.bytes.ByteReader;
import io.speechslo.bytes.ByteWriter;
import io.speechslo.drift.DriftStats;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.telemetry.AsrRequest;

import org.apache.avro.specific.SpecificRecord;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What the requests of one full slice (of one service, signal, track and model version) contribute
 * over one event-time pane to the slice engines: the gate's metrics and the drift statistics. Requests
 * are folded in here, next to the data, so the engines downstream see one aggregate per slice per pane
 * instead of every request. (Burn rates need no slice: their counts travel as {@code BurnTick}s.)
 */
public final class SlicePane {

    private final MetricSet metrics;
    private final DriftStats drift;
    private long lastEventTime = Long.MIN_VALUE;

    public SlicePane(Signal signal) {
        this(new MetricSet(signal), new DriftStats());
    }

    private SlicePane(MetricSet metrics, DriftStats drift) {
        this.metrics = metrics;
        this.drift = drift;
    }

    /** Folds one request in. */
    public void add(SpecificRecord request, long eventTime) {
        metrics.add(request);
        if (request instanceof AsrRequest) {
            drift.add((AsrRequest) request);
        } else {
            drift.add((io.speechslo.telemetry.TtsRequest) request);
        }
        lastEventTime = Math.max(lastEventTime, eventTime);
    }

    /**
     * Adds another pane of the same slice (a partial aggregate of other requests). Exact: merging
     * partials in any grouping or order gives the pane of all their requests.
     */
    public void merge(SlicePane o) {
        if (o.metrics.signal() != metrics.signal()) {
            throw new IllegalArgumentException("cannot merge a " + o.metrics.signal() + " pane into a "
                    + metrics.signal() + " pane");
        }
        metrics.merge(o.metrics);
        drift.merge(o.drift);
        lastEventTime = Math.max(lastEventTime, o.lastEventTime);
    }

    public MetricSet metrics() {
        return metrics;
    }

    public DriftStats drift() {
        return drift;
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
        metrics.writeTo(out);
        drift.writeTo(out);
    }

    public static SlicePane readFrom(DataInput in) throws IOException {
        Signal signal = Signal.values()[in.readByte()];
        long last = in.readLong();
        SlicePane p = new SlicePane(MetricSet.readFrom(signal, in), DriftStats.readFrom(in));
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
