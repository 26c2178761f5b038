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
 * user-facing). Counts are in the order of {@code Policies.slosFor}, and {@link #slos} names each: the
 * engine matches counts to its SLOs by name, so burn counts held in state across a policy change that
 * reorders, adds or removes SLOs (a savepoint restored under edited policies) still count for their own SLO.
 */
public class BurnTick {

    public String service;
    public Signal signal;
    public String version;
    /** End of the burn pane, exclusive, event-time millis. */
    public long tickEnd;
    public long[] good;
    public long[] total;
    /**
     * The names of the SLOs counted, in the order of the counts. Null in burn counts held in a savepoint
     * before 2026-12-05 (POJO field added then): those are in the order of the policies they were made
     * under, taken to be those in force.
     */
    public String[] slos;

    public BurnTick() {}

    /** @param slos the names of the SLOs to count, in order (shared, never changed) */
    public BurnTick(String service, Signal signal, String version, long tickEnd, String[] slos) {
        this.service = service;
        this.signal = signal;
        this.version = version;
        this.tickEnd = tickEnd;
        this.good = new long[slos.length];
        this.total = new long[slos.length];
        this.slos = slos;
    }

    /** The names of {@code slos}, in order. */
    public static String[] names(List<SloDefinition> slos) {
        return slos.stream().map(SloDefinition::name).toArray(String[]::new);
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

    /**
     * As {@link #add(SpecificRecord, List)}, and counts the same verdicts into {@code slice} (the request's
     * slice pane), so a page can later say which slices hold the bad requests; each filter runs once.
     */
    public void add(SpecificRecord request, List<SloDefinition> slos, io.speechslo.aggregate.SloCounts slice) {
        for (int i = 0; i < total.length; i++) {
            SloDefinition slo = slos.get(i);
            if (slo.total().test(request)) {
                total[i]++;
                boolean isGood = slo.good().test(request);
                if (isGood) {
                    good[i]++;
                }
                slice.count(this.slos, i, isGood);
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
                && Arrays.equals(total, t.total) && Arrays.equals(slos, t.slos);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(service, signal, version, tickEnd, Arrays.hashCode(total));
    }

    @Override
    public String toString() {
        return "BurnTick{" + service + "/" + signal + "/" + version + " until " + tickEnd + " good="
                + Arrays.toString(good) + " total=" + Arrays.toString(total)
                + " slos=" + Arrays.toString(slos) + "}";
    }
}
