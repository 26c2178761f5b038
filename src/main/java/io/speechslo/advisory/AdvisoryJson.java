package io.speechslo.advisory;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plain JSON form of an {@link Advisory}, one line per advisory: the Avro field names, enums as
 * their symbol strings, nulls as {@code null}, findings and slices as JSON objects (not Avro's
 * union-wrapped JSON encoding). Written by walking the Avro schema, so a field added to
 * schemas/Advisory.avsc shows up here without code changes. Reading accepts a missing field that has a
 * default in the schema (output of an older version) and ignores fields it does not know (a newer one).
 */
public final class AdvisoryJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SpecificData MODEL = SpecificData.getForClass(Advisory.class);

    private AdvisoryJson() {}

    /** One line of JSON, fields in schema order. */
    public static String toJson(Advisory advisory) {
        return toJson((org.apache.avro.specific.SpecificRecord) advisory);
    }

    /** Any of our records (an advisory, a scorecard) as one line of JSON in the same plain form. */
    public static String toJson(org.apache.avro.specific.SpecificRecord record) {
        StringWriter out = new StringWriter(1024);
        try (JsonGenerator g = MAPPER.createGenerator(out)) {
            write(g, record, record.getSchema());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Parses one advisory written by {@link #toJson}.
     *
     * @throws IllegalArgumentException naming the field when the JSON does not fit the Advisory schema
     */
    public static Advisory fromJson(String json) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
        return (Advisory) read(node, Advisory.getClassSchema(), "advisory");
    }

    private static void write(JsonGenerator g, Object value, Schema schema) throws IOException {
        switch (schema.getType()) {
            case UNION -> {
                if (value == null) {
                    g.writeNull();
                } else {
                    write(g, value, schema.getTypes().get(MODEL.resolveUnion(schema, value)));
                }
            }
            case NULL -> g.writeNull();
            case RECORD -> {
                IndexedRecord record = (IndexedRecord) value;
                g.writeStartObject();
                for (Schema.Field f : schema.getFields()) {
                    g.writeFieldName(f.name());
                    write(g, record.get(f.pos()), f.schema());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (Object item : (List<?>) value) {
                    write(g, item, schema.getElementType());
                }
                g.writeEndArray();
            }
            case MAP -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    g.writeFieldName(e.getKey().toString());
                    write(g, e.getValue(), schema.getValueType());
                }
                g.writeEndObject();
            }
            case STRING, ENUM -> g.writeString(value.toString());
            case LONG -> g.writeNumber((Long) value);
            case INT -> g.writeNumber((Integer) value);
            case DOUBLE -> g.writeNumber((Double) value);
            case FLOAT -> g.writeNumber((Float) value);
            case BOOLEAN -> g.writeBoolean((Boolean) value);
            default -> throw new IllegalStateException("Advisory schema type " + schema.getType() + " has no JSON form here");
        }
    }

    private static Object read(JsonNode node, Schema schema, String path) {
        switch (schema.getType()) {
            case UNION -> {
                if (node.isNull()) {
                    if (schema.getTypes().stream().noneMatch(s -> s.getType() == Schema.Type.NULL)) {
                        throw new IllegalArgumentException(path + ": must not be null");
                    }
                    return null;
                }
                Schema branch = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(path + ": must be null"));
                return read(node, branch, path);
            }
            case NULL -> {
                require(node.isNull(), path, "null");
                return null;
            }
            case RECORD -> {
                require(node.isObject(), path, "an object");
                IndexedRecord record = (IndexedRecord) MODEL.newRecord(null, schema);
                for (Schema.Field f : schema.getFields()) {
                    JsonNode v = node.get(f.name());
                    String at = path + "." + f.name();
                    if (v == null) {
                        if (!f.hasDefaultValue()) {
                            throw new IllegalArgumentException(at + ": missing");
                        }
                        record.put(f.pos(), MODEL.deepCopy(f.schema(), MODEL.getDefaultValue(f)));
                    } else {
                        record.put(f.pos(), read(v, f.schema(), at));
                    }
                }
                return record;
            }
            case ARRAY -> {
                require(node.isArray(), path, "an array");
                List<Object> list = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    list.add(read(node.get(i), schema.getElementType(), path + "[" + i + "]"));
                }
                return list;
            }
            case MAP -> {
                require(node.isObject(), path, "an object");
                Map<String, Object> map = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    map.put(e.getKey(), read(e.getValue(), schema.getValueType(), path + "." + e.getKey()));
                }
                return map;
            }
            case STRING -> {
                require(node.isTextual(), path, "a string");
                return node.textValue();
            }
            case ENUM -> {
                require(node.isTextual() && schema.hasEnumSymbol(node.textValue()), path,
                        "one of " + schema.getEnumSymbols());
                return MODEL.createEnum(node.textValue(), schema);
            }
            case LONG -> {
                require(node.isIntegralNumber() && node.canConvertToLong(), path, "a whole number");
                return node.longValue();
            }
            case INT -> {
                require(node.isIntegralNumber() && node.canConvertToInt(), path, "a 32-bit whole number");
                return node.intValue();
            }
            case DOUBLE -> {
                return number(node, path);
            }
            case FLOAT -> {
                return (float) number(node, path);
            }
            case BOOLEAN -> {
                require(node.isBoolean(), path, "true or false");
                return node.booleanValue();
            }
            default -> throw new IllegalStateException("Advisory schema type " + schema.getType() + " has no JSON form here");
        }
    }

    /** A number; Jackson writes NaN and infinities as the strings "NaN", "Infinity", "-Infinity". */
    private static double number(JsonNode node, String path) {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            switch (node.textValue()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException(path + ": must be a number, not " + node);
    }

    private static void require(boolean ok, String path, String what) {
        if (!ok) {
            throw new IllegalArgumentException(path + ": must be " + what);
        }
    }
}
