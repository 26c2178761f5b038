package io.speechslo.generate;

import io.speechslo.metrics.Signal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A telemetry scenario: which services send how much of what, from when and for how long, and what
 * changes on which slice at which time. Loaded from YAML by {@link ScenarioLoader} (the format is
 * described at the top of job/scenarios/healthy-canary.yaml); {@link TelemetryGenerator} turns it
 * into requests. Immutable; maps keep the order of the file.
 *
 * @param name metadata.name
 * @param file where it was read from, for messages
 * @param start event time of the first minute
 * @param duration a whole number of minutes
 */
public record Scenario(String name, String file, Instant start, Duration duration, List<Service> services,
        List<Change> changes) {

    public Scenario {
        services = List.copyOf(services);
        changes = List.copyOf(changes);
    }

    /** The same scenario starting at another time (changes are offsets from the start, so they move along). */
    public Scenario startingAt(Instant newStart) {
        return new Scenario(name, file, newStart, duration, services, changes);
    }

    /** Whole minutes of traffic. */
    public long minutes() {
        return duration.toMinutes();
    }

    /**
     * One service's traffic.
     *
     * @param ratePerMinute mean requests per minute over a day (the diurnal multiplier averages 1)
     * @param diurnalAmplitude the rate is multiplied by {@code 1 + amplitude * cos(2 pi (hour - peakHour) / 24)}, hour of day in UTC
     * @param canaryVersion null when the service has no canary
     * @param canaryShare share of requests served by the canary, 0 without one
     * @param shadowVersion the version a shadow deployment runs (mirrored traffic, {@link Quantity#SHADOW_RATE}),
     *        null when the service has none
     * @param mix per slice dimension (all of the signal's), value to weight; dimensions are drawn independently
     * @param base the service's settings of quantities, over the defaults
     * @param profiles cohort settings, applied in order over base (later ones win)
     * @param serving the service's serving samples, null for none
     * @param privacy the service's privacy events, null for none
     */
    public record Service(String name, Signal signal, double ratePerMinute, double diurnalAmplitude, double peakHour,
            String stableVersion, String canaryVersion, double canaryShare, String shadowVersion,
            Map<String, Map<String, Double>> mix,
            Map<Quantity, Setting> base, List<Profile> profiles, Serving serving, Privacy privacy) {

        public Service {
            profiles = List.copyOf(profiles);
        }

        /** The rate multiplier at an event time. */
        public double diurnal(long epochMillis) {
            if (diurnalAmplitude == 0) {
                return 1;
            }
            double hour = Math.floorMod(epochMillis, 86_400_000L) / 3_600_000.0;
            return 1 + diurnalAmplitude * StrictMath.cos(2 * StrictMath.PI * (hour - peakHour) / 24);
        }
    }

    /**
     * Serving samples of a service: one per replica every {@code interval}, from one pool per region
     * of the mix ({@code gpu-<region>}, the pool requests name) and, with a canary, one canary pool per
     * region ({@code gpu-<region>-canary}).
     *
     * @param replicas replicas of each stable pool
     * @param canaryReplicas replicas of each canary pool
     * @param scaleUpEvery null for a pool that never scales; else half-way through every period of this
     *     length the autoscaler asks for one more replica, ready {@code autoscalerLagS} later, and lets it go
     *     at the end of the period
     * @param set the {@link InputQuantity.Input#SERVING} quantities, every one present (defaults filled in)
     */
    public record Serving(Duration interval, int replicas, int canaryReplicas, double gpuMemGb, String precision,
            int maxBatchSize, Duration scaleUpEvery, Map<InputQuantity, Double> set) {}

    /**
     * Privacy events of a service: raw audio accesses and redactions at random (Poisson) by the rates in
     * {@code set}, a retention sweep every {@code retentionEvery} and a fixture run every
     * {@code fixtureEvery}, each half-way through its period.
     *
     * @param retentionDue mean recordings due per sweep (Poisson)
     * @param fixtureSlices production slices each fixture run is given
     * @param set the {@link InputQuantity.Input#PRIVACY} quantities, every one present (defaults filled in)
     */
    public record Privacy(Duration retentionEvery, double retentionDue, Duration fixtureEvery, String fixtureSet,
            int fixtureSlices, Map<InputQuantity, Double> set) {}

    /** The value of a quantity: a value or mean, and for LOGNORMAL quantities the median and p99. */
    public record Setting(double value, double p99) {

        public static Setting of(Quantity q) {
            return new Setting(q.defaultValue(), q.defaultP99());
        }
    }

    /** Settings for the requests of one cohort. {@code where}: dimension to value, any subset. */
    public record Profile(Map<String, String> where, Map<Quantity, Setting> set) {}

    /** {@code value * multiply + add}. */
    public record Adjustment(double multiply, double add) {

        public double apply(double v) {
            return v * multiply + add;
        }

        /** This adjustment after {@code first}. */
        public Adjustment after(Adjustment first) {
            return new Adjustment(first.multiply * multiply, first.add * multiply + add);
        }
    }

    /**
     * An injected change, active for event times in [start + from, start + until).
     *
     * @param service null for every service
     * @param until null for the end of the scenario
     * @param track STABLE or CANARY, or null for both
     * @param version a model version, or null for any
     * @param where dimension to value, any subset (empty: every slice)
     * @param adjust adjustments of quantities, applied after the settings (changes apply in file order)
     * @param newValues slice values that appear from {@code from}: dimension to value to weight, the
     *     weight relative to the service's mix of that dimension
     * @param adjustInputs adjustments of serving and privacy quantities (never narrowed by {@code where})
     */
    public record Change(String name, String service, Duration from, Duration until, io.speechslo.telemetry.Track track,
            String version, Map<String, String> where, Map<Quantity, Adjustment> adjust,
            Map<String, Map<String, Double>> newValues, Map<InputQuantity, Adjustment> adjustInputs) {

        public boolean appliesTo(String serviceName) {
            return service == null || service.equals(serviceName);
        }
    }
}
