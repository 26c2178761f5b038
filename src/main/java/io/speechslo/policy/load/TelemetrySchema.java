package io.speechslo.policy.load;

import io.speechslo.metrics.Signal;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The telemetry fields a {@code where} predicate can name, read from the Avro schema of the generated
 * record class, so policies and schemas cannot disagree: name, position, value type, nullability and
 * enum symbols.
 */
final class TelemetrySchema {

    /** How a field's value is compared. */
    enum Type {
        TEXT, ENUM, INTEGRAL, REAL, BOOLEAN, TIMESTAMP
    }

    /** One filterable field. {@code symbols} is empty unless the type is ENUM. */
    record Field(String name, int pos, Type type, boolean nullable, boolean floatPrecision, List<String> symbols) {}

    private static final TelemetrySchema ASR = new TelemetrySchema(Signal.ASR, AsrRequest.class, AsrRequest.getClassSchema());
    private static final TelemetrySchema TTS = new TelemetrySchema(Signal.TTS, TtsRequest.class, TtsRequest.getClassSchema());

    private final Signal signal;
    private final Class<? extends SpecificRecord> recordClass;
    private final String recordName;
    private final Map<String, Field> fields = new LinkedHashMap<>();

    private TelemetrySchema(Signal signal, Class<? extends SpecificRecord> recordClass, Schema schema) {
        this.signal = signal;
        this.recordClass = recordClass;
        this.recordName = schema.getName();
        for (Schema.Field f : schema.getFields()) {
            Schema s = f.schema();
            boolean nullable = false;
            if (s.getType() == Schema.Type.UNION) {
                List<Schema> branches = new ArrayList<>();
                for (Schema b : s.getTypes()) {
                    if (b.getType() == Schema.Type.NULL) {
                        nullable = true;
                    } else {
                        branches.add(b);
                    }
                }
                if (branches.size() != 1) {
                    continue; // not a plain nullable value: not filterable
                }
                s = branches.get(0);
            }
            Type type = typeOf(s);
            if (type != null) {
                List<String> symbols = type == Type.ENUM ? List.copyOf(s.getEnumSymbols()) : List.of();
                fields.put(f.name(), new Field(f.name(), f.pos(), type, nullable, s.getType() == Schema.Type.FLOAT, symbols));
            }
        }
    }

    private static Type typeOf(Schema s) {
        switch (s.getType()) {
            case STRING:
                return Type.TEXT;
            case ENUM:
                return Type.ENUM;
            case INT:
                return Type.INTEGRAL;
            case LONG:
                return s.getLogicalType() instanceof LogicalTypes.TimestampMillis ? Type.TIMESTAMP : Type.INTEGRAL;
            case FLOAT:
            case DOUBLE:
                return Type.REAL;
            case BOOLEAN:
                return Type.BOOLEAN;
            default:
                return null;
        }
    }

    static TelemetrySchema of(Signal signal) {
        return signal == Signal.ASR ? ASR : TTS;
    }

    /** The schema whose record is named {@code name} (AsrRequest, TtsRequest), or null. */
    static TelemetrySchema byRecordName(String name) {
        return ASR.recordName.equals(name) ? ASR : TTS.recordName.equals(name) ? TTS : null;
    }

    static List<String> recordNames() {
        return List.of(ASR.recordName, TTS.recordName);
    }

    Signal signal() {
        return signal;
    }

    Class<? extends SpecificRecord> recordClass() {
        return recordClass;
    }

    String recordName() {
        return recordName;
    }

    /** The field of that name, or null. */
    Field field(String name) {
        return fields.get(name);
    }

    List<String> fieldNames() {
        return Collections.unmodifiableList(new ArrayList<>(fields.keySet()));
    }
}
