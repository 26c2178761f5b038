package io.speechslo.job;

import io.speechslo.kafka.DeadLetterReason;
import io.speechslo.kafka.DeadLetters;
import io.speechslo.metrics.Signal;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.Track;
import io.speechslo.testing.TelemetrySamples;

import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IngestedTest {

    private static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");

    @Test
    void isAFlinkPojoWithEveryKindOfRecord() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(Ingested.class);
    }

    @Test
    void eachKindAnswersForItself() {
        Ingested asr = Ingested.of(TelemetrySamples.asr(1, T0).build(), "a", 1, 2);
        assertThat(asr.isRequest()).isTrue();
        assertThat(asr.signal()).isEqualTo(Signal.ASR);
        assertThat(asr.track()).isEqualTo(Track.CANARY);
        assertThat(asr.eventTime()).isEqualTo(T0.toEpochMilli());

        ServingSample sample = TelemetrySamples.serving(1, T0.plusSeconds(5)).build();
        Ingested serving = Ingested.of(sample, "s", 0, 9);
        assertThat(serving.isServing()).isTrue();
        assertThat(serving.isRequest()).isFalse();
        assertThat(serving.record()).isSameAs(sample);
        assertThat(serving.eventTime()).isEqualTo(T0.plusSeconds(5).toEpochMilli());
        assertThat(serving.service()).isEqualTo("dictation");
        assertThat(serving.modelVersion()).isEqualTo("asr-2024.06");
        assertThat(serving.track()).isNull();
        assertThat(serving.offset).isEqualTo(9);

        PrivacyEvent event = TelemetrySamples.privacy(1, T0.plusSeconds(7)).setModelVersion(null).build();
        Ingested privacy = Ingested.of(event, "p", 0, 3);
        assertThat(privacy.isPrivacy()).isTrue();
        assertThat(privacy.record()).isSameAs(event);
        assertThat(privacy.eventTime()).isEqualTo(T0.plusSeconds(7).toEpochMilli());
        assertThat(privacy.modelVersion()).isNull();

        Ingested dead = Ingested.dead(DeadLetters.of("s", 0, 1, null, null, DeadLetterReason.INVALID_VALUE, "x", null, -1));
        assertThat(dead.isDead()).isTrue();
        assertThat(dead.record()).isNull();
        assertThat(dead.isServing() || dead.isPrivacy() || dead.isRequest()).isFalse();

        assertThatThrownBy(() -> Ingested.of(dead.dead, "t", 0, 0)).hasMessageContaining("not a telemetry record");
    }
}
