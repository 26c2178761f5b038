package io.speechslo.slice;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A cohort of traffic: a set of dimension=value pairs, for example {region=eu-west-1, device=mobile}.
 * The empty slice is the whole service. Dimensions are kept sorted by name, so equal slices have equal
 * keys whatever order they were built in.
 */
public final class Slice implements Comparable<Slice> {

    public static final Slice ALL = new Slice(new String[0], new String[0]);

    private final String[] dims;
    private final String[] values;
    private final String key;

    private Slice(String[] dims, String[] values) {
        this.dims = dims;
        this.values = values;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(dims[i]).append('=').append(values[i]);
        }
        this.key = sb.toString();
    }

    /** Builds a slice from parallel arrays of dimension names and values, in any order. */
    public static Slice of(List<String> dims, List<String> values) {
        if (dims.size() != values.size()) {
            throw new IllegalArgumentException("dims and values differ in length");
        }
        Integer[] order = new Integer[dims.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> dims.get(a).compareTo(dims.get(b)));
        String[] d = new String[order.length];
        String[] v = new String[order.length];
        for (int i = 0; i < order.length; i++) {
            d[i] = Objects.requireNonNull(dims.get(order[i]), "dimension");
            v[i] = Objects.requireNonNull(values.get(order[i]), "value of " + d[i]);
            if (i > 0 && d[i].equals(d[i - 1])) {
                throw new IllegalArgumentException("dimension '" + d[i] + "' given twice");
            }
        }
        return d.length == 0 ? ALL : new Slice(d, v);
    }

    /**
     * Builds a slice from dimension names already in ascending order (no copy, no sort: the hot path).
     * The arrays must not be modified afterwards.
     */
    public static Slice ofSorted(String[] dims, String[] values) {
        for (int i = 1; i < dims.length; i++) {
            if (dims[i - 1].compareTo(dims[i]) >= 0) {
                throw new IllegalArgumentException("dimensions not in ascending order: " + Arrays.toString(dims));
            }
        }
        return dims.length == 0 ? ALL : new Slice(dims, values);
    }

    public static Slice of(Map<String, String> dimValues) {
        return of(new ArrayList<>(dimValues.keySet()), new ArrayList<>(dimValues.values()));
    }

    /** Parses the canonical key form {@code a=1,b=2} ("" is the whole service). */
    public static Slice parse(String key) {
        if (key.isEmpty()) {
            return ALL;
        }
        List<String> d = new ArrayList<>();
        List<String> v = new ArrayList<>();
        for (String part : key.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("bad slice key '" + key + "'");
            }
            d.add(part.substring(0, eq));
            v.add(part.substring(eq + 1));
        }
        return of(d, v);
    }

    /** The sub-slice that keeps only the dimensions whose bit is set in {@code mask} (bit i = i-th dim). */
    public Slice project(int mask) {
        int n = Integer.bitCount(mask);
        if (n == dims.length) {
            return this;
        }
        if (n == 0) {
            return ALL;
        }
        String[] d = new String[n];
        String[] v = new String[n];
        int j = 0;
        for (int i = 0; i < dims.length; i++) {
            if ((mask & (1 << i)) != 0) {
                d[j] = dims[i];
                v[j] = values[i];
                j++;
            }
        }
        return new Slice(d, v);
    }

    /** This slice with the value of its {@code i}-th dimension replaced. */
    public Slice withValue(int i, String value) {
        String[] v = values.clone();
        v[i] = Objects.requireNonNull(value, "value of " + dims[i]);
        return new Slice(dims, v);
    }

    public int size() {
        return dims.length;
    }

    public boolean isAll() {
        return dims.length == 0;
    }

    public String dimension(int i) {
        return dims[i];
    }

    public String value(int i) {
        return values[i];
    }

    /** The value of a dimension, or null when the slice does not constrain it. */
    public String get(String dim) {
        for (int i = 0; i < dims.length; i++) {
            if (dims[i].equals(dim)) {
                return values[i];
            }
        }
        return null;
    }

    /** Whether this slice lies inside {@code outer}: it has every dimension of {@code outer}, with the same value. */
    public boolean within(Slice outer) {
        for (int i = 0; i < outer.dims.length; i++) {
            if (!outer.values[i].equals(get(outer.dims[i]))) {
                return false;
            }
        }
        return true;
    }

    /** Dimension to value, in sorted order of dimension. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < dims.length; i++) {
            m.put(dims[i], values[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** Canonical key, {@code dim=value,...} sorted by dimension; "" for the whole service. */
    public String key() {
        return key;
    }

    /** Readable form: "whole service" or "region=eu-west-1, device=mobile". */
    public String describe() {
        return dims.length == 0 ? "whole service" : key.replace(",", ", ");
    }

    @Override
    public int compareTo(Slice o) {
        int c = Integer.compare(dims.length, o.dims.length);
        return c != 0 ? c : key.compareTo(o.key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Slice && ((Slice) o).key.equals(key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return "{" + key + "}";
    }
}
