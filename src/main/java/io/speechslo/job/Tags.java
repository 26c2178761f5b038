package io.speechslo.job;

import io.speechslo.deadletter.DeadLetter;

import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/** Side outputs, in one place. */
final class Tags {

    /** Records that could not be used, with the reason (late ones included). */
    static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private Tags() {}
}
