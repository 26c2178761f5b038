package io.speechslo.metrics;

import io.speechslo.bytes.Varints;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * A fixed number of sums of doubles, each exact, so its {@link #value(int)} (the exact sum, rounded
 * once) does not depend on the order of additions and merges: parallel pipelines add in whatever order
 * records arrive, and plain {@code +=} would make results (and advisory ids) differ in the last bits
 * from run to run.
 *
 * <p>Each sum is a 192-bit two's complement fixed-point number with 96 fraction bits, three
 * consecutive longs of one array: every double from 2^-44 up to 2^61 (and any smaller one with no set
 * bit below 2^-96) is held exactly, and an addition or a merge is a few integer additions with carries,
 * on memory that lies together. A value it cannot hold (a set bit below 2^-96, 2^61 or larger, or a
 * sum that would reach 2^93) spills into non-overlapping partials
 * (Shewchuk; Python's math.fsum) kept apart for that sum; the exact sum is the fixed part plus the
 * spill. Telemetry never spills in practice (costs, durations, counts and their squares), but a sum
 * stays exact whatever it is given.
 */
public final class ExactSums {

    private static final int WORDS = 3;
    private static final int FRACTION_BITS = 96;
    /** How far a value's 53-bit mantissa may be shifted up: values stay under 2^61. */
    private static final int MAX_SHIFT = FRACTION_BITS + 61 - 53;
    /** The top word of a sum stays within +-2^61 (the sum within +-2^93), so no addition can wrap. */
    private static final long TOP_LIMIT = 1L << 61;

    private final long[] words;
    /** Partials per sum of what the fixed part could not hold; null until something spills. */
    private Spill[] spill;
    /**
     * Whole numbers added since the sums were last settled, per sum, as plain longs: a request adds
     * five whole numbers per ratio metric, and a long addition is far cheaper than a carry through three
     * words. Moved into the fixed part before anything reads or merges a sum (and when a long would
     * overflow). Null until a whole number is first added, so a sum that only merges never has it.
     */
    private long[] pending;
    private boolean unsettled;

    public ExactSums(int sums) {
        this.words = new long[sums * WORDS];
    }

    /** How many sums this holds. */
    public int size() {
        return words.length / WORDS;
    }

    /** Adds {@code x} to sum {@code i}. */
    public void add(int i, double x) {
        if (!addFixed(i * WORDS, x)) {
            spill(i).add(x);
        }
    }

    /** Adds the whole number {@code v} to sum {@code i}: counts and their squares, the common case. */
    public void add(int i, long v) {
        if (v == 0) {
            return; // most indicator metrics add 0 for nearly every request
        }
        long[] p = pending;
        if (p == null) {
            p = pending = new long[size()];
        }
        long was = p[i];
        long sum = was + v;
        if (((was ^ sum) & (v ^ sum)) < 0) { // the long would overflow: settle what it held first
            addWhole(i, was);
            sum = v;
        }
        p[i] = sum;
        unsettled = true;
    }

    /** Moves every pending whole number into the fixed part (or the spill). */
    private void settle() {
        if (!unsettled) {
            return;
        }
        unsettled = false;
        long[] p = pending;
        for (int i = 0; i < p.length; i++) {
            if (p[i] != 0) {
                addWhole(i, p[i]);
                p[i] = 0;
            }
        }
    }

    /** Adds the whole number {@code v} to the fixed part of sum {@code i}, or to its spill. */
    private void addWhole(int i, long v) {
        // v * 2^96: its low 32 bits at the top of the middle word, the rest (sign-extended) in the top word
        if (!addWords(i * WORDS, 0, v << 32, v >> 32, 0)) {
            spill(i).add((double) (v >> 32 << 32)); // each half is an exact double
            spill(i).add((double) (v & 0xffff_ffffL));
        }
    }

    /** Adds every sum of {@code o} (of the same size) to the same sum here. */
    public void add(ExactSums o) {
        add(o, 0, size());
    }

    /** Adds sums {@code from} (inclusive) to {@code to} (exclusive) of {@code o} (of the same size) to the same sums here. */
    public void add(ExactSums o, int from, int to) {
        settle();
        if (o == this) {
            o = copy(); // doubling: read what was there, not what is being written
        }
        o.settle();
        long[] v = o.words;
        if (v.length != words.length) {
            throw new IllegalArgumentException("cannot add " + o.size() + " sums to " + size());
        }
        for (int at = from * WORDS; at < to * WORDS; at += WORDS) {
            long y0 = v[at];
            long y1 = v[at + 1];
            long y2 = v[at + 2];
            if ((y0 | y1 | y2) != 0 && !addWords(at, y0, y1, y2, 0)) {
                // would outgrow the fixed part: the other sum's fixed part goes to the spill, exactly
                addPieces(spill(at / WORDS), y0, y1, y2);
            }
        }
        if (o.spill != null) {
            for (int i = from; i < to; i++) {
                Spill s = o.spill[i];
                if (s != null) {
                    for (int j = 0; j < s.size; j++) {
                        spill(i).add(s.partials[j]);
                    }
                }
            }
        }
    }

    /**
     * Adds sum {@code from} of this to sum {@code into} of {@code target} (of any size), exactly: how a
     * caller gathers single sums of several holders into sums of its own, e.g. a pane's confidence sum
     * into the release gate's per-slice sums.
     */
    public void addTo(int from, ExactSums target, int into) {
        if (target == this) {
            throw new IllegalArgumentException("cannot add a sum into the sums it is read from");
        }
        settle();
        target.settle();
        int at = from * WORDS;
        long y0 = words[at];
        long y1 = words[at + 1];
        long y2 = words[at + 2];
        if ((y0 | y1 | y2) != 0 && !target.addWords(into * WORDS, y0, y1, y2, 0)) {
            addPieces(target.spill(into), y0, y1, y2);
        }
        Spill s = spill == null ? null : spill[from];
        if (s != null) {
            for (int j = 0; j < s.size; j++) {
                target.spill(into).add(s.partials[j]);
            }
        }
    }

    /** A copy of the sums; {@link #add(ExactSums, int, int)}, its one caller, settled them first. */
    private ExactSums copy() {
        ExactSums c = new ExactSums(size());
        System.arraycopy(words, 0, c.words, 0, words.length);
        if (spill != null) {
            for (int i = 0; i < spill.length; i++) {
                if (spill[i] != null) {
                    Spill s = c.spill(i);
                    s.partials = spill[i].partials.clone();
                    s.size = spill[i].size;
                }
            }
        }
        return c;
    }

    public void clear() {
        Arrays.fill(words, 0);
        spill = null;
        if (unsettled) {
            Arrays.fill(pending, 0);
            unsettled = false;
        }
    }

    /** The exact sum {@code i}, correctly rounded (round half to even). */
    public double value(int i) {
        settle();
        int at = i * WORDS;
        Spill s = spill == null ? null : spill[i];
        if (s == null || s.size == 0) {
            return round(words[at], words[at + 1], words[at + 2]);
        }
        Spill all = new Spill();
        for (int j = 0; j < s.size; j++) {
            all.add(s.partials[j]);
        }
        addPieces(all, words[at], words[at + 1], words[at + 2]);
        return all.round();
    }

    /**
     * Adds {@code x} exactly to the fixed part at {@code at}, or returns false (and changes nothing)
     * when it cannot be held there.
     */
    private boolean addFixed(int at, double x) {
        long bits = Double.doubleToRawLongBits(x);
        int exp = (int) (bits >>> 52) & 0x7ff;
        long mant = bits & 0xf_ffff_ffff_ffffL;
        if (exp == 0x7ff) {
            return false; // infinite or NaN: the spill makes the sum say so
        }
        if (exp == 0) {
            if (mant == 0) {
                return true; // +0 or -0
            }
            exp = 1; // subnormal
        } else {
            mant |= 1L << 52;
        }
        // |x| = mant * 2^(exp - 1075); in units of 2^-96: mant * 2^shift
        int shift = exp - 1075 + FRACTION_BITS;
        if (shift < 0) {
            if (shift < -52 || Long.numberOfTrailingZeros(mant) < -shift) {
                return false; // a set bit below 2^-96
            }
            mant >>>= -shift;
            shift = 0;
        } else if (shift > MAX_SHIFT) {
            return false;
        }
        long a0;
        long a1;
        long a2;
        if (shift < 64) {
            a0 = mant << shift;
            a1 = shift == 0 ? 0 : mant >>> (64 - shift);
            a2 = 0;
        } else {
            a0 = 0;
            a1 = mant << (shift - 64);
            a2 = shift == 64 ? 0 : mant >>> (128 - shift);
        }
        // a negative value adds its two's complement: every bit flipped, plus one
        return bits >= 0 ? addWords(at, a0, a1, a2, 0) : addWords(at, ~a0, ~a1, ~a2, 1);
    }

    /**
     * Adds the 192-bit two's complement number (a0, a1, a2), plus {@code carry} (0 or 1), to the sum at
     * {@code at}; returns false, and changes nothing, when the sum would leave the fixed range.
     */
    private boolean addWords(int at, long a0, long a1, long a2, long carry) {
        long[] w = words;
        long x0 = w[at];
        long x1 = w[at + 1];
        long r0 = x0 + a0 + carry;
        long c = ((x0 & a0) | ((x0 | a0) & ~r0)) >>> 63;
        long r1 = x1 + a1 + c;
        c = ((x1 & a1) | ((x1 | a1) & ~r1)) >>> 63;
        long r2 = w[at + 2] + a2 + c; // both within +-2^61 and a carry: cannot wrap
        if (r2 >= TOP_LIMIT || r2 < -TOP_LIMIT) {
            return false;
        }
        w[at] = r0;
        w[at + 1] = r1;
        w[at + 2] = r2;
        return true;
    }

    /** The magnitude of a 192-bit two's complement value, as its three words. */
    private static long[] magnitude(long w0, long w1, long w2) {
        if (w2 >= 0) {
            return new long[] {w0, w1, w2};
        }
        long m0 = ~w0 + 1;
        long c = m0 == 0 ? 1 : 0;
        long m1 = ~w1 + c;
        c = c == 1 && m1 == 0 ? 1 : 0;
        return new long[] {m0, m1, ~w2 + c};
    }

    /** The 192-bit fixed-point value, correctly rounded to a double. */
    private static double round(long w0, long w1, long w2) {
        boolean negative = w2 < 0;
        if (negative) { // the magnitude, as magnitude() gives it, without an array per read
            long m0 = ~w0 + 1;
            long c = m0 == 0 ? 1 : 0;
            long m1 = ~w1 + c;
            c = c == 1 && m1 == 0 ? 1 : 0;
            w0 = m0;
            w1 = m1;
            w2 = ~w2 + c;
        }
        long top; // the 64 bits from the highest set one down
        boolean sticky; // any set bit below those 64
        int high; // the position of the highest set bit
        if (w2 != 0) {
            int lz = Long.numberOfLeadingZeros(w2);
            top = lz == 0 ? w2 : (w2 << lz) | (w1 >>> (64 - lz));
            sticky = (lz == 0 ? w1 : w1 << lz) != 0 || w0 != 0;
            high = 191 - lz;
        } else if (w1 != 0) {
            int lz = Long.numberOfLeadingZeros(w1);
            top = lz == 0 ? w1 : (w1 << lz) | (w0 >>> (64 - lz));
            sticky = (lz == 0 ? w0 : w0 << lz) != 0;
            high = 127 - lz;
        } else if (w0 != 0) {
            int lz = Long.numberOfLeadingZeros(w0);
            top = w0 << lz;
            sticky = false;
            high = 63 - lz;
        } else {
            return 0;
        }
        long mant = top >>> 11; // 53 bits
        long rest = top & 0x7ff;
        if (rest > 0x400 || (rest == 0x400 && (sticky || (mant & 1) != 0))) {
            mant++;
            if (mant == 1L << 53) {
                mant >>>= 1;
                high++;
            }
        }
        double d = Math.scalb((double) mant, high - 52 - FRACTION_BITS);
        return negative ? -d : d;
    }

    /** Adds the fixed-point value exactly to {@code s}, as doubles of 48 bits each. */
    private static void addPieces(Spill s, long w0, long w1, long w2) {
        boolean negative = w2 < 0;
        long[] m = magnitude(w0, w1, w2);
        w0 = m[0];
        w1 = m[1];
        w2 = m[2];
        long mask = (1L << 48) - 1;
        long[] pieces = {
            w0 & mask,
            (w0 >>> 48 | w1 << 16) & mask,
            (w1 >>> 32 | w2 << 32) & mask,
            w2 >>> 16,
        };
        for (int k = 0; k < pieces.length; k++) {
            if (pieces[k] != 0) {
                double d = Math.scalb((double) pieces[k], 48 * k - FRACTION_BITS);
                s.add(negative ? -d : d);
            }
        }
    }

    private Spill spill(int i) {
        if (spill == null) {
            spill = new Spill[size()];
        }
        if (spill[i] == null) {
            spill[i] = new Spill();
        }
        return spill[i];
    }

    /**
     * Sum {@code i}, compactly: a varint of flags (1: a fraction, 2: an integer part beyond a long, 4:
     * spilled partials), then the integer part as a signed varint (or all three words raw when beyond
     * a long), the 96 fraction bits (an int and a long) when there are any, and the partials.
     */
    public void writeTo(int i, DataOutput out) throws IOException {
        settle();
        int at = i * WORDS;
        long w0 = words[at];
        long w1 = words[at + 1];
        long w2 = words[at + 2];
        Spill s = spill == null ? null : spill[i];
        boolean spilled = s != null && s.size > 0;
        boolean fraction = w0 != 0 || (int) w1 != 0;
        boolean wide = (w2 >> 31) != 0 && (w2 >> 31) != -1;
        int flags = (fraction ? 1 : 0) | (wide ? 2 : 0) | (spilled ? 4 : 0);
        out.writeByte(flags);
        if (wide) {
            out.writeLong(w0);
            out.writeLong(w1);
            out.writeLong(w2);
        } else {
            Varints.writeSigned(out, (w2 << 32) | (w1 >>> 32));
            if (fraction) {
                out.writeInt((int) w1);
                out.writeLong(w0);
            }
        }
        if (spilled) {
            Varints.writeUnsigned(out, s.size);
            for (int j = 0; j < s.size; j++) {
                out.writeDouble(s.partials[j]);
            }
        }
    }

    /** Reads sum {@code i} as {@link #writeTo(int, DataOutput)} wrote it, replacing what it held. */
    public void readFrom(int i, DataInput in) throws IOException {
        int at = i * WORDS;
        if (pending != null) {
            pending[i] = 0; // replaced, with the rest of the sum
        }
        int flags = in.readUnsignedByte();
        if (flags > 7) {
            throw new IOException("exact sum flags " + flags + " are not ones this version writes");
        }
        if ((flags & 2) != 0) {
            words[at] = in.readLong();
            words[at + 1] = in.readLong();
            words[at + 2] = in.readLong();
        } else {
            long whole = Varints.readSigned(in);
            long fraction1 = 0;
            long w0 = 0;
            if ((flags & 1) != 0) {
                fraction1 = in.readInt() & 0xffff_ffffL;
                w0 = in.readLong();
            }
            words[at] = w0;
            words[at + 1] = whole << 32 | fraction1;
            words[at + 2] = whole >> 32;
        }
        if (spill != null) {
            spill[i] = null;
        }
        if ((flags & 4) != 0) {
            long n = Varints.readUnsigned(in);
            if (n > 1 << 16) {
                throw new IOException("an exact sum with " + n + " partials");
            }
            Spill s = spill(i);
            for (long j = 0; j < n; j++) {
                s.add(in.readDouble());
            }
        }
    }

    /** Non-overlapping partials whose exact sum is what was added (Shewchuk). */
    private static final class Spill {

        double[] partials = new double[4];
        int size;

        void add(double x) {
            int k = 0;
            for (int j = 0; j < size; j++) {
                double y = partials[j];
                if (Math.abs(x) < Math.abs(y)) {
                    double t = x;
                    x = y;
                    y = t;
                }
                double hi = x + y;
                double lo = y - (hi - x);
                if (lo != 0) {
                    partials[k++] = lo;
                }
                x = hi;
            }
            if (k == partials.length) {
                partials = Arrays.copyOf(partials, k * 2);
            }
            partials[k++] = x;
            size = k;
        }

        /** The exact sum of the partials, correctly rounded. */
        double round() {
            int n = size;
            if (n == 0) {
                return 0;
            }
            double hi = partials[--n];
            double lo = 0;
            while (n > 0) {
                double x = hi;
                double y = partials[--n];
                hi = x + y;
                double yr = hi - x;
                lo = y - yr;
                if (lo != 0) {
                    break;
                }
            }
            if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
                double y = lo * 2;
                double x = hi + y;
                if (y == x - hi) {
                    hi = x;
                }
            }
            return hi;
        }
    }
}
