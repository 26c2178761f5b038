package io.speechslo.metrics;

import io.speechslo.bytes.Varints;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Where one cohort's latency went, so a latency finding of the gate can say which part moved: queue,
 * preprocessing and model time, the latency metrics' own per-request values, (ASR) the first partial
 * against the rest of the way to the final result, and (ASR) the batch a request shared. Every part is
 * over the requests that report it (a request without {@code queue_ms} adds nothing to the queue), as a
 * count and exact sums of the values and their squares, so a mean and its spread are the same however
 * the requests were split and merged (a Welch test on two cohorts' means needs nothing else); queue,
 * preprocessing and model time also keep a sketch, for their p95. Kept inside {@link MetricSet} because
 * the gate holds its per-arm, per-slice data there: slices and panes roll up with the metrics.
 */
public final class LatencyComponents {

    /** The parts, each over the requests that report it. */
    public enum Part {
        QUEUE("queue_ms", true),
        PREPROCESS("preprocess_ms", true),
        MODEL("model_ms", true),
        FIRST_PARTIAL("first_partial_ms", false),
        FINALIZATION("finalization_ms", false),
        FIRST_AUDIO("first_audio_ms", false),
        /** ASR requests with both a first partial and a final result: their first partial. */
        PARTIAL_OF_BOTH("first_partial_ms", false),
        /** The same requests: final result minus first partial. */
        FINAL_AFTER_PARTIAL("finalization_minus_first_partial_ms", false),
        BATCH("batch_size", false);

        private final String field;
        private final boolean sketched;

        Part(String field, boolean sketched) {
            this.field = field;
            this.sketched = sketched;
        }

        /** The request field (or difference of fields) the part is read from. */
        public String field() {
            return field;
        }

        /** Whether the part keeps a sketch (its p95); the others keep counts and sums only. */
        public boolean sketched() {
            return sketched;
        }
    }

    private static final Part[] PARTS = Part.values();
    /** Sums per part: the values, then their squares. */
    private static final int SUMS_PER_PART = 2;

    /** The largest value whose square a long holds. */
    private static final long LARGEST_EXACT_SQUARE_ROOT = 3_037_000_499L;

    private final long[] counts = new long[PARTS.length];
    private final ExactSums sums = new ExactSums(PARTS.length * SUMS_PER_PART);
    /** By part ordinal, null for a part without a sketch. */
    private final QuantileSketch[] sketches = new QuantileSketch[PARTS.length];

    public LatencyComponents() {
        this(true);
    }

    private LatencyComponents(boolean sketched) {
        for (Part p : PARTS) {
            if (sketched && p.sketched) {
                sketches[p.ordinal()] = new QuantileSketch();
            }
        }
    }

    /**
     * Counts and exact sums only, no sketch (every {@link #quantile} is NaN): what page attribution keeps
     * per pane and version, where means and their spread are all the decomposition needs and a sketch per
     * pane would multiply the state. Merging a sketched instance in adds its counts and sums.
     */
    public static LatencyComponents sumsOnly() {
        return new LatencyComponents(false);
    }

    /** Adds one request's value of a part; null (not reported) adds nothing. */
    void add(Part part, Long value) {
        if (value == null) {
            return;
        }
        long v = value;
        int i = part.ordinal();
        counts[i]++;
        sums.add(i * SUMS_PER_PART, v);
        // a square that a long cannot hold (a schema-valid 10^18 ms) goes in as a double: never wrapped
        sums.add(i * SUMS_PER_PART + 1, v <= LARGEST_EXACT_SQUARE_ROOT ? v * v : (double) v * v);
        if (sketches[i] != null) {
            sketches[i].add(v);
        }
    }

    /** Adds the first partial and final result of an ASR request (each may be null). */
    void addAsr(Long firstPartial, Long finalization) {
        add(Part.FIRST_PARTIAL, firstPartial);
        add(Part.FINALIZATION, finalization);
        if (firstPartial != null && finalization != null) {
            add(Part.PARTIAL_OF_BOTH, firstPartial);
            add(Part.FINAL_AFTER_PARTIAL, finalization - firstPartial);
        }
    }

    /** Adds another cohort's parts; a sums-only instance cannot go into a sketched one (its sketches would miss values). */
    public void merge(LatencyComponents o) {
        for (int i = 0; i < counts.length; i++) {
            if (sketches[i] != null && o.sketches[i] == null && o.counts[i] > 0) {
                throw new IllegalArgumentException("a sums-only cohort cannot merge into a sketched one");
            }
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += o.counts[i];
            if (sketches[i] != null && o.sketches[i] != null) {
                sketches[i].merge(o.sketches[i]);
            }
        }
        sums.add(o.sums);
    }

    /** Requests that reported the part. */
    public long count(Part part) {
        return counts[part.ordinal()];
    }

    /** Exact sum of the part's values, rounded once. */
    public double sum(Part part) {
        return sums.value(part.ordinal() * SUMS_PER_PART);
    }

    /** Mean of the part over the requests that reported it, NaN when none did. */
    public double mean(Part part) {
        long n = count(part);
        return n == 0 ? Double.NaN : sum(part) / n;
    }

    /** Sample variance of the part's values (n - 1 in the denominator), 0 below two requests. */
    public double variance(Part part) {
        long n = count(part);
        if (n < 2) {
            return 0;
        }
        double s = sum(part);
        double ss = sums.value(part.ordinal() * SUMS_PER_PART + 1);
        return Math.max(0, (ss - s * s / n) / (n - 1));
    }

    /**
     * The sketch of a sketched part (its values, ms), null for another: a slice pane's request stats
     * share it instead of sketching the same values a second time.
     */
    public QuantileSketch sketch(Part part) {
        return sketches[part.ordinal()];
    }

    /** The part's quantile {@code q}, NaN for a part without a sketch or without requests. */
    public double quantile(Part part, double q) {
        QuantileSketch s = sketches[part.ordinal()];
        return s == null || s.isEmpty() ? Double.NaN : s.quantile(q);
    }

    /**
     * Compact form: per part in declaration order its count and, when not 0, its two exact sums and
     * (for a sketched part of a sketched instance) its sketch. A sums-only instance reads what a sums-only
     * instance wrote.
     */
    public void writeTo(DataOutput out) throws IOException {
        for (int i = 0; i < PARTS.length; i++) {
            Varints.writeUnsigned(out, counts[i]);
            if (counts[i] > 0) {
                sums.writeTo(i * SUMS_PER_PART, out);
                sums.writeTo(i * SUMS_PER_PART + 1, out);
                if (sketches[i] != null) {
                    sketches[i].writeTo(out);
                }
            }
        }
    }

    /** Reads what {@link #writeTo} wrote (from an instance with sketches or without, as this one) into this empty one. */
    public void readFrom(DataInput in) throws IOException {
        for (int i = 0; i < PARTS.length; i++) {
            counts[i] = Varints.readUnsigned(in);
            if (counts[i] > 0) {
                sums.readFrom(i * SUMS_PER_PART, in);
                sums.readFrom(i * SUMS_PER_PART + 1, in);
                if (sketches[i] != null) {
                    sketches[i].readFrom(in);
                }
            }
        }
    }
}
