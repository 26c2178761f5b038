package io.speechslo.job;

import io.speechslo.metrics.Signal;
import io.speechslo.policy.SloDefinition;

import org.apache.avro.specific.SpecificRecord;

import java.util.Arrays;
import java.util.List;

/**
 * Good and total request counts of every SLO of one service, signal and model version over one burn
 * pane (job/burn.yaml {@code pane}), from the pre-aggregator straight to the burn-rate engine: burn
 * rates need no slice, so their counts skip the slice path and reach the engine as soon as the
 * watermark passes the end of their burn pane. Shadow traffic is never counted (it is not
 * user-facing). Counts are in the order of {@code Policies.slosFor}.
 */
public class BurnTick {

    public String service;
    public Signal signal;
    public String version;
    /** End of the burn pane, exclusive, event-time millis. */
    public long tickEnd;
    public long[] good;
    public long[] total;

    public BurnTick() {}

    public BurnTick(String service, Signal signal, String version, long tickEnd, int slos) {
        this.service = service;
        this.signal = signal;
        this.version = version;
        this.tickEnd = tickEnd;
        this.good = new long[slos];
        this.total = new long[slos];
    }

    /** Counts one request against each SLO of {@code slos} (the list these counts were made for, in order). */
    public void add(SpecificRecord request, List<SloDefinition> slos) {
        for (int i = 0; i < total.length; i++) {
            SloDefinition slo = slos.get(i);
            if (slo.total().test(request)) {
                total[i]++;
                if (slo.good().test(request)) {
                    good[i]++;
                }
            }
        }
    }

    /** The key of the engines: one service and signal. */
    public String serviceKey() {
        return Keys.service(service, signal);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BurnTick t && service.equals(t.service) && signal == t.signal
                && version.equals(t.version) && tickEnd == t.tickEnd && Arrays.equals(good, t.good)
                && Arrays.equals(total, t.total);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(service, signal, version, tickEnd, Arrays.hashCode(total));
    }

    @Override
    public String toString() {
        return "BurnTick{" + service + "/" + signal + "/" + version + " until " + tickEnd + " good="
                + Arrays.toString(good) + " total=" + Arrays.toString(total) + "}";
    }
}
