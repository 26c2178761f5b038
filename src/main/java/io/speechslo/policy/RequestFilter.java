package io.speechslo.policy;

import org.apache.avro.specific.SpecificRecord;

import java.io.Serializable;

/** A condition on one telemetry record, compiled from an SLO's metric source. */
@FunctionalInterface
public interface RequestFilter extends Serializable {

    RequestFilter ALL = r -> true;

    boolean test(SpecificRecord request);
}
