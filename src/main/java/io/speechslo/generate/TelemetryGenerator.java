package io.speechslo.generate;

import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.specific.SpecificRecord;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Turns a {@link Scenario} into request telemetry ({@link AsrRequest} and {@link TtsRequest}), in
 * event-time order, one minute at a time: memory holds one minute of requests, however long the
 * scenario. Everything is drawn from streams seeded by (seed, service, minute), so the same scenario
 * and seed give the same records, and any record can be reached without drawing those before it
 * (whole minutes are skipped by their counts alone). No wall-clock time is read.
 *
 * <p>Per service and minute the request count is Poisson around {@code ratePerMinute} times the
 * diurnal multiplier at the middle of the minute; event times are uniform within the minute; ties
 * between services keep the order of the scenario's services.
 */
public final class TelemetryGenerator {

    private final Scenario scenario;
    private final long seed;

    public TelemetryGenerator(Scenario scenario, long seed) {
        this.scenario = scenario;
        this.seed = seed;
    }

    public Scenario scenario() {
        return scenario;
    }

    public long seed() {
        return seed;
    }

    /** How many records {@link #records()} yields, counted without drawing them. */
    public long count() {
        List<ServiceModel> models = models();
        long n = 0;
        for (long m = 0; m < scenario.minutes(); m++) {
            for (ServiceModel s : models) {
                n += s.count(seed, m);
            }
        }
        return n;
    }

    /** Every record, in event-time order. */
    public Iterator<SpecificRecord> records() {
        return records(0);
    }

    /** The records from the {@code skip}-th on (0-based), as {@link #records()} would continue. */
    public Iterator<SpecificRecord> records(long skip) {
        if (skip < 0) {
            throw new IllegalArgumentException("cannot skip " + skip + " records");
        }
        return new Minutes(models(), skip);
    }

    private List<ServiceModel> models() {
        List<ServiceModel> models = new ArrayList<>();
        for (int i = 0; i < scenario.services().size(); i++) {
            models.add(new ServiceModel(scenario, i));
        }
        return models;
    }

    /** Event time of a generated record. */
    public static long eventTime(SpecificRecord r) {
        return r instanceof AsrRequest a ? a.getEventTime().toEpochMilli() : ((TtsRequest) r).getEventTime().toEpochMilli();
    }

    /** Walks the minutes, merging the services' requests of each by event time. */
    private final class Minutes implements Iterator<SpecificRecord> {
        private final List<ServiceModel> models;
        private long minute;
        private List<SpecificRecord> current = List.of();
        private int next;

        Minutes(List<ServiceModel> models, long skip) {
            this.models = models;
            long left = skip;
            while (minute < scenario.minutes()) {
                long n = 0;
                for (ServiceModel s : models) {
                    n += s.count(seed, minute);
                }
                if (n > left) {
                    break;
                }
                left -= n;
                minute++;
            }
            fill();
            next = (int) Math.min(left, current.size());
        }

        private void fill() {
            while (minute < scenario.minutes()) {
                List<List<SpecificRecord>> perService = new ArrayList<>(models.size());
                int total = 0;
                for (ServiceModel s : models) {
                    List<SpecificRecord> l = s.minute(seed, minute);
                    perService.add(l);
                    total += l.size();
                }
                minute++;
                if (total > 0) {
                    current = merge(perService, total);
                    next = 0;
                    return;
                }
            }
            current = List.of();
            next = 0;
        }

        private List<SpecificRecord> merge(List<List<SpecificRecord>> lists, int total) {
            if (lists.size() == 1) {
                return lists.get(0);
            }
            List<SpecificRecord> out = new ArrayList<>(total);
            int[] at = new int[lists.size()];
            for (int k = 0; k < total; k++) {
                int best = -1;
                long bestTime = Long.MAX_VALUE;
                for (int s = 0; s < lists.size(); s++) {
                    if (at[s] < lists.get(s).size()) {
                        long t = eventTime(lists.get(s).get(at[s]));
                        if (t < bestTime) {
                            best = s;
                            bestTime = t;
                        }
                    }
                }
                out.add(lists.get(best).get(at[best]++));
            }
            return out;
        }

        @Override
        public boolean hasNext() {
            if (next < current.size()) {
                return true;
            }
            fill();
            return next < current.size();
        }

        @Override
        public SpecificRecord next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return current.get(next++);
        }
    }
}
