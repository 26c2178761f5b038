package io.speechslo.job;

import io.speechslo.aggregate.SlicePane;
import io.speechslo.metrics.Signal;
import io.speechslo.serving.ServingStats;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.Track;

/**
 * One full slice's aggregate over one pane, from the slice aggregator to the engines. The aggregate
 * travels as the bytes of a {@link SlicePane}, so Flink moves an opaque byte array, not a graph of objects.
 *
 * <p>The same record carries a pool's minute of serving samples to slice drift ({@link #servingMinute}):
 * no track, a reserved slice naming the pool, and the bytes of a {@link ServingStats}.
 */
public class PaneRecord {

    /** The start of the slice of a serving minute; no slice key starts with a NUL. */
    static final String SERVING = "\u0000serving:";

    public String service;
    public Signal signal;
    public Track track;
    public String version;
    public String slice;
    /** End of the pane, exclusive, event-time millis. */
    public long paneEnd;
    public byte[] pane;

    public PaneRecord() {}

    public PaneRecord(String service, Signal signal, Track track, String version, String slice, long paneEnd,
            byte[] pane) {
        this.service = service;
        this.signal = signal;
        this.track = track;
        this.version = version;
        this.slice = slice;
        this.paneEnd = paneEnd;
        this.pane = pane;
    }

    /**
     * A pool's minute of serving samples of a model version, for the engines of one signal (a service's
     * samples do not say which signal it serves: they go to both, and a monitor without that version's
     * traffic ignores them).
     */
    static PaneRecord servingMinute(String service, Signal signal, String version, String pool, long minuteEnd,
            byte[] stats) {
        return new PaneRecord(service, signal, null, version, SERVING + pool, minuteEnd, stats);
    }

    public boolean isServingMinute() {
        return slice.startsWith(SERVING);
    }

    /** The serving samples of a {@link #servingMinute}. */
    ServingStats servingStats() {
        return ServingStats.fromBytes(pane);
    }

    public SlicePane decode() {
        return SlicePane.fromBytes(pane);
    }

    /** What the release gate reads: the pane's metric set, the rest left undecoded. */
    public SlicePane.Head decodeHead() {
        return SlicePane.headFromBytes(pane);
    }

    public Slice fullSlice() {
        return Slice.parse(slice);
    }

    /** The key of the engines: one service and signal. */
    public String serviceKey() {
        return Keys.service(service, signal);
    }
}
