package io.speechslo.kafka;

import io.speechslo.deadletter.DeadLetter;

import java.nio.ByteBuffer;

/** Builds the {@link DeadLetter} for a record the job cannot use, keeping the record exactly as read. */
public final class DeadLetters {

    private DeadLetters() {}

    /**
     * @param key the record key as read, or {@code null}
     * @param raw the record value as read, or {@code null}
     * @param schemaId the id from the value header, {@code null} when there was none
     * @param recordTimestamp the Kafka record timestamp; negative (Kafka's "no timestamp") becomes null
     */
    public static DeadLetter of(String topic, int partition, long offset, byte[] key, byte[] raw,
            DeadLetterReason reason, String detail, Integer schemaId, long recordTimestamp) {
        return DeadLetter.newBuilder()
                .setSourceTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setReason(reason.code())
                .setDetail(detail)
                .setSchemaId(schemaId)
                .setRecordTimestamp(recordTimestamp < 0 ? null : recordTimestamp)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setRaw(raw == null ? null : ByteBuffer.wrap(raw))
                .build();
    }
}
