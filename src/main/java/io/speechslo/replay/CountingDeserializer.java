package io.speechslo.replay;

import io.speechslo.job.Ingested;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what a Kafka replay reads, records and partitions, into its {@link ReplayProgress}, then hands each
 * record to the job's own deserializer unchanged. The counter is looked up once per reader, so a record
 * costs one increment; in another JVM (a cluster) nothing is counted.
 */
public final class CountingDeserializer implements KafkaRecordDeserializationSchema<Ingested> {

    private static final long serialVersionUID = 1L;

    private final KafkaRecordDeserializationSchema<Ingested> inner;
    private final String progressKey;

    private transient LongAdder read;
    private transient Set<String> partitions;
    private transient String lastTopic;
    private transient int lastPartition = -1;

    public CountingDeserializer(KafkaRecordDeserializationSchema<Ingested> inner, String progressKey) {
        this.inner = inner;
        this.progressKey = progressKey;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) throws Exception {
        inner.open(context);
        read = ReplayProgress.counter(progressKey);
        partitions = ReplayProgress.partitionSet(progressKey);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> rec, Collector<Ingested> out) throws IOException {
        if (read != null) {
            read.increment();
            if (rec.partition() != lastPartition || !rec.topic().equals(lastTopic)) {
                lastTopic = rec.topic();
                lastPartition = rec.partition();
                partitions.add(lastTopic + "-" + lastPartition);
            }
        }
        inner.deserialize(rec, out);
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return inner.getProducedType();
    }
}
