package io.speechslo.job;

import io.speechslo.deadletter.DeadLetter;
import io.speechslo.scorecard.EncodedScorecard;
import io.speechslo.scorecard.Scorecard;
import io.speechslo.testing.TelemetrySamples;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The serving scorecards on the operator harness: a minute of samples gives its SERVING scorecard once the
 * watermark passes the minute plus the allowed lateness; a sample later than that is dead-lettered naming
 * the topic, partition and offset it was read from (not -1: the envelope travels with it).
 */
class InputScorecardFunctionHarnessTest {

    private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final long LATENESS = 30_000;

    private static StreamRecord<Ingested> sample(int n, long t, int partition, long offset) {
        Ingested in = Ingested.of(TelemetrySamples.serving(n, Instant.ofEpochMilli(t)).build(),
                "speech.serving.samples", partition, offset);
        return new StreamRecord<>(in, t);
    }

    @Test
    void aLateSampleIsDeadLetteredWithWhereItWasRead() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, Ingested, EncodedScorecard> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new ServingScorecardFunction(LATENESS)),
                        i -> i.serving.getService(), Types.STRING)) {
            h.open();
            h.processElement(sample(1, T0 + 10_000, 2, 40));
            h.processElement(sample(2, T0 + 20_000, 2, 41));
            h.processWatermark(T0 + 60_000 + LATENESS);
            List<Scorecard> out = h.extractOutputValues().stream().map(EncodedScorecard::decode).toList();
            assertThat(out).singleElement().satisfies(s -> {
                assertThat(s.getWindowEnd()).isEqualTo(T0 + 60_000);
                assertThat(s.getSlice()).containsEntry("pool", "gpu-eu-west-1");
                assertThat(s.getValues()).anySatisfy(v -> {
                    assertThat(v.getName()).isEqualTo("samples");
                    assertThat(v.getValue()).isEqualTo(2.0);
                });
            });

            h.processElement(sample(3, T0 + 50_000, 3, 42)); // its minute closed at the watermark
            List<DeadLetter> dead = h.getSideOutput(Tags.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertThat(dead).singleElement().satisfies(d -> {
                assertThat(d.getReason()).isEqualTo("late");
                assertThat(d.getSourceTopic()).isEqualTo("speech.serving.samples");
                assertThat(d.getPartition()).isEqualTo(3);
                assertThat(d.getOffset()).isEqualTo(42L);
                byte[] raw = new byte[d.getRaw().remaining()];
                d.getRaw().duplicate().get(raw);
                assertThat(new String(raw, java.nio.charset.StandardCharsets.UTF_8)).contains("\"replica\": \"replica-0\"");
            });
            assertThat(h.extractOutputValues()).hasSize(1);
        }
    }
}
