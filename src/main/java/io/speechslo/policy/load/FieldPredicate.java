package io.speechslo.policy.load;

import io.speechslo.policy.load.TelemetrySchema.Type;

import java.io.Serializable;
import java.time.Instant;

/**
 * One compiled {@code where} predicate on one field, read by position. The constants are prepared at
 * load time (numbers as long or double, enum symbols and texts as strings), so a test allocates
 * nothing. A null value matches only {@code present: false}; every comparison, including ne and
 * notIn, is false on null.
 */
final class FieldPredicate implements Serializable {

    private static final long serialVersionUID = 1L;

    /** eq is IN with one value and ne is NOT_IN with one value. */
    enum Op {
        IN, NOT_IN, LT, LTE, GT, GTE, PRESENT, ABSENT
    }

    private final int pos;
    private final Type type;
    private final Op op;
    private final long[] longs;
    private final double[] doubles;
    private final String[] texts;
    private final String display;

    private FieldPredicate(int pos, Type type, Op op, long[] longs, double[] doubles, String[] texts, String display) {
        this.pos = pos;
        this.type = type;
        this.op = op;
        this.longs = longs;
        this.doubles = doubles;
        this.texts = texts;
        this.display = display;
    }

    static FieldPredicate presence(int pos, Type type, boolean present, String display) {
        return new FieldPredicate(pos, type, present ? Op.PRESENT : Op.ABSENT, null, null, null, display);
    }

    /** For INTEGRAL, TIMESTAMP (epoch millis) and BOOLEAN (1 = true) fields. */
    static FieldPredicate ofLongs(int pos, Type type, Op op, long[] values, String display) {
        return new FieldPredicate(pos, type, op, values, null, null, display);
    }

    static FieldPredicate ofDoubles(int pos, Op op, double[] values, String display) {
        return new FieldPredicate(pos, Type.REAL, op, null, values, null, display);
    }

    /** For TEXT and ENUM fields (enums compare by symbol); only IN and NOT_IN. */
    static FieldPredicate ofTexts(int pos, Type type, Op op, String[] values, String display) {
        return new FieldPredicate(pos, type, op, null, null, values, display);
    }

    int pos() {
        return pos;
    }

    boolean test(Object value) {
        if (value == null) {
            return op == Op.ABSENT;
        }
        switch (op) {
            case PRESENT:
                return true;
            case ABSENT:
                return false;
            default:
                break;
        }
        switch (type) {
            case TEXT:
                return memberText((CharSequence) value);
            case ENUM:
                return memberText(value instanceof Enum ? ((Enum<?>) value).name() : value.toString());
            case REAL:
                return compare(((Number) value).doubleValue());
            case BOOLEAN:
                return compare(((Boolean) value) ? 1L : 0L);
            case TIMESTAMP:
                return compare(value instanceof Instant ? ((Instant) value).toEpochMilli() : ((Number) value).longValue());
            case INTEGRAL:
            default:
                return compare(((Number) value).longValue());
        }
    }

    private boolean memberText(CharSequence v) {
        boolean found = false;
        for (String t : texts) {
            if (t.contentEquals(v)) {
                found = true;
                break;
            }
        }
        return found == (op == Op.IN);
    }

    private boolean compare(long v) {
        switch (op) {
            case LT:
                return v < longs[0];
            case LTE:
                return v <= longs[0];
            case GT:
                return v > longs[0];
            case GTE:
                return v >= longs[0];
            default:
                boolean found = false;
                for (long c : longs) {
                    if (c == v) {
                        found = true;
                        break;
                    }
                }
                return found == (op == Op.IN);
        }
    }

    private boolean compare(double v) {
        if (Double.isNaN(v)) {
            return false;
        }
        switch (op) {
            case LT:
                return v < doubles[0];
            case LTE:
                return v <= doubles[0];
            case GT:
                return v > doubles[0];
            case GTE:
                return v >= doubles[0];
            default:
                boolean found = false;
                for (double c : doubles) {
                    if (c == v) {
                        found = true;
                        break;
                    }
                }
                return found == (op == Op.IN);
        }
    }

    @Override
    public String toString() {
        return display;
    }
}
