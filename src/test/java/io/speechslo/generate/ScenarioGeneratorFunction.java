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
    /** Serving samples and privacy events too ({@link TelemetryGenerator#everything()}), not only requests. */
    private final boolean everything;
    private transient TelemetryGenerator generator;
    private transient Iterator<SpecificRecord> records;
    private transient long nextIndex;

    public ScenarioGeneratorFunction(String location, byte[] scenario, long seed) {
        this(location, scenario, seed, false);
    }

    /** @param everything serving samples and privacy events as well, in their place in time */
    public ScenarioGeneratorFunction(String location, byte[] scenario, long seed, boolean everything) {
        this.location = location;
        this.scenario = scenario.clone();
        this.seed = seed;
        this.everything = everything;
    }

    @Override
    public void open(SourceReaderContext readerContext) {
        generator = new TelemetryGenerator(ScenarioLoader.parse(location, scenario), seed);
        nextIndex = -1;
    }

    @Override
    public Ingested map(Long index) {
        if (records == null || index != nextIndex) {
            if (everything) {
                records = generator.everything();
                for (long i = 0; i < index; i++) {
                    records.next();
                }
            } else {
                records = generator.records(index);
            }
        }
        nextIndex = index + 1;
        SpecificRecord r = records.next();
        String topic = r instanceof AsrRequest ? "speech.asr.requests"
                : r instanceof io.speechslo.telemetry.TtsRequest ? "speech.tts.requests"
                : r instanceof io.speechslo.telemetry.ServingSample ? "speech.serving.samples" : "speech.privacy.events";
        return Ingested.of(r, topic, 0, index);
    }
}
