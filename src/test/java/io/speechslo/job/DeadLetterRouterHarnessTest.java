package io.speechslo.job;

import io.speechslo.deadletter.DeadLetter;
import io.speechslo.fixtures.Requests;
import io.speechslo.kafka.DeadLetterReason;
import io.speechslo.kafka.DeadLetters;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The dead-letter router on a (non-keyed) ProcessFunction harness. */
class DeadLetterRouterHarnessTest {

    @Test
    void deadLettersGoToTheSideOutputAndTelemetryPassesWithItsTimestamp() throws Exception {
        DeadLetter magic = DeadLetters.of("speech.asr.requests", 1, 7, null, new byte[] {9, 9},
                DeadLetterReason.BAD_MAGIC_BYTE, "first byte is 9, not 0", null, 500);
        DeadLetter unknownCode = DeadLetter.newBuilder(magic).setReason("not_a_reason").setOffset(8).build();
        Ingested asr = Ingested.of(Requests.asr().build(), "speech.asr.requests", 0, 1);
        Ingested tts = Ingested.of(Requests.tts().build(), "speech.tts.requests", 2, 3);

        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(new DeadLetterRouter())) {
            h.processElement(asr, 1_000);
            h.processElement(Ingested.dead(magic), 500);
            h.processElement(tts, 2_000);
            h.processElement(Ingested.dead(unknownCode), 600);

            // the harness hands out copies made by the output's serializer: compare content
            assertThat(h.extractOutputValues()).extracting(Ingested::record, i -> i.topic, i -> i.partition, i -> i.offset)
                    .containsExactly(tuple(asr.asr, "speech.asr.requests", 0, 1L),
                            tuple(tts.tts, "speech.tts.requests", 2, 3L));
            assertThat(h.extractOutputValues()).allSatisfy(i -> assertThat(i.dead).isNull());
            assertThat(h.extractOutputStreamRecords()).extracting(StreamRecord::getTimestamp)
                    .containsExactly(1_000L, 2_000L);

            List<StreamRecord<DeadLetter>> dead = new ArrayList<>(h.getSideOutput(Tags.DEAD_LETTERS));
            assertThat(dead).extracting(StreamRecord::getValue).containsExactly(magic, unknownCode);
            assertThat(dead).extracting(StreamRecord::getTimestamp).containsExactly(500L, 600L);
            assertThat(dead.get(0).getValue().getReason()).isEqualTo("bad_magic_byte");
            assertThat(dead.get(0).getValue().getPartition()).isEqualTo(1);
            assertThat(dead.get(0).getValue().getOffset()).isEqualTo(7L);
            assertThat(h.getSideOutput(Tags.LATE)).isNull();
        }
    }
}
