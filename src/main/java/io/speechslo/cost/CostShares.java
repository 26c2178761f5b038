package io.speechslo.cost;

import io.speechslo.bytes.Varints;
import io.speechslo.metrics.ExactSums;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a slice pane's costed requests cost per serving pool, and what those answered by a fallback path
 * cost: the two cost drivers whose figure no other part of the pane holds ({@code pool}, a request field
 * and no slice dimension; {@code fallback}, whose waste needs the fallback requests' own cost). A costed
 * request adds one count, its cost (an exact sum) and its length in milliseconds (a whole number: a
 * long addition) to its pool's row, found by identity first (decoded pool names are interned and a full
 * slice is nearly always served by one pool), and a fallback one the same again; everything else is
 * derived per pane. Lengths stay in milliseconds here: the reader knows the unit (audio minutes for ASR,
 * generated seconds for TTS). Sums are exact ({@link ExactSums}), so the
 * figures do not depend on how the requests were split into partials. At most {@link #MAX_POOLS} pools
 * are kept apart; further ones add to {@link #OTHER} (pool names are not cardinality-guarded).
 */
public final class CostShares {

    /** Pools kept apart per pane; the rest are {@link #OTHER}. */
    public static final int MAX_POOLS = 32;
    /** Where pools beyond {@link #MAX_POOLS} add up. */
    public static final String OTHER = "\u0000other";
    private static final String[] NONE = new String[0];

    private String[] pools = NONE;
    private long[] poolRequests = new long[0];
    /** Per pool: its cost (0) and length in milliseconds (1). */
    private ExactSums[] poolSums = new ExactSums[0];
    private int last = -1;
    private long fallbackRequests;
    /** Fallback requests' cost (0) and length in milliseconds (1). */
    private final ExactSums fallback = new ExactSums(2);

    /**
     * Adds one costed request (a request with no cost or no units adds nothing).
     *
     * @param pool the pool that answered, null when the request does not say
     * @param ms the length the request is priced by: audio (ASR) or generated audio (TTS), milliseconds
     */
    public void add(String pool, boolean isFallback, double cost, long ms) {
        if (pool != null) {
            int i = last >= 0 && pools[last] == pool ? last : slot(pool);
            last = i;
            poolRequests[i]++;
            poolSums[i].add(0, cost);
            poolSums[i].add(1, ms);
        }
        if (isFallback) {
            fallbackRequests++;
            fallback.add(0, cost);
            fallback.add(1, ms);
        }
    }

    private int slot(String pool) {
        for (int i = 0; i < pools.length; i++) {
            if (pools[i].equals(pool)) {
                return i;
            }
        }
        if (pools.length >= MAX_POOLS) {
            return pools[pools.length - 1].equals(OTHER) ? pools.length - 1 : grow(OTHER);
        }
        return grow(pool);
    }

    private int grow(String pool) {
        int n = pools.length;
        pools = Arrays.copyOf(pools, n + 1);
        pools[n] = pool;
        poolRequests = Arrays.copyOf(poolRequests, n + 1);
        poolSums = Arrays.copyOf(poolSums, n + 1);
        poolSums[n] = new ExactSums(2);
        return n;
    }

    /** Adds another pane's (exact whatever the grouping). */
    public void merge(CostShares o) {
        for (int j = 0; j < o.pools.length; j++) {
            int i = slot(o.pools[j]);
            poolRequests[i] += o.poolRequests[j];
            poolSums[i].add(o.poolSums[j]);
        }
        fallbackRequests += o.fallbackRequests;
        fallback.add(o.fallback);
    }

    /** Per pool: {cost, units, costed requests}, by name, with {@code msPerUnit} milliseconds to a unit. */
    public Map<String, double[]> pools(double msPerUnit) {
        Map<String, double[]> m = new TreeMap<>();
        for (int i = 0; i < pools.length; i++) {
            m.put(pools[i], new double[] {poolSums[i].value(0), poolSums[i].value(1) / msPerUnit, poolRequests[i]});
        }
        return m;
    }

    /** Costed requests answered by a fallback path. */
    public long fallbackRequests() {
        return fallbackRequests;
    }

    public double fallbackCost() {
        return fallback.value(0);
    }

    /** The fallback requests' units, with {@code msPerUnit} milliseconds to a unit. */
    public double fallbackUnits(double msPerUnit) {
        return fallback.value(1) / msPerUnit;
    }

    public boolean isEmpty() {
        return pools.length == 0 && fallbackRequests == 0;
    }

    public void writeTo(DataOutput out) throws IOException {
        Varints.writeUnsigned(out, pools.length);
        for (int i = 0; i < pools.length; i++) {
            out.writeUTF(pools[i]);
            Varints.writeUnsigned(out, poolRequests[i]);
            poolSums[i].writeTo(0, out);
            poolSums[i].writeTo(1, out);
        }
        Varints.writeUnsigned(out, fallbackRequests);
        fallback.writeTo(0, out);
        fallback.writeTo(1, out);
    }

    public static CostShares readFrom(DataInput in) throws IOException {
        CostShares c = new CostShares();
        long n = Varints.readUnsigned(in);
        if (n < 0 || n > MAX_POOLS + 1) {
            throw new IOException("cost shares with " + n + " pools (at most " + (MAX_POOLS + 1) + ")");
        }
        int pools = (int) n;
        c.pools = new String[pools];
        c.poolRequests = new long[pools];
        c.poolSums = new ExactSums[pools];
        for (int i = 0; i < pools; i++) {
            c.pools[i] = in.readUTF();
            c.poolRequests[i] = Varints.readUnsigned(in);
            c.poolSums[i] = new ExactSums(2);
            c.poolSums[i].readFrom(0, in);
            c.poolSums[i].readFrom(1, in);
        }
        c.fallbackRequests = Varints.readUnsigned(in);
        c.fallback.readFrom(0, in);
        c.fallback.readFrom(1, in);
        return c;
    }
}
