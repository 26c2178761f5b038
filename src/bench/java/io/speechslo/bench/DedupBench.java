package io.speechslo.bench;

import io.speechslo.aggregate.SeenRequests;
import io.speechslo.cli.Args;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What it costs to recognise a request delivered twice (same {@code request_id}) within one pane, per
 * request, for three ways of holding the ids of a pane: the ids themselves (a set of strings, what
 * keyed state of request ids per minute holds, exact), their 64-bit hashes ({@link SeenRequests},
 * what the job uses to count suspected duplicates; a false match about n^2 / 2^65), and a Bloom filter
 * (1% false matches). For each: CPU per request (best of {@code --rounds} passes over {@code --ids}
 * UUID request ids, 1% of them repeated), heap retained per request after a full GC, and the bytes per
 * request a checkpoint of it would hold. Plain loops, no cluster: the figures are what each way adds to
 * a request on top of the job's own cost per request (about 5 us of CPU in the live benchmark).
 */
final class DedupBench {

    static final String NAME = "dedup";

    private DedupBench() {}

    /** One way of remembering the ids of a pane. */
    private interface Ids {
        /** True if {@code id} was seen before (records it either way). */
        boolean seen(String id);
    }

    static void run(List<String> argv, String label) throws Exception {
        Args args = Args.parse(NAME, argv, Set.of("ids", "rounds", "label"), Set.of());
        int n = (int) args.longValue(NAME, "ids", 1_000_000);
        int rounds = (int) args.longValue(NAME, "rounds", 5);
        Results results = new Results(NAME, argv, label);
        results.parameter("ids_per_pane", n).parameter("repeated_share", 0.01).parameter("rounds", rounds);
        // the ids as the decoder hands them over: one String per request, 1% of them a second delivery
        String[] ids = new String[n];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < n; i++) {
            ids[i] = i > 0 && r.nextInt(100) == 0 ? new String(ids[r.nextInt(i)]) : new UUID(r.nextLong(), r.nextLong()).toString();
        }
        measure(results, "exact_string_set", ids, rounds, () -> {
            Set<String> set = new HashSet<>();
            return id -> !set.add(id);
        }, 2 + 36 + 1); // keyed MapState<String, Boolean>: the id's varint length and UTF-8, the value byte
        measure(results, "hash_set_64bit", ids, rounds, () -> {
            SeenRequests seen = new SeenRequests(Long.MAX_VALUE);
            return id -> seen.seen(60_000, id);
        }, 8);
        measure(results, "bloom_1pct", ids, rounds, () -> {
            Bloom b = new Bloom(n, 0.01);
            return b::seen;
        }, Bloom.bitsPerId(0.01) / 8);
        results.write();
    }

    private static void measure(Results results, String name, String[] ids, int rounds, Supplier<Ids> make,
            double stateBytes) {
        long best = Long.MAX_VALUE;
        long found = 0;
        for (int round = 0; round < rounds; round++) {
            Ids set = make.get();
            long t = System.nanoTime();
            long dup = 0;
            for (String id : ids) {
                if (set.seen(id)) {
                    dup++;
                }
            }
            best = Math.min(best, System.nanoTime() - t);
            found = dup;
        }
        // retained heap: the ids copied, bytes and all (an exact set keeps its strings alive, while the
        // decoded record's would go; new String(String) would share the bytes and hide half of it)
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        List<Object> keep = new ArrayList<>();
        long before = usedAfterGc(mem);
        Ids set = make.get();
        for (String id : ids) {
            set.seen(new String(id.toCharArray()));
        }
        keep.add(set);
        long after = usedAfterGc(mem);
        java.util.Map<String, Object> f = new java.util.LinkedHashMap<>();
        f.put("ns_per_request", (double) best / ids.length);
        f.put("heap_bytes_per_request", (double) (after - before) / ids.length);
        f.put("state_bytes_per_request", stateBytes);
        f.put("repeats_found", found);
        results.figure(name, f);
        keep.clear();
    }

    private static long usedAfterGc(MemoryMXBean mem) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return mem.getHeapMemoryUsage().getUsed();
    }

    /** A plain Bloom filter over the ids' 64-bit hashes (two halves, Kirsch-Mitzenmacher). */
    private static final class Bloom {
        final long[] bits;
        final int k;
        final long m;

        static double bitsPerId(double p) {
            return -Math.log(p) / (Math.log(2) * Math.log(2));
        }

        Bloom(int n, double p) {
            m = (long) Math.ceil(n * bitsPerId(p));
            k = (int) Math.round(bitsPerId(p) * Math.log(2));
            bits = new long[(int) ((m + 63) / 64)];
        }

        boolean seen(String id) {
            long h = hash(id);
            int h1 = (int) h;
            int h2 = (int) (h >>> 32);
            boolean all = true;
            for (int i = 0; i < k; i++) {
                long bit = Math.floorMod(h1 + (long) i * h2, m);
                long mask = 1L << bit;
                int w = (int) (bit >>> 6);
                if ((bits[w] & mask) == 0) {
                    all = false;
                    bits[w] |= mask;
                }
            }
            return all;
        }

        /** The same hash as SeenRequests (FNV-1a, then MurmurHash3's finalizer). */
        static long hash(String s) {
            return SeenRequests.hash(s);
        }
    }
}
