package io.speechslo.bytes;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns short UTF-8 byte runs into Strings through a direct-mapped cache: slice values, services and
 * model versions repeat in nearly every telemetry record, so they come back as the same String
 * instance, with no allocation, and with its hash already computed for the maps downstream. Values
 * seen once (request ids short enough to be cached) must not push those out: a slot's value is
 * replaced only if it was not used since the slot last missed (one bit per slot, as a CLOCK cache
 * does), so a value that repeats keeps its slot and a one-off only ever takes a slot nobody uses. Not
 * thread-safe: one per decoding thread.
 */
public final class Utf8Interner {

    /** Longer strings are made afresh: ids and free text would only churn the cache. */
    public static final int MAX_BYTES = 32;
    private static final int SLOTS = 4096; // a power of two

    private final byte[][] bytes = new byte[SLOTS][];
    private final String[] strings = new String[SLOTS];
    /** Whether the slot's value was used since the slot last missed. */
    private final boolean[] used = new boolean[SLOTS];

    /** The String of {@code length} UTF-8 bytes of {@code buf} from {@code offset}. */
    public String string(byte[] buf, int offset, int length) {
        if (length > MAX_BYTES) {
            return new String(buf, offset, length, StandardCharsets.UTF_8);
        }
        int h = length;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + buf[i];
        }
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        byte[] known = bytes[slot];
        if (known != null && sameBytes(known, buf, offset, length)) {
            used[slot] = true;
            return strings[slot];
        }
        String s = new String(buf, offset, length, StandardCharsets.UTF_8);
        if (used[slot]) {
            used[slot] = false; // a second chance: replaced at the next miss unless used again by then
        } else {
            bytes[slot] = Arrays.copyOfRange(buf, offset, offset + length);
            strings[slot] = s;
        }
        return s;
    }

    /**
     * Whether {@code known} is the {@code length} bytes of {@code buf} from {@code offset}. A plain loop:
     * for the few bytes of a slice value, {@code Arrays.equals}' vectorized mismatch costs more to set up
     * than it saves (it led the source task's profile).
     */
    private static boolean sameBytes(byte[] known, byte[] buf, int offset, int length) {
        if (known.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (known[i] != buf[offset + i]) {
                return false;
            }
        }
        return true;
    }
}
