package io.speechslo.policy;

import java.time.Duration;
import java.util.List;

/**
 * Slice drift: each slice's current window against the trailing baseline just before it.
 *
 * @param current the current window (default 1 h)
 * @param baseline the trailing baseline before it (default 24 h; whatever part exists is used)
 * @param minBaseline the least baseline history before anything is compared (default 1 h)
 * @param relativeThreshold relative change of a feature's mean (or a slice's traffic share) that is reported (default 0.25)
 * @param distributionThreshold population stability index of a feature's histogram that is reported (default 0.2)
 * @param minSamples samples needed in both windows before a slice's feature is compared
 * @param features the drift features compared: silence_ratio, clipping_ratio, snr_db, speech_level_dbfs, traffic_share
 * @param maxSliceDimensions slices are every combination of up to this many dimensions
 */
public record DriftPolicy(
        Duration current,
        Duration baseline,
        Duration minBaseline,
        double relativeThreshold,
        double distributionThreshold,
        long minSamples,
        List<String> features,
        int maxSliceDimensions) {

    public static final List<String> ALL_FEATURES =
            List.of("silence_ratio", "clipping_ratio", "snr_db", "speech_level_dbfs", "traffic_share");

    public DriftPolicy {
        features = List.copyOf(features);
        for (String f : features) {
            if (!ALL_FEATURES.contains(f)) {
                throw new IllegalArgumentException("unknown drift feature '" + f + "' (known: " + ALL_FEATURES + ")");
            }
        }
        if (!(relativeThreshold > 0) || !(distributionThreshold > 0)) {
            throw new IllegalArgumentException("drift thresholds must be > 0");
        }
        if (minBaseline.compareTo(baseline) > 0) {
            throw new IllegalArgumentException("minimum baseline must not exceed the baseline window");
        }
    }

    public static final DriftPolicy DEFAULT = new DriftPolicy(
            Duration.ofHours(1), Duration.ofHours(24), Duration.ofHours(1), 0.25, 0.2, 200, ALL_FEATURES, 2);
}
