package io.speechslo.policy.load;

import io.speechslo.policy.RequestFilter;
import org.apache.avro.specific.SpecificRecord;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A compiled {@code where} list: all predicates must hold (an empty list selects every request). It
 * only accepts records of the class it was compiled for, since field positions differ between
 * AsrRequest and TtsRequest.
 */
final class WhereFilter implements RequestFilter {

    private static final long serialVersionUID = 1L;

    private final Class<? extends SpecificRecord> recordClass;
    private final FieldPredicate[] predicates;
    /** The field of each predicate, in the order written. */
    private final String[] fields;
    /** The fields a predicate bounds by a number (lt, lte, gt, gte), in the order written. */
    private final String[] bounded;

    WhereFilter(Class<? extends SpecificRecord> recordClass, FieldPredicate[] predicates, List<String> fields,
            List<String> bounded) {
        this.recordClass = recordClass;
        this.predicates = predicates.clone();
        this.fields = fields.toArray(new String[0]);
        this.bounded = bounded.toArray(new String[0]);
    }

    @Override
    public List<String> fields() {
        return fields == null ? List.of() : List.of(fields);
    }

    @Override
    public List<String> boundedFields() {
        return bounded == null ? List.of() : List.of(bounded);
    }

    @Override
    public boolean test(SpecificRecord request) {
        if (!recordClass.isInstance(request)) {
            throw new IllegalArgumentException("filter compiled for " + recordClass.getSimpleName()
                    + " applied to " + (request == null ? "null" : request.getClass().getSimpleName()));
        }
        for (FieldPredicate p : predicates) {
            if (!p.test(request.get(p.pos()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        if (predicates.length == 0) {
            return "every " + recordClass.getSimpleName();
        }
        return Arrays.stream(predicates).map(FieldPredicate::toString).collect(Collectors.joining(" and "));
    }
}
