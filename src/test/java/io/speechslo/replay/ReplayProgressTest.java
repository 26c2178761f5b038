package io.speechslo.replay;

import io.speechslo.job.Ingested;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A Kafka replay counts the records and partitions it reads while it runs, and its progress line says so. */
class ReplayProgressTest {

    /** Passes nothing on: what the job's deserializer does with a record is not what is counted here. */
    private static final class Drop implements KafkaRecordDeserializationSchema<Ingested> {
        final List<Long> seen = new ArrayList<>();

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> rec, Collector<Ingested> out) {
            seen.add(rec.offset());
        }

        @Override
        public TypeInformation<Ingested> getProducedType() {
            return TypeInformation.of(Ingested.class);
        }
    }

    @Test
    void countsRecordsAndPartitionsAsTheyAreRead() throws Exception {
        try (ReplayProgress progress = new ReplayProgress()) {
            Drop inner = new Drop();
            CountingDeserializer d = new CountingDeserializer(inner, progress.key());
            d.open((DeserializationSchema.InitializationContext) null);
            d.deserialize(new ConsumerRecord<>("asr", 0, 10, null, new byte[0]), null);
            d.deserialize(new ConsumerRecord<>("asr", 0, 11, null, new byte[0]), null);
            d.deserialize(new ConsumerRecord<>("asr", 1, 7, null, new byte[0]), null);
            d.deserialize(new ConsumerRecord<>("tts", 1, 3, null, new byte[0]), null);
            d.deserialize(new ConsumerRecord<>("asr", 0, 12, null, new byte[0]), null);
            assertThat(inner.seen).containsExactly(10L, 11L, 7L, 3L, 12L);
            assertThat(progress.read()).isEqualTo(5);
            assertThat(progress.partitions()).isEqualTo(3);

            ByteArrayOutputStream err = new ByteArrayOutputStream();
            new ReplayCommand.ProgressLine(progress, 20, 4, new PrintStream(err, true, StandardCharsets.UTF_8)).run();
            assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("replay: 5 of 20 events (25.0%) from 3 of 4 partitions, ");
            err.reset();
            new ReplayCommand.ProgressLine(progress, 20, -1, new PrintStream(err, true, StandardCharsets.UTF_8)).run();
            assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("replay: 5 of 20 events (25.0%), ");
        }
    }
}
