package io.speechslo.burn;

import io.speechslo.advisory.Action;
import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Direction;
import io.speechslo.advisory.Finding;
import io.speechslo.policy.BurnAlert;
import io.speechslo.policy.BurnSettings;
import io.speechslo.policy.Durations;
import io.speechslo.policy.Severity;
import io.speechslo.policy.SloDefinition;
import io.speechslo.slice.Slice;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Multi-window, multi-burn-rate alerting (SRE Workbook, chapter 5) for one SLO of one service, or of one
 * model version of it. The caller feeds request outcomes as they arrive and calls {@link #evaluate} as
 * event time (the watermark) passes each pane end.
 *
 * <p>An alert condition holds when the burn rates over BOTH its long and its short window are at or above
 * its threshold ({@code >=} as in the Workbook, see {@link BurnRates#reaches}; the threshold is the
 * factor, capped by {@link BurnRates#effectiveThreshold}) AND its long window holds at least
 * {@code minEvents} requests AND at least {@link #MIN_BAD_EVENTS} bad ones: two slow requests out of
 * 150 are a burn rate of 1.3 against a 99% objective, but no evidence of anything. The decision is PAGE if any page condition holds, else TICKET if any ticket
 * condition holds, else RESOLVED if an alert was standing. An advisory is emitted when the decision
 * changes, and a standing PAGE or TICKET is emitted again every {@code reminder} of event time. A healthy
 * monitor that was never alerting emits nothing. The advisory's windows and rates are those of the
 * strongest condition that holds (a page over a ticket, then the highest threshold, then policy order);
 * a RESOLVED one shows the condition that fired last, with its current rates.
 *
 * <p>Not thread-safe; one instance per key, as a Flink operator keeps it.
 *
 * <p>Windows follow {@link PaneCounts}: the window ending at {@code e} covers event times {@code [e - L, e)}.
 * Everything depends only on the inputs (event times, counts, evaluation times), never on the wall clock.
 */
public final class BurnRateMonitor {

    /**
     * Byte formats of a monitor (see {@link #writeTo}; the state serializer's snapshot records which one a
     * state is in). Formats 1 and 2 begin with their number as an int: 1 without the time the standing
     * alert began, 2 with it; savepoints before 2026-12-05 hold one or the other (their snapshot says
     * 2, the leading int tells). Format 3 drops the leading int: the snapshot records the format once.
     */
    public static final int FORMAT_WITH_LEADING_INT = 2;
    /** The format {@link #writeTo} writes. */
    public static final int FORMAT = 3;
    private static final long DAY_MILLIS = 86_400_000L;

    /** Bad requests a long window must hold before any condition can fire. */
    public static final long MIN_BAD_EVENTS = 10;
    /** For a threshold SLO: judged timeslices a long window must hold before any condition can fire. */
    public static final long MIN_JUDGED_TIMESLICES = 10;
    /** For a threshold SLO: bad timeslices a long window must hold before any condition can fire. */
    public static final long MIN_BAD_TIMESLICES = 3;

    // Configuration, not state: writeTo leaves it out, configure attaches it.
    private SloDefinition slo;
    private BurnSettings settings;
    private String service;
    private String modelVersion;
    private String policyVersion;
    /** The slice a threshold SLO's monitor judges (ALL for the whole service and for request-based SLOs). */
    private Slice cohort;
    /** The findings' slice: the cohort, with the model version. */
    private Slice slice;
    private List<BurnAlert> alerts;
    private double[] thresholds;
    private double budget;
    private long minEvents;
    private long minBad;
    private long reminderMillis;

    // State.
    private final String sloName;
    private PaneCounts counts;
    /** PAGE or TICKET while an alert stands, else null. */
    private Decision standing;
    /** When the standing alert took its current decision (PAGE or TICKET), else MIN_VALUE. */
    private long standingSince = Long.MIN_VALUE;
    private long lastEmitMillis = Long.MIN_VALUE;
    private long lastEvaluatedMillis = Long.MIN_VALUE;
    private long lastEventMillis = Long.MIN_VALUE;
    /** Names of the conditions that fired at the last evaluation, in policy order. */
    private final Set<String> wasFiring = new LinkedHashSet<>();
    /** Name of the strongest condition at the last evaluation where any fired. */
    private String lastFired;
    /** Not state: see {@link #assessment()}. */
    private transient Advisory assessment;

    /**
     * @param modelVersion the model version this monitor watches, or null for the whole service
     * @param policyVersion copied into every advisory
     */
    public BurnRateMonitor(
            SloDefinition slo, BurnSettings settings, String service, String modelVersion, String policyVersion) {
        this(slo, settings, service, modelVersion, Slice.ALL, policyVersion);
    }

    /**
     * A monitor of one slice: for a threshold SLO, which is judged per slice ({@link #settings(SloDefinition,
     * BurnSettings)} gives its settings).
     */
    public BurnRateMonitor(SloDefinition slo, BurnSettings settings, String service, String modelVersion, Slice slice,
            String policyVersion) {
        this.sloName = Objects.requireNonNull(slo, "slo").name();
        configure(slo, settings, service, modelVersion, slice, policyVersion);
    }

    /**
     * The settings a monitor of {@code slo} runs under: the burn settings for a request-based SLO; for a
     * threshold SLO, panes of its timeslice and at least {@link #MIN_JUDGED_TIMESLICES} judged timeslices
     * in a long window, with the burn settings' reminder.
     */
    public static BurnSettings settings(SloDefinition slo, BurnSettings burn) {
        return slo.isThreshold()
                ? new BurnSettings(slo.threshold().timeslice(), MIN_JUDGED_TIMESLICES, burn.reminder())
                : burn;
    }

    /** A monitor without its configuration, for {@link #readFrom(DataInput)}. */
    private BurnRateMonitor(String sloName, PaneCounts counts) {
        this.sloName = sloName;
        this.counts = counts;
    }

    /**
     * Attaches the configuration to run under (as the constructor takes it). It is not state:
     * {@link #writeTo} leaves it out, so a monitor read back with {@link #readFrom(DataInput)} needs it
     * attached again before it evaluates. Attaching the configuration it already has changes nothing;
     * another one (a new policy after a restore) takes effect from now on, as if the state had been
     * written and read back under it.
     *
     * @return this monitor
     * @throws IllegalArgumentException when the SLO is another one than the state's, or the settings
     *         do not fit it (or the panes the counts were kept in)
     */
    public BurnRateMonitor configure(
            SloDefinition slo, BurnSettings settings, String service, String modelVersion, String policyVersion) {
        return configure(slo, settings, service, modelVersion, Slice.ALL, policyVersion);
    }

    /** {@link #configure(SloDefinition, BurnSettings, String, String, String)} for the monitor of one slice. */
    public BurnRateMonitor configure(SloDefinition slo, BurnSettings settings, String service, String modelVersion,
            Slice slice, String policyVersion) {
        Objects.requireNonNull(slo, "slo");
        Objects.requireNonNull(slice, "slice");
        Objects.requireNonNull(settings, "burn settings");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(policyVersion, "policyVersion");
        if (slo.equals(this.slo) && settings.equals(this.settings) && service.equals(this.service)
                && Objects.equals(modelVersion, this.modelVersion) && policyVersion.equals(this.policyVersion)
                && slice.equals(this.cohort)) {
            return this;
        }
        if (!slo.name().equals(sloName)) {
            throw new IllegalArgumentException("burn-rate state belongs to SLO '" + sloName + "', not '" + slo.name() + "'");
        }
        double budget = BurnRates.errorBudget(slo.objective());
        long paneMillis = settings.pane().toMillis();
        if (settings.minEvents() < 0) {
            throw new IllegalArgumentException(slo.name() + ": minEvents must be >= 0, got " + settings.minEvents());
        }
        if (settings.reminder().toMillis() <= 0) {
            throw new IllegalArgumentException(slo.name() + ": reminder must be positive, got " + settings.reminder());
        }
        List<BurnAlert> alerts = slo.alerts();
        double[] thresholds = new double[alerts.size()];
        Duration longest = settings.pane();
        for (int i = 0; i < alerts.size(); i++) {
            BurnAlert a = alerts.get(i);
            thresholds[i] = BurnRates.effectiveThreshold(a.factor(), budget);
            for (Duration w : List.of(a.longWindow(), a.shortWindow())) {
                if (paneMillis <= 0 || w.toMillis() % paneMillis != 0) {
                    throw new IllegalArgumentException(slo.name() + "/" + a.name() + ": window " + Durations.format(w)
                            + " is not a whole number of " + Durations.format(settings.pane()) + " panes");
                }
            }
            if (a.longWindow().compareTo(longest) > 0) {
                longest = a.longWindow();
            }
        }
        if (counts == null) {
            counts = new PaneCounts(settings.pane(), longest, slo.window());
        } else if (counts.paneMillis() != paneMillis) {
            throw new IllegalArgumentException(slo.name() + ": burn-rate counts were kept in " + counts.paneMillis()
                    + " ms panes, now configured " + paneMillis + " ms");
        } else {
            counts.shape(longest, slo.window());
        }
        this.slo = slo;
        this.settings = settings;
        this.service = service;
        this.modelVersion = modelVersion;
        this.policyVersion = policyVersion;
        this.cohort = slice;
        Map<String, String> dims = new java.util.TreeMap<>(slice.toMap());
        if (modelVersion != null) {
            dims.put("model_version", modelVersion);
        }
        this.slice = Slice.of(dims);
        this.alerts = alerts;
        this.thresholds = thresholds;
        this.budget = budget;
        this.minEvents = settings.minEvents();
        this.minBad = slo.isThreshold() ? MIN_BAD_TIMESLICES : MIN_BAD_EVENTS;
        this.reminderMillis = settings.reminder().toMillis();
        return this;
    }

    private void requireConfigured() {
        if (slo == null) {
            throw new IllegalStateException("burn-rate monitor of SLO '" + sloName
                    + "' was read back without its configuration: configure it before use");
        }
    }

    /** Counts one request; false if it is older than the oldest kept pane (late: count it as dropped). */
    public boolean onRequest(long eventTimeMillis, boolean good) {
        return add(eventTimeMillis, good ? 1 : 0, 1);
    }

    /** Counts {@code good} of {@code total} requests at one event time; false if late, as above. */
    public boolean add(long eventTimeMillis, long good, long total) {
        if (!counts.add(eventTimeMillis, good, total)) {
            return false;
        }
        if (total > 0) {
            lastEventMillis = Math.max(lastEventMillis, eventTimeMillis);
        }
        return true;
    }

    /**
     * Evaluates every alert condition over the windows ending at {@code paneEndMillis}, which must be a pane
     * boundary. Evaluating at or before the last evaluated time does nothing and returns empty.
     */
    public Optional<Advisory> evaluate(long paneEndMillis) {
        requireConfigured();
        long paneMillis = counts.paneMillis();
        if (Math.floorMod(paneEndMillis, paneMillis) != 0) {
            throw new IllegalArgumentException(slo.name() + ": evaluation time " + paneEndMillis
                    + " is not a multiple of the " + paneMillis + " ms pane");
        }
        if (paneEndMillis <= lastEvaluatedMillis) {
            return Optional.empty();
        }
        lastEvaluatedMillis = paneEndMillis;
        assessment = null;

        int n = alerts.size();
        Counts[] longC = new Counts[n];
        Counts[] shortC = new Counts[n];
        double[] longRate = new double[n];
        double[] shortRate = new double[n];
        boolean[] firing = new boolean[n];
        int strongest = -1;
        Decision decision = null;
        for (int i = 0; i < n; i++) {
            BurnAlert a = alerts.get(i);
            longC[i] = counts.sum(paneEndMillis, a.longWindow().toMillis());
            shortC[i] = counts.sum(paneEndMillis, a.shortWindow().toMillis());
            longRate[i] = BurnRates.burnRate(longC[i].bad(), longC[i].total(), budget);
            shortRate[i] = BurnRates.burnRate(shortC[i].bad(), shortC[i].total(), budget);
            firing[i] = enough(longC[i]) && BurnRates.reaches(longRate[i], thresholds[i])
                    && BurnRates.reaches(shortRate[i], thresholds[i]);
            if (firing[i]) {
                // Strongest: a page over a ticket, then the highest threshold, then the first in the policy.
                Decision d = a.severity() == Severity.PAGE ? Decision.PAGE : Decision.TICKET;
                boolean outranks = decision == null || (d == Decision.PAGE && decision == Decision.TICKET);
                if (outranks || (d == decision && thresholds[i] > thresholds[strongest])) {
                    decision = d;
                    strongest = i;
                }
            }
        }

        boolean emit;
        int shown = strongest;
        if (decision != null) {
            emit = decision != standing || paneEndMillis - reminderMillis >= lastEmitMillis;
        } else if (standing != null) {
            decision = Decision.RESOLVED;
            emit = true;
            shown = indexOf(lastFired);
        } else {
            emit = false;
        }

        Advisory advisory = null;
        if (decision != null && n > 0) {
            List<Finding> findings = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                BurnAlert a = alerts.get(i);
                Action action = firing[i]
                        ? (a.severity() == Severity.PAGE ? Action.PAGE : Action.TICKET)
                        : (wasFiring.contains(a.name()) ? Action.RESOLVED : Action.CONTINUE);
                String reason = enough(longC[i]) ? "burn_rate" : "insufficient_data";
                findings.add(Advisories.finding(slo.name(), slice, action, reason, longRate[i], shortRate[i],
                        thresholds[i], Direction.LOWER_IS_BETTER, a.severity() == Severity.PAGE,
                        longC[i].total(), shortC[i].total(), Double.NaN));
            }
            Counts sloCounts = counts.sum(paneEndMillis, slo.window().toMillis());
            double remaining = BurnRates.budgetRemaining(sloCounts.bad(), sloCounts.total(), budget);
            BurnAlert a = alerts.get(shown);
            advisory = Advisories.withId(Advisory.newBuilder()
                    .setAdvisoryId("")
                    .setKind(AdvisoryKind.BURN_RATE)
                    .setDecision(decision)
                    .setService(service)
                    .setModelVersion(modelVersion)
                    .setSlo(slo.name())
                    .setWindowEnd(paneEndMillis)
                    .setPolicyVersion(policyVersion)
                    .setSummary(summary(decision, a, longRate[shown], shortRate[shown], thresholds[shown], remaining))
                    .setFindings(findings)
                    .setLongWindow(a.longWindow().toMillis())
                    .setShortWindow(a.shortWindow().toMillis())
                    .setLongBurnRate(Advisories.num(longRate[shown]))
                    .setShortBurnRate(Advisories.num(shortRate[shown]))
                    .setThreshold(Advisories.num(thresholds[shown]))
                    .setBudgetRemaining(Advisories.num(remaining))
                    .build());
            assessment = advisory;
            if (emit) {
                lastEmitMillis = paneEndMillis;
            }
        }

        wasFiring.clear();
        for (int i = 0; i < n; i++) {
            if (firing[i]) {
                wasFiring.add(alerts.get(i).name());
            }
        }
        if (strongest >= 0) {
            lastFired = alerts.get(strongest).name();
        }
        Decision now = decision == Decision.RESOLVED ? null : decision;
        if (now != standing) {
            standingSince = now == null ? Long.MIN_VALUE : paneEndMillis;
        }
        standing = now;
        counts.prune(paneEndMillis);
        return emit ? Optional.ofNullable(advisory) : Optional.empty();
    }

    /**
     * The advisory of the last evaluation whether it was emitted or not: the standing PAGE or TICKET, or
     * the RESOLVED of an alert that ended then; null when nothing stood. Not state: for grouping the
     * monitors of one SLO's slices into one advisory ({@code ThresholdSlos}).
     */
    public Advisory assessment() {
        return assessment;
    }

    /** One alert window's burn rate, over {@code total} requests. */
    public record WindowRate(Duration window, double burnRate, long total) {}

    /**
     * Where the SLO stands at an evaluation, for the executive view.
     *
     * @param good good requests over the SLO window ({@code total} in all)
     * @param windows the burn rate over every distinct alert window, shortest first
     * @param badLastHour bad requests in the last hour, of {@code totalLastHour}
     * @param incident the standing PAGE or TICKET, or null
     * @param incidentSince when the standing alert took that decision (MIN_VALUE when none)
     * @param lastEvent event time of the latest request counted
     */
    public record Status(double objective, long good, long total, double budgetRemaining, List<WindowRate> windows,
            long badLastHour, long totalLastHour, Decision incident, long incidentSince, long lastEvent) {}

    /** The SLO's standing over the windows ending at {@code atMillis}, as of the last evaluation. */
    public Status status(long atMillis) {
        requireConfigured();
        java.util.TreeSet<Duration> windows = new java.util.TreeSet<>();
        for (BurnAlert a : alerts) {
            windows.add(a.longWindow());
            windows.add(a.shortWindow());
        }
        List<WindowRate> rates = new ArrayList<>(windows.size());
        for (Duration w : windows) {
            Counts c = counts.sum(atMillis, w.toMillis());
            rates.add(new WindowRate(w, BurnRates.burnRate(c.bad(), c.total(), budget), c.total()));
        }
        Counts slo = counts.sum(atMillis, this.slo.window().toMillis());
        Counts hour = counts.sum(atMillis, Duration.ofHours(1).toMillis());
        return new Status(this.slo.objective(), slo.total() - slo.bad(), slo.total(),
                BurnRates.budgetRemaining(slo.bad(), slo.total(), budget), rates, hour.bad(), hour.total(),
                standing, standingSince, lastEventMillis);
    }

    /** The last evaluation time, MIN_VALUE before the first. */
    public long lastEvaluated() {
        return lastEvaluatedMillis;
    }

    /** True while a PAGE or TICKET stands (until a RESOLVED advisory is emitted). */
    public boolean isAlerting() {
        return standing != null;
    }

    /**
     * True when the monitor can be dropped: not alerting and no request for longer than the SLO window
     * before {@code nowMillis} (event time), so a fresh monitor would compute the same.
     */
    public boolean isIdle(long nowMillis) {
        requireConfigured();
        return standing == null
                && (lastEventMillis == Long.MIN_VALUE || nowMillis - lastEventMillis > slo.window().toMillis());
    }

    private int indexOf(String alertName) {
        for (int i = 0; i < alerts.size(); i++) {
            if (alerts.get(i).name().equals(alertName)) {
                return i;
            }
        }
        return 0; // the policy no longer has it: show the first condition with its current rates
    }

    private String summary(Decision d, BurnAlert a, double longRate, double shortRate, double threshold,
                           double remaining) {
        String who = (modelVersion == null ? service : service + " (model " + modelVersion + ")")
                + (cohort.isAll() ? "" : " on " + cohort.describe());
        String longPart = Advisories.fmt(longRate) + "x";
        String over = " over " + Durations.format(a.longWindow()) + " (and " + Advisories.fmt(shortRate) + "x over "
                + Durations.format(a.shortWindow()) + ")";
        String head = d == Decision.RESOLVED
                ? who + " is no longer burning its " + slo.name() + " error budget too fast: " + longPart + over
                        + ", below the " + Advisories.fmt(threshold) + "x threshold: resolved."
                : who + " is burning its " + slo.name() + " error budget " + longPart + " too fast" + over + ": "
                        + d.name().toLowerCase(Locale.ROOT) + ".";
        long w = slo.window().toMillis();
        String window = w % DAY_MILLIS == 0 ? (w / DAY_MILLIS) + "-day" : Durations.format(slo.window());
        String left = remaining >= 0
                ? Advisories.fmt(100 * remaining) + "% of the " + window + " budget left."
                : "The " + window + " budget is overspent by " + Advisories.fmt(-100 * remaining) + "%.";
        if (slo.isThreshold()) {
            Counts c = counts.sum(lastEvaluatedMillis, a.longWindow().toMillis());
            head += " " + slo.threshold().describe() + " failed in " + c.bad() + " of " + c.total() + " judged "
                    + Durations.format(slo.threshold().timeslice()) + " timeslices over " + Durations.format(a.longWindow())
                    + ".";
        }
        return head + " " + left;
    }

    /** Counts, alert state and the last emission and evaluation times; not the configuration. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeUTF(sloName);
        out.writeByte(standing == null ? 0 : standing == Decision.TICKET ? 1 : 2);
        out.writeLong(lastEmitMillis);
        out.writeLong(lastEvaluatedMillis);
        out.writeLong(lastEventMillis);
        out.writeUTF(lastFired == null ? "" : lastFired);
        out.writeInt(wasFiring.size());
        for (String alert : wasFiring) {
            out.writeUTF(alert);
        }
        counts.writeTo(out);
        out.writeLong(standingSince);
    }

    /**
     * Restores a monitor written by {@link #writeTo} without its configuration: {@link #configure} it
     * (with the same SLO) before it evaluates.
     */
    public static BurnRateMonitor readFrom(DataInput in) throws IOException {
        return readFrom(in, FORMAT);
    }

    /** Reads a monitor written in {@code format} (1 to {@link #FORMAT}), as {@link #readFrom(DataInput)}. */
    public static BurnRateMonitor readFrom(DataInput in, int format) throws IOException {
        if (format < 1 || format > FORMAT) {
            throw new IOException("burn-rate state format " + format + " is unknown (expected 1 to " + FORMAT + ")");
        }
        if (format <= FORMAT_WITH_LEADING_INT) {
            format = in.readInt();
            if (format != 1 && format != FORMAT_WITH_LEADING_INT) {
                throw new IOException("burn-rate state format " + format + " is unknown (expected 1 or 2 in front)");
            }
        }
        String name = in.readUTF();
        int s = in.readByte();
        if (s < 0 || s > 2) {
            throw new IOException(name + ": bad alert state " + s);
        }
        long lastEmit = in.readLong();
        long lastEvaluated = in.readLong();
        long lastEvent = in.readLong();
        String fired = in.readUTF();
        List<String> firing = new ArrayList<>();
        for (int k = in.readInt(); k > 0; k--) {
            firing.add(in.readUTF());
        }
        BurnRateMonitor m = new BurnRateMonitor(name, PaneCounts.readUnshaped(in));
        m.standing = s == 0 ? null : s == 1 ? Decision.TICKET : Decision.PAGE;
        m.lastEmitMillis = lastEmit;
        m.lastEvaluatedMillis = lastEvaluated;
        m.lastEventMillis = lastEvent;
        m.lastFired = fired.isEmpty() ? null : fired;
        m.wasFiring.addAll(firing);
        // format 1 did not keep when a standing alert began: its last advisory is the earliest time known
        m.standingSince = format == 1 ? (m.standing == null ? Long.MIN_VALUE : lastEmit) : in.readLong();
        return m;
    }

    /**
     * Enough evidence in a long window to judge it: minEvents requests, MIN_BAD_EVENTS of them bad (for a
     * threshold SLO: MIN_JUDGED_TIMESLICES judged timeslices, MIN_BAD_TIMESLICES of them bad).
     */
    private boolean enough(Counts c) {
        return c.total() >= minEvents && c.bad() >= minBad;
    }
}
