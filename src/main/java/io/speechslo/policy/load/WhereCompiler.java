package io.speechslo.policy.load;

import io.speechslo.policy.load.FieldPredicate.Op;
import io.speechslo.policy.load.TelemetrySchema.Field;
import io.speechslo.policy.load.TelemetrySchema.Type;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@code where} list of {@code {field: name, <op>: value}} predicates into a {@link WhereFilter},
 * checking every field name, operator and constant against the telemetry schema.
 */
final class WhereCompiler {

    static final List<String> OPS = List.of("eq", "ne", "in", "notIn", "lt", "lte", "gt", "gte", "present");

    private WhereCompiler() {}

    /** @param where the list node, or null for "every request" */
    static WhereFilter compile(TelemetrySchema schema, YamlNode where) {
        List<FieldPredicate> out = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        List<String> bounded = new ArrayList<>();
        if (where != null) {
            for (YamlNode p : where.items()) {
                out.add(predicate(schema, p));
                fields.add(p.get("field").text());
                if (p.has("lt") || p.has("lte") || p.has("gt") || p.has("gte")) {
                    bounded.add(p.get("field").text());
                }
            }
        }
        return new WhereFilter(schema.recordClass(), out.toArray(new FieldPredicate[0]), fields, bounded);
    }

    private static FieldPredicate predicate(TelemetrySchema schema, YamlNode p) {
        List<String> allowed = new ArrayList<>(OPS);
        allowed.add(0, "field");
        p.allow(allowed.toArray(new String[0]));
        YamlNode fieldNode = p.req("field");
        String name = fieldNode.text();
        Field field = schema.field(name);
        if (field == null) {
            throw fieldNode.fail("unknown " + schema.recordName() + " field '" + name + "' (valid: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        List<String> ops = new ArrayList<>(p.keys());
        ops.remove("field");
        if (ops.size() != 1) {
            throw p.fail("a predicate needs exactly one operator of " + String.join(", ", OPS)
                    + (ops.isEmpty() ? ", found none" : ", found " + String.join(", ", ops))
                    + " (write several predicates to combine them)");
        }
        String opName = ops.get(0);
        YamlNode value = p.get(opName);
        List<String> valid = validOps(field);
        if (!valid.contains(opName)) {
            throw value.fail("'" + opName + "' does not apply to " + describe(field) + " '" + name + "' (valid: "
                    + String.join(", ", valid) + ")");
        }
        if (opName.equals("present")) {
            boolean present = value.bool();
            return FieldPredicate.presence(field.pos(), field.type(), present, name + (present ? " is present" : " is null"));
        }
        Op op;
        List<YamlNode> constants;
        switch (opName) {
            case "eq":
            case "ne":
                op = opName.equals("eq") ? Op.IN : Op.NOT_IN;
                constants = List.of(value);
                break;
            case "in":
            case "notIn":
                op = opName.equals("in") ? Op.IN : Op.NOT_IN;
                constants = value.items();
                if (constants.isEmpty()) {
                    throw value.fail("the list must not be empty");
                }
                break;
            default:
                op = Op.valueOf(opName.toUpperCase(java.util.Locale.ROOT));
                constants = List.of(value);
        }
        List<String> written = new ArrayList<>();
        for (YamlNode c : constants) {
            written.add(c.text());
        }
        String display = name + " " + opName + " "
                + (opName.equals("in") || opName.equals("notIn") ? written.toString() : written.get(0));
        switch (field.type()) {
            case TEXT:
            case ENUM: {
                String[] texts = new String[constants.size()];
                for (int i = 0; i < texts.length; i++) {
                    texts[i] = constants.get(i).text();
                    if (field.type() == Type.ENUM && !field.symbols().contains(texts[i])) {
                        throw constants.get(i).fail("'" + texts[i] + "' is not a value of " + name + " (valid: "
                                + String.join(", ", field.symbols()) + ")");
                    }
                }
                return FieldPredicate.ofTexts(field.pos(), field.type(), op, texts, display);
            }
            case REAL: {
                double[] ds = new double[constants.size()];
                for (int i = 0; i < ds.length; i++) {
                    double d = constants.get(i).number();
                    // A float field's value widens exactly; compare against the constant at the same precision.
                    ds[i] = field.floatPrecision() ? (double) (float) d : d;
                }
                return FieldPredicate.ofDoubles(field.pos(), op, ds, display);
            }
            default: {
                long[] ls = new long[constants.size()];
                for (int i = 0; i < ls.length; i++) {
                    ls[i] = longConstant(field, constants.get(i));
                }
                return FieldPredicate.ofLongs(field.pos(), field.type(), op, ls, display);
            }
        }
    }

    private static long longConstant(Field field, YamlNode c) {
        switch (field.type()) {
            case BOOLEAN:
                return c.bool() ? 1 : 0;
            case TIMESTAMP:
                String t = c.text();
                try {
                    return Instant.parse(t).toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw c.fail("'" + t + "' is not an instant (write ISO-8601 UTC, e.g. 2025-01-31T00:00:00Z)");
                }
            default:
                return c.integer();
        }
    }

    static List<String> validOps(Field f) {
        List<String> ops = new ArrayList<>(List.of("eq", "ne"));
        if (f.type() != Type.BOOLEAN) {
            ops.addAll(List.of("in", "notIn"));
        }
        if (f.type() == Type.INTEGRAL || f.type() == Type.REAL || f.type() == Type.TIMESTAMP) {
            ops.addAll(List.of("lt", "lte", "gt", "gte"));
        }
        if (f.nullable()) {
            ops.add("present");
        }
        return ops;
    }

    private static String describe(Field f) {
        String kind;
        switch (f.type()) {
            case TEXT:
                kind = "string";
                break;
            case ENUM:
                kind = "enum";
                break;
            case REAL:
                kind = "decimal";
                break;
            case BOOLEAN:
                kind = "boolean";
                break;
            case TIMESTAMP:
                kind = "timestamp";
                break;
            default:
                kind = "integer";
        }
        return (f.nullable() ? "nullable " : "never-null ") + kind + " field";
    }
}
