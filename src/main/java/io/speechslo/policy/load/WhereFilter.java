package io.speechslo.policy.load;

import io.speechslo.policy.RequestFilter;
import org.apache.avro.specific.SpecificRecord;

import java.util.Arrays;
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

    WhereFilter(Class<? extends SpecificRecord> recordClass, FieldPredicate[] predicates) {
        this.recordClass = recordClass;
        this.predicates = predicates.clone();
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
