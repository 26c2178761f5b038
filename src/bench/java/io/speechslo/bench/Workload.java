package io.speechslo.bench;

import io.speechslo.generate.Scenario;
import io.speechslo.generate.ScenarioLoader;
import io.speechslo.generate.TelemetryGenerator;

import org.apache.avro.specific.SpecificRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The benchmarks' telemetry: the first N records of the bench-fleet scenario
 * ({@code src/bench/resources/bench/fleet.yaml}, seed {@value #SEED}), ASR and TTS mixed, in event-time
 * order. The scenario starts on a recent UTC day boundary, early enough that the last record is at
 * least an hour old: a real broker keeps records for 7 days by their timestamp and refuses timestamps
 * more than an hour ahead, and the job dead-letters event times far from the Kafka timestamp.
 */
final class Workload {

    static final String SCENARIO = "bench/fleet.yaml";
    static final long SEED = 20_260_105L;

    private Workload() {}

    /** The scenario, long enough for {@code records} requests, starting at a day boundary in the past. */
    static Scenario scenario(long records) {
        Scenario s = load();
        double perMinute = s.services().stream().mapToDouble(Scenario.Service::ratePerMinute).sum();
        // the diurnal multiplier dips to 0.6 at most for these services: 1.7x the mean rate's minutes suffice
        long minutes = (long) Math.ceil(records / perMinute * 1.7) + 10;
        Instant start = Instant.now().minus(Duration.ofMinutes(minutes)).minus(Duration.ofHours(1))
                .truncatedTo(ChronoUnit.DAYS);
        return new Scenario(s.name(), s.file(), start, Duration.ofMinutes(minutes), s.services(), s.changes());
    }

    /** The first {@code n} records of the scenario; fails if it has fewer. */
    static Iterator<SpecificRecord> records(Scenario scenario, long n) {
        Iterator<SpecificRecord> all = new TelemetryGenerator(scenario, SEED).records();
        return new Iterator<>() {
            private long taken;

            @Override
            public boolean hasNext() {
                if (taken >= n) {
                    return false;
                }
                if (!all.hasNext()) {
                    throw new IllegalStateException(scenario.name() + " ran out after " + taken + " of " + n + " records");
                }
                return true;
            }

            @Override
            public SpecificRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                taken++;
                return all.next();
            }
        };
    }

    private static Scenario load() {
        try (InputStream in = Workload.class.getClassLoader().getResourceAsStream(SCENARIO)) {
            if (in == null) {
                throw new IllegalStateException(SCENARIO + " is not on the classpath (run with -Pbench)");
            }
            return ScenarioLoader.parse(SCENARIO, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SCENARIO, e);
        }
    }
}
