package io.speechslo.bytes;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns short UTF-8 byte runs into Strings through a direct-mapped cache: slice values, services and
 * model versions repeat in nearly every telemetry record, so they come back as the same String
 * instance, with no allocation, and with its hash already computed for the maps downstream. Values
 * seen once (request ids short enough to be cached) must not push those out: a slot's value is
 * replaced only if it was not used since the slot last missed (one bit per slot, as a CLOCK cache
 * does), so a value that repeats keeps its slot and a one-off only ever takes a slot nobody uses.
 *
 * <p>A value is read as up to four little-endian 8-byte words (the bytes past its end are zero), which
 * are hashed and compared word by word: one or two words for a slice value, where a byte loop's
 * multiply chain and compares led the source task's profile. Not thread-safe: one per decoding thread.
 */
public final class Utf8Interner {

    /** Longer strings are made afresh: ids and free text would only churn the cache. */
    public static final int MAX_BYTES = 32;
    private static final int WORDS = MAX_BYTES / Long.BYTES;
    private static final int SLOT_BITS = 12;
    private static final int SLOTS = 1 << SLOT_BITS;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The words of each slot's value, {@link #WORDS} per slot. */
    private final long[] words = new long[SLOTS * WORDS];
    /** Each slot's value length in bytes, -1 when the slot is empty. */
    private final int[] lengths = new int[SLOTS];
    private final String[] strings = new String[SLOTS];
    /** Whether the slot's value was used since the slot last missed. */
    private final boolean[] used = new boolean[SLOTS];
    /** The words of the value being looked up. */
    private final long[] probe = new long[WORDS];

    public Utf8Interner() {
        Arrays.fill(lengths, -1);
    }

    /** The String of {@code length} UTF-8 bytes of {@code buf} from {@code offset}. */
    public String string(byte[] buf, int offset, int length) {
        if (length > MAX_BYTES) {
            return new String(buf, offset, length, StandardCharsets.UTF_8);
        }
        int n = (length + Long.BYTES - 1) / Long.BYTES;
        long h = length;
        for (int i = 0; i < n; i++) {
            long w = word(buf, offset + i * Long.BYTES, Math.min(Long.BYTES, length - i * Long.BYTES));
            probe[i] = w;
            h = (h ^ w) * 0x9E3779B97F4A7C15L;
        }
        int slot = (int) (h >>> (Long.SIZE - SLOT_BITS));
        if (lengths[slot] == length && sameWords(slot, n)) {
            used[slot] = true;
            return strings[slot];
        }
        String s = new String(buf, offset, length, StandardCharsets.UTF_8);
        if (used[slot]) {
            used[slot] = false; // a second chance: replaced at the next miss unless used again by then
        } else {
            System.arraycopy(probe, 0, words, slot * WORDS, n);
            lengths[slot] = length;
            strings[slot] = s;
        }
        return s;
    }

    private boolean sameWords(int slot, int n) {
        int base = slot * WORDS;
        for (int i = 0; i < n; i++) {
            if (words[base + i] != probe[i]) {
                return false;
            }
        }
        return true;
    }

    /** The {@code count} (1..8) bytes of {@code buf} from {@code at} as a little-endian word, zero above them. */
    private static long word(byte[] buf, int at, int count) {
        if (at + Long.BYTES <= buf.length) {
            long w = (long) LONGS.get(buf, at);
            return count == Long.BYTES ? w : w & ((1L << (count * Byte.SIZE)) - 1);
        }
        long w = 0;
        for (int i = count - 1; i >= 0; i--) {
            w = (w << Byte.SIZE) | (buf[at + i] & 0xFFL);
        }
        return w;
    }
}
