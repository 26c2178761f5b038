package io.speechslo.generate;

import io.speechslo.job.Ingested;
import io.speechslo.telemetry.AsrRequest;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

import java.util.Iterator;

/**
 * Feeds a scenario's telemetry to a DataGeneratorSource without holding it in memory: record i of the
 * generator becomes element i. Each reader walks its split in order, so it seeks once (skipping whole
 * minutes by their counts) and then streams.
 */
public final class ScenarioGeneratorFunction implements GeneratorFunction<Long, Ingested> {

    private static final long serialVersionUID = 1L;

    private final String location;
    private final byte[] scenario;
    private final long seed;
    private transient TelemetryGenerator generator;
    private transient Iterator<SpecificRecord> records;
    private transient long nextIndex;

    public ScenarioGeneratorFunction(String location, byte[] scenario, long seed) {
        this.location = location;
        this.scenario = scenario.clone();
        this.seed = seed;
    }

    @Override
    public void open(SourceReaderContext readerContext) {
        generator = new TelemetryGenerator(ScenarioLoader.parse(location, scenario), seed);
        nextIndex = -1;
    }

    @Override
    public Ingested map(Long index) {
        if (records == null || index != nextIndex) {
            records = generator.records(index);
        }
        nextIndex = index + 1;
        SpecificRecord r = records.next();
        String topic = r instanceof AsrRequest ? "speech.asr.requests" : "speech.tts.requests";
        return Ingested.of(r, topic, 0, index);
    }
}
