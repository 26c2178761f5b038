package io.speechslo.generate;

import io.speechslo.kafka.TelemetryRecords;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.ServingSample;
import io.speechslo.telemetry.TtsRequest;

import org.apache.avro.specific.SpecificRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.BiFunction;

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
 *
 * <p>Services with a {@code serving:} or {@code privacy:} section also give serving samples
 * ({@link #servingSamples()}) and privacy events ({@link #privacyEvents()}), drawn from streams of
 * their own ({@link InputModel}): {@link #records()} is the requests alone, the same with or without
 * those sections, and {@link #everything()} merges all three by event time.
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

    /** Whether any service gives serving samples. */
    public boolean hasServing() {
        return scenario.services().stream().anyMatch(s -> s.serving() != null);
    }

    /** Whether any service gives privacy events. */
    public boolean hasPrivacy() {
        return scenario.services().stream().anyMatch(s -> s.privacy() != null);
    }

    /** Every serving sample, in sample-time order (ties: the scenario's service order). */
    public Iterator<ServingSample> servingSamples() {
        return new InputMinutes<>((model, m) -> model.serving(seed, m), s -> s.getSampleTime().toEpochMilli());
    }

    /** Every privacy event, in event-time order (ties: the scenario's service order). */
    public Iterator<PrivacyEvent> privacyEvents() {
        return new InputMinutes<>((model, m) -> model.privacy(seed, m), e -> e.getEventTime().toEpochMilli());
    }

    /**
     * Requests, serving samples and privacy events merged by event time (ties in that order): what goes
     * to Kafka, where the topics are read side by side.
     */
    public Iterator<SpecificRecord> everything() {
        List<Iterator<? extends SpecificRecord>> sources = List.of(records(), servingSamples(), privacyEvents());
        return new Iterator<>() {
            private final SpecificRecord[] heads = new SpecificRecord[sources.size()];

            {
                for (int i = 0; i < heads.length; i++) {
                    heads[i] = sources.get(i).hasNext() ? sources.get(i).next() : null;
                }
            }

            @Override
            public boolean hasNext() {
                for (SpecificRecord h : heads) {
                    if (h != null) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public SpecificRecord next() {
                int best = -1;
                for (int i = 0; i < heads.length; i++) {
                    if (heads[i] != null && (best < 0 || TelemetryRecords.eventTime(heads[i]) < TelemetryRecords.eventTime(heads[best]))) {
                        best = i;
                    }
                }
                if (best < 0) {
                    throw new NoSuchElementException();
                }
                SpecificRecord r = heads[best];
                heads[best] = sources.get(best).hasNext() ? sources.get(best).next() : null;
                return r;
            }
        };
    }


    /** Walks the minutes of one optional input, every service's records of a minute sorted by time. */
    private final class InputMinutes<T> implements Iterator<T> {
        private final List<InputModel> models = new ArrayList<>();
        private final BiFunction<InputModel, Long, List<T>> minuteOf;
        private final Comparator<T> byTime;
        private long minute;
        private List<T> current = List.of();
        private int next;

        InputMinutes(BiFunction<InputModel, Long, List<T>> minuteOf, java.util.function.ToLongFunction<T> time) {
            for (int i = 0; i < scenario.services().size(); i++) {
                models.add(new InputModel(scenario, i));
            }
            this.minuteOf = minuteOf;
            this.byTime = Comparator.comparingLong(time);
        }

        @Override
        public boolean hasNext() {
            while (next >= current.size() && minute < scenario.minutes()) {
                List<T> all = new ArrayList<>();
                for (InputModel model : models) {
                    all.addAll(minuteOf.apply(model, minute));
                }
                all.sort(byTime); // stable: ties keep the service order
                minute++;
                current = all;
                next = 0;
            }
            return next < current.size();
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return current.get(next++);
        }
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
                        long t = TelemetryRecords.eventTime(lists.get(s).get(at[s]));
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
