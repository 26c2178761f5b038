package io.speechslo.diagnosis;

import io.speechslo.gate.Stats;
import io.speechslo.slice.Slice;

import java.text.NumberFormat;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which slices hold a page's bad requests: of the cohorts of one and two slice dimensions, those whose
 * share of the SLO's bad requests most exceeds their share of its traffic, e.g. "region=eu-west-1 holds
 * 91% of the bad requests with 30% of the traffic". The on-call engineer's first question, answered from
 * counts the job already has.
 *
 * <p>A slice is named only when the data support it, so that an outage spread evenly over the service
 * names nothing (no hint is better than an invented one):
 * <ol>
 *   <li>it has at least {@link #MIN_BAD} bad requests, and its bad share exceeds its traffic share by at
 *       least {@link #MIN_EXCESS};
 *   <li>its bad rate is above the rest of the service's by a two-proportion z-test at a family-wise
 *       error of {@link #ALPHA}, Bonferroni-corrected over every slice tested;
 *   <li>it adds something beyond the slices named before it (most excess first): a two-dimension slice
 *       must be worse than the rest of each of its one-dimension parents (else it is just a piece of
 *       them), and a slice must stay worse than the rest of the service once the requests of every
 *       named slice it overlaps are set aside (else its excess is theirs: a device that looks bad only
 *       because most of its traffic is in the failing region).
 * </ol>
 * At most {@link #MAX_SLICES}, most excess first. Deterministic: ties go to the smaller slice key.
 */
public final class SliceAttribution {

    /** Family-wise false-alarm rate of the whole search. */
    public static final double ALPHA = 0.001;
    /** Fewest bad requests a named slice holds. */
    public static final long MIN_BAD = 10;
    /** Least excess (bad share minus traffic share) worth naming. */
    public static final double MIN_EXCESS = 0.05;
    /** Most slices named. */
    public static final int MAX_SLICES = 5;

    private static final DateTimeFormatter HHMM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private SliceAttribution() {}

    /**
     * One named slice.
     *
     * @param bad the slice's bad requests
     * @param total the slice's requests
     * @param badShare its share of all bad requests
     * @param trafficShare its share of all requests
     * @param restRate the bad rate of the rest of the service
     */
    public record Named(Slice slice, long bad, long total, double badShare, double trafficShare, double restRate) {

        /** Bad share minus traffic share. */
        public double excess() {
            return badShare - trafficShare;
        }
    }

    /** The bad and total requests of one slice, as {@code {bad, total}}. */
    private static long[] counts(Map<Slice, long[]> m, Slice s) {
        long[] c = m.get(s);
        return c == null ? new long[2] : c;
    }

    /**
     * The named slices over the requests of {@code fullSlices} (full slice to {@code {bad, total}}),
     * most excess first; empty when nothing passes.
     */
    public static List<Named> attribute(Map<Slice, long[]> fullSlices) {
        long bad = 0;
        long total = 0;
        Map<Slice, long[]> rollups = new HashMap<>();
        for (Map.Entry<Slice, long[]> e : fullSlices.entrySet()) {
            long[] c = e.getValue();
            bad += c[0];
            total += c[1];
            Slice full = e.getKey();
            for (int mask = 1; mask < (1 << full.size()); mask++) {
                if (Integer.bitCount(mask) <= 2) {
                    long[] r = rollups.computeIfAbsent(full.project(mask), k -> new long[2]);
                    r[0] += c[0];
                    r[1] += c[1];
                }
            }
        }
        if (bad < MIN_BAD || total == bad || rollups.isEmpty()) {
            return List.of(); // nothing to tell apart: too few bad requests, or every request bad
        }
        double zCrit = Stats.zForUpperTail(ALPHA / rollups.size());
        List<Named> candidates = new ArrayList<>();
        for (Map.Entry<Slice, long[]> e : new TreeMap<>(rollups).entrySet()) {
            long b = e.getValue()[0];
            long n = e.getValue()[1];
            Named c = new Named(e.getKey(), b, n, (double) b / bad, (double) n / total,
                    n == total ? Double.NaN : (double) (bad - b) / (total - n));
            if (b >= MIN_BAD && c.excess() >= MIN_EXCESS && worse(b, n, bad - b, total - n, zCrit)) {
                candidates.add(c);
            }
        }
        candidates.sort(Comparator.comparingDouble((Named c) -> -c.excess()).thenComparing(Named::slice));
        List<Named> named = new ArrayList<>();
        for (Named c : candidates) {
            if (named.size() == MAX_SLICES) {
                break;
            }
            if (addsSomething(c, rollups, named, bad, total, zCrit)) {
                named.add(c);
            }
        }
        return named;
    }

    /** Whether the first group's bad rate is above the second's, significantly at {@code zCrit}. */
    private static boolean worse(long bad1, long n1, long bad2, long n2, double zCrit) {
        if (n1 <= 0 || n2 <= 0 || bad1 <= 0) {
            return false; // nothing to compare with: no claim
        }
        return (double) bad1 / n1 > (double) bad2 / n2 && Stats.proportionZ(bad1, n1, bad2, n2) >= zCrit;
    }

    private static boolean addsSomething(Named c, Map<Slice, long[]> rollups, List<Named> named, long bad, long total,
            double zCrit) {
        Slice s = c.slice();
        if (s.size() == 2) {
            for (int i = 0; i < 2; i++) {
                long[] parent = counts(rollups, s.project(1 << i));
                if (!worse(c.bad(), c.total(), parent[0] - c.bad(), parent[1] - c.total(), zCrit)) {
                    return false; // no worse than the rest of its parent: the parent is the story
                }
            }
        }
        for (Named n : named) {
            Slice t = n.slice();
            if (within(t, s)) {
                // a named slice inside this one: what is left of this one must still be worse than the rest
                if (!worse(c.bad() - n.bad(), c.total() - n.total(), bad - c.bad(), total - c.total(), zCrit)) {
                    return false;
                }
            } else if (s.size() == 1 && t.size() == 1 && !s.dimension(0).equals(t.dimension(0))) {
                // two dimensions: this slice outside the named one, against the traffic outside both
                long[] both = counts(rollups, Slice.of(Map.of(s.dimension(0), s.value(0), t.dimension(0), t.value(0))));
                long b1 = c.bad() - both[0];
                long n1 = c.total() - both[1];
                long b2 = bad - c.bad() - n.bad() + both[0];
                long n2 = total - c.total() - n.total() + both[1];
                if (!worse(b1, n1, b2, n2, zCrit)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether {@code inner} constrains every dimension {@code outer} does, to the same value (and more). */
    private static boolean within(Slice inner, Slice outer) {
        if (inner.size() <= outer.size()) {
            return false;
        }
        for (int i = 0; i < outer.size(); i++) {
            if (!outer.value(i).equals(inner.get(outer.dimension(i)))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The hints of a page: driver {@code slice}, one per named slice.
     *
     * @param spanStart start of the panes attributed over, event-time millis
     * @param spanEnd their end
     */
    public static Hints hints(List<Named> named, long spanStart, long spanEnd) {
        Hints h = new Hints();
        for (Named n : named) {
            h.add(Driver.SLICE, evidence(n, spanStart, spanEnd), "bad_request_share{" + n.slice().key() + "}",
                    n.badShare(), n.trafficShare(), n.excess());
        }
        return h;
    }

    /**
     * "region=eu-west-1 holds 91% of the bad requests with 30% of the traffic (1,234 of its 40,000 requests
     * bad, 0.05% elsewhere; 14:00-14:58 UTC)"; "none elsewhere" when the rest of the service had no bad request.
     */
    public static String evidence(Named n, long spanStart, long spanEnd) {
        NumberFormat counts = NumberFormat.getIntegerInstance(Locale.ROOT);
        counts.setGroupingUsed(true);
        return label(n.slice()) + " holds " + percent(n.badShare()) + " of the bad requests with "
                + percent(n.trafficShare()) + " of the traffic (" + counts.format(n.bad()) + " of its "
                + counts.format(n.total()) + " requests bad, " + rate(n.restRate()) + " elsewhere; "
                + HHMM.format(Instant.ofEpochMilli(spanStart)) + "-" + HHMM.format(Instant.ofEpochMilli(spanEnd))
                + " UTC)";
    }

    /** The sentence the page's summary gains: the first slice named, and how many more. */
    public static String summary(List<Named> named) {
        if (named.isEmpty()) {
            return "";
        }
        Named n = named.get(0);
        return " Bad requests concentrate in " + label(n.slice()) + " (" + percent(n.badShare()) + " of them, "
                + percent(n.trafficShare()) + " of the traffic)"
                + (named.size() > 1 ? "; " + (named.size() - 1) + " more slice" + (named.size() > 2 ? "s" : "")
                        + " in the hints." : ".");
    }

    /** "region=eu-west-1" or "device=mobile, region=eu-west-1". */
    static String label(Slice s) {
        return s.key().replace(",", ", ");
    }

    static String percent(double share) {
        double p = share * 100;
        return (p >= 10 || p == 0 ? String.format(Locale.ROOT, "%.0f", p) : String.format(Locale.ROOT, "%.1f", p)) + "%";
    }

    private static String rate(double r) {
        if (Double.isNaN(r) || r == 0) {
            return "none";
        }
        double p = r * 100;
        return (p >= 1 ? String.format(Locale.ROOT, "%.1f", p) : String.format(Locale.ROOT, "%.2f", p)) + "%";
    }
}
