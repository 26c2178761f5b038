package io.speechslo.job;

import io.speechslo.slice.Slice;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Caps the distinct values of every slice dimension per service and signal, on the partial slice
 * panes coming from the sources: the first {@code maxValues} values are kept, any further value is
 * replaced by {@value #OTHER} (so its pane merges into the "other" slice downstream) and counted
 * (metric {@code folded_to_other}, per partial pane), so a producer that puts request ids into a
 * dimension cannot blow up state. Which values win depends on arrival order, so replay matches the
 * live job exactly only while no cap is hit.
 */
final class CardinalityGuard extends KeyedProcessFunction<String, PaneRecord, PaneRecord> {

    static final String OTHER = "other";

    private final int maxValues;
    private transient MapState<String, Integer> values;
    private transient Counter folded;

    CardinalityGuard(int maxValues) {
        if (maxValues < 1) {
            throw new IllegalArgumentException("max values per dimension must be >= 1");
        }
        this.maxValues = maxValues;
    }

    @Override
    public void open(OpenContext openContext) {
        values = getRuntimeContext().getMapState(States.DIMENSION_VALUES);
        folded = getRuntimeContext().getMetricGroup().counter("folded_to_other");
    }

    @Override
    public void processElement(PaneRecord in, Context ctx, Collector<PaneRecord> out) throws Exception {
        Slice slice = in.fullSlice();
        Slice admitted = slice;
        for (int i = 0; i < slice.size(); i++) {
            String v = admit(slice.dimension(i), slice.value(i));
            if (!v.equals(slice.value(i))) {
                admitted = admitted.withValue(i, v);
            }
        }
        if (admitted != slice) {
            in.slice = admitted.key();
        }
        out.collect(in);
    }

    /** The value itself when known or there is room; else "other". State: "dim\0value" -> 1 and "dim" -> count. */
    private String admit(String dim, String value) throws Exception {
        if (value.equals(OTHER)) {
            return value;
        }
        String key = dim + Keys.SEP + value;
        if (values.contains(key)) {
            return value;
        }
        Integer n = values.get(dim);
        int count = n == null ? 0 : n;
        if (count >= maxValues) {
            folded.inc();
            return OTHER;
        }
        values.put(key, 1);
        values.put(dim, count + 1);
        return value;
    }
}
