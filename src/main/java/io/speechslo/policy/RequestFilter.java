package io.speechslo.policy;

import org.apache.avro.specific.SpecificRecord;

import java.io.Serializable;
import java.util.List;

/** A condition on one telemetry record, compiled from an SLO's metric source. */
@FunctionalInterface
public interface RequestFilter extends Serializable {

    RequestFilter ALL = r -> true;

    boolean test(SpecificRecord request);

    /** The request fields this filter's predicates are on, in the order written; empty when it cannot tell. */
    default List<String> fields() {
        return List.of();
    }

    /**
     * The request fields this filter bounds by a number ({@code first_partial_ms <= 300}), in the order
     * written: what a latency SLO's good filter judges, so a page can say where that latency went. Empty
     * for a filter that bounds none (or that cannot tell).
     */
    default List<String> boundedFields() {
        return List.of();
    }
}
