package io.speechslo.generate;

import org.apache.avro.specific.SpecificRecord;

import java.io.IOException;

/** Where generated telemetry goes: Avro files ({@link AvroFileSink}) or Kafka ({@link KafkaTelemetrySink}). */
public interface TelemetrySink extends AutoCloseable {

    /** Writes one AsrRequest, TtsRequest, ServingSample or PrivacyEvent. */
    void write(SpecificRecord record) throws IOException;

    /** Flushes everything written and releases the sink; fails if anything could not be delivered. */
    @Override
    void close() throws IOException;
}
