package io.speechslo.aggregate;

import java.util.Map;
import java.util.TreeMap;

/**
 * The request ids seen per event-time pane, as 64-bit hashes in open-addressing sets: one of the ways
 * to hold a pane's ids that the dedup benchmark measures (the job holds none: README, duplicates). It
 * would count suspected duplicates: a producer that retries (or an application that resends) delivers one request
 * twice with the same {@code request_id} and event time, so in the same pane. Only a count, never a
 * drop: it sees the requests of one source subtask, holds nothing in state (a restart forgets it), and
 * two ids share a hash with probability about n^2 / 2^65 (10^-7 at a million ids in a pane). Memory is
 * bounded: at most {@code maxIds} hashes (16 to 32 bytes each: the sets stay between a quarter and half full) are held, the oldest panes
 * go first, and panes are forgotten once the watermark has closed them. Not thread-safe.
 */
public final class SeenRequests {

    private final long maxIds;
    private final TreeMap<Long, LongSet> byPane = new TreeMap<>();
    private long held;
    private long lastPane = Long.MIN_VALUE;
    private LongSet last;

    /** @param maxIds the most hashes held at once, over all panes */
    public SeenRequests(long maxIds) {
        if (maxIds < 1) {
            throw new IllegalArgumentException("maxIds must be >= 1");
        }
        this.maxIds = maxIds;
    }

    /** Records {@code requestId} in the pane ending at {@code paneEnd}; true if it was seen there before. */
    public boolean seen(long paneEnd, String requestId) {
        LongSet set;
        if (paneEnd == lastPane) {
            set = last;
        } else {
            set = byPane.computeIfAbsent(paneEnd, p -> new LongSet());
            lastPane = paneEnd;
            last = set;
        }
        if (!set.add(hash(requestId))) {
            return true;
        }
        if (++held > maxIds) {
            Map.Entry<Long, LongSet> oldest = byPane.pollFirstEntry();
            held -= oldest.getValue().size;
            if (oldest.getKey() == lastPane) {
                lastPane = Long.MIN_VALUE;
                last = null;
            }
        }
        return false;
    }

    /** Forgets the panes ending at or before {@code paneEnd}. */
    public void forgetUpTo(long paneEnd) {
        while (!byPane.isEmpty() && byPane.firstKey() <= paneEnd) {
            held -= byPane.pollFirstEntry().getValue().size;
        }
        if (lastPane <= paneEnd) {
            lastPane = Long.MIN_VALUE;
            last = null;
        }
    }

    /** Hashes held. */
    public long size() {
        return held;
    }

    /** FNV-1a over the UTF-16 characters, then MurmurHash3's 64-bit finalizer; never 0 (the empty slot). */
    public static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }

    /** Open addressing, linear probing, at most half full. */
    private static final class LongSet {
        long[] slots = new long[64];
        int size;

        boolean add(long h) {
            int mask = slots.length - 1;
            int i = (int) (h ^ (h >>> 32)) & mask;
            while (slots[i] != 0) {
                if (slots[i] == h) {
                    return false;
                }
                i = (i + 1) & mask;
            }
            slots[i] = h;
            if (++size * 2 > slots.length) {
                grow();
            }
            return true;
        }

        private void grow() {
            long[] old = slots;
            slots = new long[old.length * 2];
            int mask = slots.length - 1;
            for (long h : old) {
                if (h != 0) {
                    int i = (int) (h ^ (h >>> 32)) & mask;
                    while (slots[i] != 0) {
                        i = (i + 1) & mask;
                    }
                    slots[i] = h;
                }
            }
        }
    }
}
