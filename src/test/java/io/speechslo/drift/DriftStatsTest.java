package io.speechslo.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.TtsRequest;
import io.speechslo.telemetry.Track;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class DriftStatsTest {

    @Test
    void asrRequestsFillEachFeaturePresentAndCountTraffic() {
        DriftStats s = new DriftStats();
        s.add(asr(0.2f, 0f, 20f, -30f));
        s.add(asr(0.4f, null, 10f, null));
        assertThat(s.requests()).isEqualTo(2);
        assertThat(s.histogram(AudioFeature.SILENCE_RATIO).count()).isEqualTo(2);
        assertThat(s.histogram(AudioFeature.SILENCE_RATIO).mean()).isCloseTo(0.3, within(1e-6));
        assertThat(s.histogram(AudioFeature.CLIPPING_RATIO).count()).isEqualTo(1);
        assertThat(s.histogram(AudioFeature.SNR_DB).mean()).isEqualTo(15.0);
        assertThat(s.histogram(AudioFeature.SPEECH_LEVEL_DBFS).count()).isEqualTo(1);
    }

    @Test
    void ttsRequestsCountOnlyTraffic() {
        DriftStats s = new DriftStats();
        s.add(tts());
        s.add(tts());
        assertThat(s.requests()).isEqualTo(2);
        for (AudioFeature f : AudioFeature.values()) {
            assertThat(s.histogram(f).count()).as(f.id()).isZero();
        }
    }

    @Test
    void mergeAddsRequestsAndHistograms() {
        DriftStats a = new DriftStats();
        a.add(tts());
        DriftStats b = new DriftStats();
        b.add(asr(0.5f, 0.01f, 30f, -20f));
        a.merge(b);
        a.merge(new DriftStats());
        assertThat(a.requests()).isEqualTo(2);
        assertThat(a.histogram(AudioFeature.CLIPPING_RATIO).mean()).isCloseTo(0.01, within(1e-6));
        assertThat(a.histogram(AudioFeature.SNR_DB).count()).isEqualTo(1);
    }

    @Test
    void roundTripWithAndWithoutHistograms() throws IOException {
        DriftStats asr = new DriftStats();
        asr.add(asr(0.2f, 0.003f, 5f, -40f));
        asr.add(asr(0.9f, 0f, 45f, -12f));
        DriftStats tts = new DriftStats();
        tts.add(tts());
        for (DriftStats s : List.of(asr, tts)) {
            DriftStats back = roundTrip(s);
            assertThat(back.requests()).isEqualTo(s.requests());
            for (AudioFeature f : AudioFeature.values()) {
                assertThat(bins(back.histogram(f))).as(f.id()).isEqualTo(bins(s.histogram(f)));
                assertThat(Double.valueOf(back.histogram(f).mean())).as(f.id()).isEqualTo(Double.valueOf(s.histogram(f).mean()));
            }
        }
    }

    static DriftStats roundTrip(DriftStats s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        s.writeTo(new DataOutputStream(bytes));
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        DriftStats back = DriftStats.readFrom(in);
        assertThat(in.read()).as("all bytes consumed").isEqualTo(-1);
        return back;
    }

    private static List<Long> bins(FeatureHistogram h) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < h.feature().bins(); i++) {
            out.add(h.count(i));
        }
        return out;
    }

    private static AsrRequest asr(Float silence, Float clipping, Float snr, Float level) {
        DriftTraffic t = new DriftTraffic(1, 1);
        List<AsrRequest> one = new ArrayList<>();
        t.hour(0, (h, r, rnd) -> {
            r.setSilenceRatio(silence);
            r.setClippingRatio(clipping);
            r.setSnrDb(snr);
            r.setSpeechLevelDbfs(level);
            return true;
        }, r -> one.add(AsrRequest.newBuilder(r).build()));
        return one.get(0);
    }

    static TtsRequest tts() {
        return TtsRequest.newBuilder()
                .setRequestId("t")
                .setEventTime(Instant.ofEpochMilli(DriftTraffic.T0))
                .setService("tts-prod")
                .setModelVersion("v1")
                .setTrack(Track.STABLE)
                .setLanguage("en-US")
                .setRegion("eu-west-1")
                .setDevice("web")
                .setVoice("aria")
                .setOutcome(Outcome.OK)
                .setTextChars(40)
                .setChunks(3)
                .setUnderruns(0)
                .setGeneratedMs(2000)
                .setInterrupted(false)
                .setAbandoned(false)
                .setRetries(0)
                .setFallback(false)
                .setCacheHit(false)
                .setSensitiveLogged(false)
                .build();
    }
}
