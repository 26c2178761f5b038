package io.speechslo.job;

import io.speechslo.deadletter.DeadLetter;
import io.speechslo.metrics.Signal;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.Track;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.specific.SpecificRecord;

/**
 * One record as it leaves a source: a decoded and validated record (exactly one of {@link #asr},
 * {@link #tts}, {@link #serving} and {@link #privacy}), or a {@link #dead} letter saying why it could
 * not be used. Where it came from travels along so late records can be dead-lettered with their
 * origin. A Flink POJO: its Avro fields are serialized by Flink's Avro serializer, never Kryo.
 *
 * <p>Requests ({@link #isRequest()}) are what the slice, burn and gate paths fold; serving samples
 * and privacy events are optional inputs with paths of their own, so the request accessors
 * ({@link #signal()}, {@link #track()}) answer for requests only.
 */
public class Ingested {

    public AsrRequest asr;
    public TtsRequest tts;
    public ServingSample serving;
    public PrivacyEvent privacy;
    public DeadLetter dead;
    public String topic;
    public int partition;
    public long offset;

    public Ingested() {}

    public static Ingested of(SpecificRecord record, String topic, int partition, long offset) {
        Ingested i = new Ingested();
        if (record instanceof AsrRequest a) {
            i.asr = a;
        } else if (record instanceof TtsRequest t) {
            i.tts = t;
        } else if (record instanceof ServingSample s) {
            i.serving = s;
        } else if (record instanceof PrivacyEvent p) {
            i.privacy = p;
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

    /** An ASR or TTS request. */
    public boolean isRequest() {
        return asr != null || tts != null;
    }

    public boolean isServing() {
        return serving != null;
    }

    public boolean isPrivacy() {
        return privacy != null;
    }

    /** The decoded record, whichever kind; null for a dead letter. */
    public SpecificRecord record() {
        if (asr != null) {
            return asr;
        }
        if (tts != null) {
            return tts;
        }
        return serving != null ? serving : privacy;
    }

    /** A request's signal. */
    public Signal signal() {
        return asr != null ? Signal.ASR : Signal.TTS;
    }

    /** Event time in epoch millis: a request's or privacy event's event_time, a serving sample's sample_time. */
    public long eventTime() {
        if (asr != null) {
            return asr.getEventTime().toEpochMilli();
        }
        if (tts != null) {
            return tts.getEventTime().toEpochMilli();
        }
        return serving != null ? serving.getSampleTime().toEpochMilli() : privacy.getEventTime().toEpochMilli();
    }

    public String service() {
        if (asr != null) {
            return asr.getService();
        }
        if (tts != null) {
            return tts.getService();
        }
        return serving != null ? serving.getService() : privacy.getService();
    }

    /** The model version; null for a privacy event about no one version. */
    public String modelVersion() {
        if (asr != null) {
            return asr.getModelVersion();
        }
        if (tts != null) {
            return tts.getModelVersion();
        }
        return serving != null ? serving.getModelVersion() : privacy.getModelVersion();
    }

    /** A request's track; null for a serving sample or privacy event (they belong to no track). */
    public Track track() {
        if (asr != null) {
            return asr.getTrack();
        }
        return tts != null ? tts.getTrack() : null;
    }
}
