package io.speechslo.kafka;

import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Redaction;
import io.speechslo.telemetry.Track;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.Decoder;
import org.apache.avro.specific.SpecificRecord;

import java.io.IOException;
import java.time.Instant;

/**
 * Reads {@link AsrRequest} and {@link TtsRequest} records written with exactly our own schema (the
 * same Parsing Canonical Form: field order, types, enum symbols), field after field into the generated
 * classes' setters, with no schema resolution, no per-field dispatch and no boxing of required fields.
 * That is what nearly every record on the telemetry topics is; records of any other writer schema go
 * through Avro's resolving reader as before. Used by the Kafka path (on {@link BoundedBinaryDecoder}) and
 * by replay (on a container file's decoder); strings come from whatever the decoder's
 * {@link Decoder#readString()} gives, interned on both paths.
 *
 * <p>The field lists below are written for the schemas whose fingerprints are {@link #ASR_WRITTEN_FOR}
 * and {@link #TTS_WRITTEN_FOR}. Should a schema in {@code schemas/} change, its fingerprint no longer
 * matches, {@link #reads} says no and every record takes Avro's reader (correct, only slower) until the
 * list here is brought up to date (a test fails until then).
 */
public final class SameSchemaReaders {

    /** Parsing Canonical Form fingerprint (CRC-64-AVRO) of the AsrRequest schema the reader below follows. */
    static final long ASR_WRITTEN_FOR = -1722030301223196666L;
    /** The same for TtsRequest. */
    static final long TTS_WRITTEN_FOR = 9143044141657383787L;

    private static final Track[] TRACKS = Track.values();
    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final Redaction[] REDACTIONS = Redaction.values();

    private SameSchemaReaders() {}

    /** Reads one record from a decoder at its first field. */
    @FunctionalInterface
    public interface RecordReader {
        SpecificRecord read(Decoder in) throws IOException;
    }

    /**
     * The field-by-field reader for records of {@code writer} to be read as {@code target}, or null when
     * they must go through Avro's resolving reader ({@link #reads} says no, as it always does for a
     * target other than AsrRequest and TtsRequest: serving samples and privacy events are few).
     */
    public static RecordReader readerFor(Schema writer, Schema target) {
        if (!reads(writer, target)) {
            return null;
        }
        return target == AsrRequest.getClassSchema() ? SameSchemaReaders::readAsr : SameSchemaReaders::readTts;
    }

    /** Parsing Canonical Form fingerprint of {@code schema}. */
    static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /** Whether records of {@code writer}, to be read as {@code target}, can be read here. */
    static boolean reads(Schema writer, Schema target) {
        long fp = fingerprint(writer);
        if (fp != fingerprint(target)) {
            return false;
        }
        return target == AsrRequest.getClassSchema() ? fp == ASR_WRITTEN_FOR
                : target == TtsRequest.getClassSchema() && fp == TTS_WRITTEN_FOR;
    }

    static AsrRequest readAsr(Decoder in) throws IOException {
        AsrRequest r = new AsrRequest();
        r.setRequestId(in.readString());
        r.setEventTime(Instant.ofEpochMilli(in.readLong()));
        r.setService(in.readString());
        r.setModelVersion(in.readString());
        r.setTrack(symbol(TRACKS, in.readEnum()));
        r.setLanguage(in.readString());
        r.setRegion(in.readString());
        r.setDevice(in.readString());
        r.setAcousticCondition(in.readString());
        r.setOutcome(symbol(OUTCOMES, in.readEnum()));
        r.setAudioMs(in.readLong());
        r.setFirstPartialMs(optionalLong(in));
        r.setFinalizationMs(optionalLong(in));
        r.setPartials(in.readInt());
        r.setPartialRewrites(in.readInt());
        r.setRefWords(optionalInt(in));
        r.setWordErrors(optionalInt(in));
        r.setEntityTotal(optionalInt(in));
        r.setEntityErrors(optionalInt(in));
        r.setConfidence(optionalFloat(in));
        r.setCorrections(optionalInt(in));
        r.setSilenceRatio(optionalFloat(in));
        r.setClippingRatio(optionalFloat(in));
        r.setSnrDb(optionalFloat(in));
        r.setSpeechLevelDbfs(optionalFloat(in));
        r.setQueueMs(optionalLong(in));
        r.setPreprocessMs(optionalLong(in));
        r.setModelMs(optionalLong(in));
        r.setBatchSize(optionalInt(in));
        r.setRetries(in.readInt());
        r.setFallback(in.readBoolean());
        r.setCostUsd(optionalDouble(in));
        r.setRawAudioRetained(in.readBoolean());
        r.setSensitiveLogged(in.readBoolean());
        r.setRedaction(symbol(REDACTIONS, in.readEnum()));
        r.setRefChars(optionalInt(in));
        r.setCharErrors(optionalInt(in));
        r.setPool(optionalString(in));
        return r;
    }

    static TtsRequest readTts(Decoder in) throws IOException {
        TtsRequest r = new TtsRequest();
        r.setRequestId(in.readString());
        r.setEventTime(Instant.ofEpochMilli(in.readLong()));
        r.setService(in.readString());
        r.setModelVersion(in.readString());
        r.setTrack(symbol(TRACKS, in.readEnum()));
        r.setLanguage(in.readString());
        r.setRegion(in.readString());
        r.setDevice(in.readString());
        r.setVoice(in.readString());
        r.setOutcome(symbol(OUTCOMES, in.readEnum()));
        r.setTextChars(in.readInt());
        r.setFirstAudioMs(optionalLong(in));
        r.setChunks(in.readInt());
        r.setMaxChunkGapMs(optionalLong(in));
        r.setUnderruns(in.readInt());
        r.setGeneratedMs(in.readLong());
        r.setInterrupted(in.readBoolean());
        r.setAbandoned(in.readBoolean());
        r.setPreference(optionalFloat(in));
        r.setQueueMs(optionalLong(in));
        r.setModelMs(optionalLong(in));
        r.setRetries(in.readInt());
        r.setFallback(in.readBoolean());
        r.setCacheHit(in.readBoolean());
        r.setCostUsd(optionalDouble(in));
        r.setSensitiveLogged(in.readBoolean());
        r.setPool(optionalString(in));
        return r;
    }

    private static <E> E symbol(E[] symbols, int index) throws IOException {
        if (index < 0 || index >= symbols.length) {
            throw new IOException("malformed Avro data: enum index " + index + " of "
                    + symbols[0].getClass().getSimpleName() + " outside [0, " + symbols.length + ")");
        }
        return symbols[index];
    }

    /** Whether a {@code ["null", T]} union holds a value (branch 1) rather than null (branch 0). */
    private static boolean present(Decoder in) throws IOException {
        int branch = in.readIndex();
        if (branch == 0) {
            return false;
        }
        if (branch != 1) {
            throw new IOException("malformed Avro data: union branch " + branch + " of a [null, value] union");
        }
        return true;
    }

    private static Long optionalLong(Decoder in) throws IOException {
        return present(in) ? in.readLong() : null;
    }

    private static Integer optionalInt(Decoder in) throws IOException {
        return present(in) ? in.readInt() : null;
    }

    private static Float optionalFloat(Decoder in) throws IOException {
        return present(in) ? in.readFloat() : null;
    }

    private static Double optionalDouble(Decoder in) throws IOException {
        return present(in) ? in.readDouble() : null;
    }

    private static String optionalString(Decoder in) throws IOException {
        return present(in) ? in.readString() : null;
    }
}
