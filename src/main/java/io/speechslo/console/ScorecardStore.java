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
 * kept column-wise per series (kind, service, version, track, SLO, slice): a value costs 6 bytes (name
 * id, float value) and its sample count 4 more only where it differs from the previous value's, so a day
 * of the job's scorecards at 10k active slices fits in about 600 MB (the console benchmark). Readers and the feed share it under one read-write lock.
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

    /**
     * One cohort's rows in window-end order; read only under the store's read lock. A row's values sit
     * side by side (metric id, float value); its sample counts are kept once per run of equal counts (most
     * values of a row rest on the same requests), the id's top bit marking a value whose count is the
     * previous one's.
     */
    public final class Series {
        private static final short SAME_SAMPLES = (short) 0x8000;

        public final SeriesKey key;
        private long[] ends = new long[8];
        private int[] offsets = new int[9];
        private int[] sampleOffsets = new int[9];
        private int rows;
        private short[] ids = new short[64];
        private float[] values = new float[64];
        private int[] samples = new int[16];
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
            for (int i = offsets[row]; i < offsets[row + 1]; i++) {
                if ((ids[i] & ~SAME_SAMPLES) == metric) {
                    return values[i];
                }
            }
            return Double.NaN;
        }

        /** The samples behind {@code metric} in {@code row}, 0 when the row has none. */
        public long samples(int row, int metric) {
            int s = sampleOffsets[row] - 1;
            for (int i = offsets[row]; i < offsets[row + 1]; i++) {
                if ((ids[i] & SAME_SAMPLES) == 0) {
                    s++;
                }
                if ((ids[i] & ~SAME_SAMPLES) == metric) {
                    return samples[s];
                }
            }
            return 0;
        }

        void add(Scorecard s) {
            if (rows > 0 && s.getWindowEnd() <= ends[rows - 1]) {
                insertOutOfOrder(s);
                return;
            }
            int n = 0;
            short[] rowIds = new short[s.getValues().size()];
            float[] rowValues = new float[rowIds.length];
            int[] rowSamples = new int[rowIds.length];
            for (ScorecardValue v : s.getValues()) {
                if (v.getValue() != null) {
                    rowIds[n] = nameId(v.getName());
                    rowValues[n] = v.getValue().floatValue();
                    rowSamples[n++] = (int) Math.min(Integer.MAX_VALUE, v.getSamples());
                }
            }
            append(s.getWindowEnd(), rowIds, rowValues, rowSamples, n);
            incidents = s.getIncidents().isEmpty() ? List.of() : List.copyOf(s.getIncidents());
            stage = s.getRollout();
        }

        private void append(long end, short[] rowIds, float[] rowValues, int[] rowSamples, int n) {
            if (rows + 1 >= ends.length) {
                int cap = ends.length * 2;
                ends = Arrays.copyOf(ends, cap);
                offsets = Arrays.copyOf(offsets, cap + 1);
                sampleOffsets = Arrays.copyOf(sampleOffsets, cap + 1);
            }
            int at = offsets[rows];
            int sat = sampleOffsets[rows];
            if (at + n > ids.length) {
                int cap = Math.max(at + n, ids.length * 2);
                ids = Arrays.copyOf(ids, cap);
                values = Arrays.copyOf(values, cap);
            }
            if (sat + n > samples.length) {
                samples = Arrays.copyOf(samples, Math.max(sat + n, samples.length * 2));
            }
            for (int i = 0; i < n; i++) {
                boolean same = i > 0 && rowSamples[i] == rowSamples[i - 1];
                ids[at] = (short) (same ? rowIds[i] | SAME_SAMPLES : rowIds[i]);
                values[at++] = rowValues[i];
                if (!same) {
                    samples[sat++] = rowSamples[i];
                }
            }
            ends[rows] = end;
            rows++;
            offsets[rows] = at;
            sampleOffsets[rows] = sat;
        }

        /** Rare (a series lives on one partition): the rows from its place on are written again after it. */
        private void insertOutOfOrder(Scorecard s) {
            int pos = firstAfter(s.getWindowEnd());
            boolean replace = pos > 0 && ends[pos - 1] == s.getWindowEnd();
            List<Object[]> later = new ArrayList<>();
            for (int r = pos; r < rows; r++) {
                int n = offsets[r + 1] - offsets[r];
                short[] rowIds = new short[n];
                float[] rowValues = new float[n];
                int[] rowSamples = new int[n];
                for (int i = 0; i < n; i++) {
                    rowIds[i] = (short) (ids[offsets[r] + i] & ~SAME_SAMPLES);
                    rowValues[i] = values[offsets[r] + i];
                    rowSamples[i] = (int) samples(r, rowIds[i]);
                }
                later.add(new Object[] {ends[r], rowIds, rowValues, rowSamples});
            }
            List<Incident> keepIncidents = incidents;
            RolloutStage keepStage = stage;
            rows = replace ? pos - 1 : pos;
            add(s);
            for (Object[] row : later) {
                short[] rowIds = (short[]) row[1];
                append((long) row[0], rowIds, (float[]) row[2], (int[]) row[3], rowIds.length);
            }
            if (!later.isEmpty()) {
                incidents = keepIncidents;
                stage = keepStage;
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
            int sfrom = sampleOffsets[drop];
            int scount = sampleOffsets[rows] - sfrom;
            System.arraycopy(ids, from, ids, 0, count);
            System.arraycopy(values, from, values, 0, count);
            System.arraycopy(samples, sfrom, samples, 0, scount);
            System.arraycopy(ends, drop, ends, 0, rows - drop);
            for (int r = drop; r <= rows; r++) {
                offsets[r - drop] = offsets[r] - from;
                sampleOffsets[r - drop] = sampleOffsets[r] - sfrom;
            }
            rows -= drop;
            if (ids.length > 256 && count < ids.length / 4) {
                ids = Arrays.copyOf(ids, count * 2);
                values = Arrays.copyOf(values, count * 2);
            }
            if (samples.length > 256 && scount < samples.length / 4) {
                samples = Arrays.copyOf(samples, scount * 2);
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
            if (names.size() >= Short.MAX_VALUE) {
                throw new IllegalStateException("more than " + Short.MAX_VALUE + " metric names in the scorecards");
            }
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
