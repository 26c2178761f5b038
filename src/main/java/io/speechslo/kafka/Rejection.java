package io.speechslo.kafka;

/** Why a decoded telemetry record is not used: the dead-letter reason and a detail naming the field. */
public record Rejection(DeadLetterReason reason, String detail) {}
