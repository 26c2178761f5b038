package io.speechslo.job;

import io.speechslo.deadletter.DeadLetter;
import io.speechslo.metrics.Signal;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Track;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.specific.SpecificRecord;

/**
 * One record as it leaves a source: a decoded and validated telemetry record (exactly one of
 * {@link #asr} and {@link #tts}), or a {@link #dead} letter saying why it could not be used. Where it
 * came from travels along so late records can be dead-lettered with their origin. A Flink POJO: its
 * Avro fields are serialized by Flink's Avro serializer, never Kryo.
 */
public class Ingested {

    public AsrRequest asr;
    public TtsRequest tts;
    public DeadLetter dead;
    public String topic;
    public int partition;
    public long offset;

    public Ingested() {}

    public static Ingested of(SpecificRecord record, String topic, int partition, long offset) {
        Ingested i = new Ingested();
        if (record instanceof AsrRequest) {
            i.asr = (AsrRequest) record;
        } else if (record instanceof TtsRequest) {
            i.tts = (TtsRequest) record;
        } else {
            throw new IllegalArgumentException("not a telemetry record: " + record.getClass().getName());
        }
        i.topic = topic;
        i.partition = partition;
        i.offset = offset;
        return i;
    }

    public static Ingested dead(DeadLetter dead) {
        Ingested i = new Ingested();
        i.dead = dead;
        i.topic = dead.getSourceTopic();
        i.partition = dead.getPartition();
        i.offset = dead.getOffset();
        return i;
    }

    public boolean isDead() {
        return dead != null;
    }

    public SpecificRecord record() {
        return asr != null ? asr : tts;
    }

    public Signal signal() {
        return asr != null ? Signal.ASR : Signal.TTS;
    }

    public long eventTime() {
        return asr != null ? asr.getEventTime().toEpochMilli() : tts.getEventTime().toEpochMilli();
    }

    public String service() {
        return asr != null ? asr.getService() : tts.getService();
    }

    public String modelVersion() {
        return asr != null ? asr.getModelVersion() : tts.getModelVersion();
    }

    public Track track() {
        return asr != null ? asr.getTrack() : tts.getTrack();
    }
}
