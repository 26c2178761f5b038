package io.speechslo.drift;

import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Redaction;
import io.speechslo.telemetry.Track;

import java.time.Instant;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Seeded synthetic ASR traffic with a stable profile, hour by hour: languages en-US/de-DE (1:1),
 * regions eu-west-1/us-east-1/ap-south-1 (40/40/20%), devices mobile/web (1:1), acoustic conditions
 * quiet/noisy (60/40%). Silence ratio ~ 0.3 +- 0.1; clipping 0 on quiet audio, ~0.002 on noisy;
 * SNR ~ 25 +- 8 dB quiet, 12 +- 6 dB noisy; speech level ~ -26 +- 6 dBFS.
 * One request object is reused: a sink must not keep it.
 */
final class DriftTraffic {

    static final String SERVICE = "asr-prod";
    static final long HOUR = 3_600_000L;
    static final long T0 = Instant.parse("2025-03-01T00:00:00Z").toEpochMilli();

    /** Adjusts a request after the stable profile drew it; false drops the request. */
    interface Change {
        boolean apply(int hour, AsrRequest r, SplittableRandom rnd);
    }

    static final Change NONE = (h, r, rnd) -> true;

    private final SplittableRandom rnd;
    private final int perHour;
    private final AsrRequest r = AsrRequest.newBuilder()
            .setRequestId("r")
            .setEventTime(Instant.ofEpochMilli(T0))
            .setService(SERVICE)
            .setModelVersion("m1")
            .setTrack(Track.STABLE)
            .setLanguage("en-US")
            .setRegion("eu-west-1")
            .setDevice("mobile")
            .setAcousticCondition("quiet")
            .setOutcome(Outcome.OK)
            .setAudioMs(4000)
            .setPartials(3)
            .setPartialRewrites(0)
            .setRetries(0)
            .setFallback(false)
            .setRawAudioRetained(false)
            .setSensitiveLogged(false)
            .setRedaction(Redaction.NOT_NEEDED)
            .build();

    DriftTraffic(long seed, int perHour) {
        this.rnd = new SplittableRandom(seed);
        this.perHour = perHour;
    }

    /** The reused request object, as last drawn. */
    AsrRequest template() {
        return r;
    }

    /** Emits one hour of traffic (perHour requests drawn from the stable profile, then changed). */
    void hour(int hour, Change change, Consumer<AsrRequest> sink) {
        for (int i = 0; i < perHour; i++) {
            r.setEventTime(Instant.ofEpochMilli(T0 + hour * HOUR + rnd.nextLong(HOUR)));
            r.setLanguage(rnd.nextBoolean() ? "en-US" : "de-DE");
            double u = rnd.nextDouble();
            r.setRegion(u < 0.4 ? "eu-west-1" : u < 0.8 ? "us-east-1" : "ap-south-1");
            r.setDevice(rnd.nextBoolean() ? "mobile" : "web");
            boolean quiet = rnd.nextDouble() < 0.6;
            r.setAcousticCondition(quiet ? "quiet" : "noisy");
            r.setSilenceRatio(clamp01(0.3 + 0.1 * gauss()));
            r.setClippingRatio(quiet ? 0f : clamp01(0.002 + 0.001 * gauss()));
            r.setSnrDb((float) (quiet ? 25 + 8 * gauss() : 12 + 6 * gauss()));
            r.setSpeechLevelDbfs((float) (-26 + 6 * gauss()));
            if (change.apply(hour, r, rnd)) {
                sink.accept(r);
            }
        }
    }

    double gauss() {
        // Box-Muller on the seeded generator.
        double u1 = 1 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    static float clamp01(double v) {
        return (float) Math.min(1, Math.max(0, v));
    }
}
