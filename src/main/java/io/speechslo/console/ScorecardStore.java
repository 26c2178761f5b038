package io.speechslo.console;

import io.speechslo.advisory.Advisory;
import io.speechslo.scorecard.Incident;
import io.speechslo.scorecard.RolloutStage;
import io.speechslo.scorecard.Scorecard;
import io.speechslo.scorecard.ScorecardKind;
import io.speechslo.scorecard.ScorecardValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * What the console knows: every scorecard and advisory of the last {@code history} of event time (the
 * newest window end seen is "now", so a replayed week looks the same as a live one). Scorecards are
 * kept column-wise per series (kind, service, version, track, SLO, slice): a value costs 10 bytes (name
 * id, float value, int samples), so a day of the job's scorecards at 10k active slices fits in a few
 * hundred MB. Readers and the feed share it under one read-write lock.
 */
public final class ScorecardStore {

    private final long historyMillis;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Short> nameIds = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    private final Map<SeriesKey, Series> series = new HashMap<>();
    private final Map<String, List<Series>> byService = new TreeMap<>();
    private final Map<String, String> signals = new TreeMap<>();
    private final List<Advisory> advisories = new ArrayList<>();
    private long latest = Long.MIN_VALUE;
    private long sweptAt = Long.MIN_VALUE;
    private long scorecardCount;
    private long advisoryCount;

    public ScorecardStore(Duration history) {
        this.historyMillis = history.toMillis();
    }

    /** A series: one cohort's scorecards of one kind. */
    public record SeriesKey(ScorecardKind kind, String service, String version, String track, String slo,
            Map<String, String> slice) {

        /** The slice as "dim=value, dim=value" in dimension-name order, "" for the whole service. */
        public String sliceLabel() {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, String> e : slice.entrySet()) {
                sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(e.getValue());
            }
            return sb.toString();
        }
    }

    /** One cohort's rows in window-end order; read only under the store's read lock. */
    public final class Series {
        public final SeriesKey key;
        private long[] ends = new long[8];
        private int[] offsets = new int[9];
        private int rows;
        private short[] ids = new short[64];
        private float[] values = new float[64];
        private int[] samples = new int[64];
        private List<Incident> incidents = List.of();
        private RolloutStage stage;

        Series(SeriesKey key) {
            this.key = key;
        }

        public int rows() {
            return rows;
        }

        public long end(int row) {
            return ends[row];
        }

        public long lastEnd() {
            return rows == 0 ? Long.MIN_VALUE : ends[rows - 1];
        }

        /** The incidents open at the newest row (SLO series). */
        public List<Incident> incidents() {
            return incidents;
        }

        /** The rollout stage of the newest row (ROLLOUT series). */
        public RolloutStage stage() {
            return stage;
        }

        /** The first row whose window ends after {@code from} (rows are in window-end order). */
        public int firstAfter(long from) {
            int lo = 0;
            int hi = rows;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (ends[mid] <= from) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        /** The value of {@code metric} in {@code row}, or NaN when the row has none. */
        public double value(int row, int metric) {
            int i = find(row, metric);
            return i < 0 ? Double.NaN : values[i];
        }

        /** The samples behind {@code metric} in {@code row}, 0 when the row has none. */
        public long samples(int row, int metric) {
            int i = find(row, metric);
            return i < 0 ? 0 : samples[i];
        }

        private int find(int row, int metric) {
            for (int i = offsets[row]; i < offsets[row + 1]; i++) {
                if (ids[i] == metric) {
                    return i;
                }
            }
            return -1;
        }

        void add(Scorecard s) {
            long end = s.getWindowEnd();
            int n = s.getValues().size();
            if (rows > 0 && end <= ends[rows - 1]) {
                insertOutOfOrder(s);
                return;
            }
            ensure(rows + 1, offsets[rows] + n);
            int at = offsets[rows];
            for (ScorecardValue v : s.getValues()) {
                if (v.getValue() != null) {
                    ids[at] = nameId(v.getName());
                    values[at] = v.getValue().floatValue();
                    samples[at] = (int) Math.min(Integer.MAX_VALUE, v.getSamples());
                    at++;
                }
            }
            ends[rows] = end;
            offsets[++rows] = at;
            incidents = s.getIncidents().isEmpty() ? List.of() : List.copyOf(s.getIncidents());
            stage = s.getRollout();
        }

        /** Rare (a series lives on one partition): rebuilds the rows with this one in place. */
        private void insertOutOfOrder(Scorecard s) {
            List<Object[]> kept = new ArrayList<>();
            int pos = firstAfter(s.getWindowEnd());
            boolean replace = pos > 0 && ends[pos - 1] == s.getWindowEnd();
            int tailFrom = pos;
            int headTo = replace ? pos - 1 : pos;
            for (int r = tailFrom; r < rows; r++) {
                kept.add(new Object[] {ends[r], Arrays.copyOfRange(ids, offsets[r], offsets[r + 1]),
                        Arrays.copyOfRange(values, offsets[r], offsets[r + 1]),
                        Arrays.copyOfRange(samples, offsets[r], offsets[r + 1])});
            }
            List<Incident> keepIncidents = incidents;
            RolloutStage keepStage = stage;
            rows = headTo;
            add(s);
            for (Object[] row : kept) {
                short[] i = (short[]) row[1];
                ensure(rows + 1, offsets[rows] + i.length);
                System.arraycopy(i, 0, ids, offsets[rows], i.length);
                System.arraycopy(row[2], 0, values, offsets[rows], i.length);
                System.arraycopy(row[3], 0, samples, offsets[rows], i.length);
                ends[rows] = (long) row[0];
                offsets[rows + 1] = offsets[rows] + i.length;
                rows++;
            }
            if (!kept.isEmpty()) {
                incidents = keepIncidents;
                stage = keepStage;
            }
        }

        private void ensure(int rowCount, int valueCount) {
            if (rowCount > ends.length) {
                int cap = Math.max(rowCount, ends.length * 2);
                ends = Arrays.copyOf(ends, cap);
                offsets = Arrays.copyOf(offsets, cap + 1);
            }
            if (valueCount > ids.length) {
                int cap = Math.max(valueCount, ids.length * 2);
                ids = Arrays.copyOf(ids, cap);
                values = Arrays.copyOf(values, cap);
                samples = Arrays.copyOf(samples, cap);
            }
        }

        /** Drops the rows that ended at or before {@code horizon}. */
        void trim(long horizon) {
            int drop = firstAfter(horizon);
            if (drop == 0) {
                return;
            }
            int from = offsets[drop];
            int count = offsets[rows] - from;
            System.arraycopy(ids, from, ids, 0, count);
            System.arraycopy(values, from, values, 0, count);
            System.arraycopy(samples, from, samples, 0, count);
            System.arraycopy(ends, drop, ends, 0, rows - drop);
            for (int r = drop; r <= rows; r++) {
                offsets[r - drop] = offsets[r] - from;
            }
            rows -= drop;
            if (ids.length > 256 && count < ids.length / 4) {
                ids = Arrays.copyOf(ids, count * 2);
                values = Arrays.copyOf(values, count * 2);
                samples = Arrays.copyOf(samples, count * 2);
            }
        }
    }

    /** Adds scorecards and advisories read in one poll, under one write lock. */
    public void addAll(Collection<Scorecard> scorecards, Collection<Advisory> newAdvisories) {
        lock.writeLock().lock();
        try {
            for (Scorecard s : scorecards) {
                add(s);
            }
            for (Advisory a : newAdvisories) {
                advisories.add(a);
                advisoryCount++;
                latest = Math.max(latest, a.getWindowEnd());
                if (a.getService() != null) {
                    byService.computeIfAbsent(a.getService(), k -> new ArrayList<>());
                }
            }
            if (sweptAt == Long.MIN_VALUE || latest - sweptAt >= historyMillis / 24) {
                sweep();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void add(Scorecard s) {
        scorecardCount++;
        latest = Math.max(latest, s.getWindowEnd());
        SeriesKey key = new SeriesKey(s.getKind(), s.getService(), s.getModelVersion(), s.getTrack(), s.getSlo(),
                s.getSlice().isEmpty() ? Map.of() : new TreeMap<>(s.getSlice()));
        Series ser = series.get(key);
        if (ser == null) {
            ser = new Series(key);
            series.put(key, ser);
            byService.computeIfAbsent(s.getService(), k -> new ArrayList<>()).add(ser);
        }
        if (s.getSignal() != null) {
            signals.putIfAbsent(s.getService(), s.getSignal());
        }
        ser.add(s);
    }

    /** Forgets what ended before the history horizon: rows, empty series and advisories. */
    private void sweep() {
        sweptAt = latest;
        long horizon = latest - historyMillis;
        for (List<Series> list : byService.values()) {
            list.removeIf(ser -> {
                ser.trim(horizon);
                if (ser.rows() == 0) {
                    series.remove(ser.key);
                    return true;
                }
                return false;
            });
        }
        advisories.removeIf(a -> a.getWindowEnd() <= horizon);
    }

    private short nameId(String name) {
        Short id = nameIds.get(name);
        if (id == null) {
            id = (short) names.size();
            nameIds.put(name, id);
            names.add(name);
        }
        return id;
    }

    /** Runs {@code reader} under the read lock. */
    public <T> T read(java.util.function.Function<View, T> reader) {
        lock.readLock().lock();
        try {
            return reader.apply(new View());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** What a reader sees while it holds the read lock. */
    public final class View {

        /** The newest window end seen, or {@link Long#MIN_VALUE} before any data. */
        public long latest() {
            return latest;
        }

        public long scorecards() {
            return scorecardCount;
        }

        public long advisoriesSeen() {
            return advisoryCount;
        }

        public int seriesCount() {
            return series.size();
        }

        public List<String> services() {
            return new ArrayList<>(byService.keySet());
        }

        /** ASR or TTS, or null when only advisories or non-request scorecards named the service. */
        public String signal(String service) {
            return signals.get(service);
        }

        /** Every model version seen in a service's scorecards or advisories, sorted. */
        public List<String> versions(String service) {
            TreeSet<String> v = new TreeSet<>();
            for (Series s : byService.getOrDefault(service, List.of())) {
                if (s.key.version() != null) {
                    v.add(s.key.version());
                }
            }
            for (Advisory a : advisories) {
                if (a.getService().equals(service) && a.getModelVersion() != null) {
                    v.add(a.getModelVersion());
                }
            }
            return new ArrayList<>(v);
        }

        /** A service's series that pass {@code filter}, in a stable order (kind, version, track, SLO, slice). */
        public List<Series> series(String service, Predicate<SeriesKey> filter) {
            List<Series> out = new ArrayList<>();
            for (Series s : byService.getOrDefault(service, List.of())) {
                if (filter.test(s.key)) {
                    out.add(s);
                }
            }
            out.sort(SERIES_ORDER);
            return out;
        }

        /** The id of a metric name, or -1 when no scorecard carried it. */
        public int metric(String name) {
            Short id = nameIds.get(name);
            return id == null ? -1 : id;
        }

        /** Advisories of a service (every service when null) in order of arrival. */
        public List<Advisory> advisories(String service) {
            List<Advisory> out = new ArrayList<>();
            for (Advisory a : advisories) {
                if (service == null || a.getService().equals(service)) {
                    out.add(a);
                }
            }
            return out;
        }
    }

    private static final Comparator<String> NULLS_FIRST = Comparator.nullsFirst(Comparator.naturalOrder());

    static final Comparator<Series> SERIES_ORDER = Comparator
            .comparing((Series s) -> s.key.kind())
            .thenComparing(s -> s.key.version(), NULLS_FIRST)
            .thenComparing(s -> s.key.track(), NULLS_FIRST)
            .thenComparing(s -> s.key.slo(), NULLS_FIRST)
            .thenComparing(s -> s.key.slice().size())
            .thenComparing(s -> s.key.sliceLabel());

}
