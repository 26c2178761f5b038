package io.speechslo.privacy;

import io.speechslo.bytes.ByteReader;
import io.speechslo.bytes.ByteWriter;
import io.speechslo.bytes.Varints;
import io.speechslo.scorecard.ScorecardValue;
import io.speechslo.telemetry.AccessPurpose;
import io.speechslo.telemetry.PrivacyEvent;
import io.speechslo.telemetry.PrivacyEventKind;
import io.speechslo.telemetry.Redaction;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * What the privacy events of one service (and one model version, or none) say over one window, for
 * the privacy view of the scorecard: who read raw audio and why, whether reviewed speakers had opted
 * in, whether recordings past their retention were deleted, whether redaction failed, and how much of
 * production the synthetic fixture runs covered.
 *
 * <p>Every figure is a whole-number count or a ratio of two, so merging partial aggregates in any
 * split and order gives the same values and the same bytes.
 *
 * <p>Each value carries as samples the events it was judged over, and is null when there were none:
 * {@code reviews_without_opt_in} is 0 with samples 12 when twelve reviews all had opted-in speakers
 * (clean), null with samples 0 when nobody reviewed anything. The purpose shares are judged over all
 * raw audio accesses, the review figures over REVIEW accesses, the retention figures over RETENTION
 * events, {@code redaction_failed_events} over REDACTION events and the fixture figures over fixture
 * runs.
 */
public final class PrivacyStats {

    public static final String RAW_AUDIO_ACCESSES = "raw_audio_accesses";
    public static final String RAW_AUDIO_ACCESSES_DEBUGGING = "raw_audio_accesses_debugging";
    public static final String RAW_AUDIO_ACCESSES_LABELLING = "raw_audio_accesses_labelling";
    public static final String RAW_AUDIO_ACCESSES_REVIEW = "raw_audio_accesses_review";
    /** REVIEW accesses whose speaker opted in. */
    public static final String REVIEWS_OPTED_IN = "reviews_opted_in";
    /**
     * REVIEW accesses whose speaker did not opt in (or did not say): must be 0, anything else is a
     * privacy finding.
     */
    public static final String REVIEWS_WITHOUT_OPT_IN = "reviews_without_opt_in";
    /** Recordings whose retention ended and that were due for deletion, summed over the retention sweeps. */
    public static final String RETENTION_DUE = "retention_due";
    /** Of those, the ones not deleted: due minus done. */
    public static final String RETENTION_OVERDUE = "retention_overdue";
    /** REDACTION events that ended FAILED. */
    public static final String REDACTION_FAILED_EVENTS = "redaction_failed_events";
    public static final String FIXTURE_RUNS = "fixture_runs";
    /**
     * Production slices the fixture runs covered over those they were given, each summed over the runs
     * (a run given many slices weighs more than one given few); null without runs, or when the runs
     * were given no slices at all.
     */
    public static final String FIXTURE_COVERAGE = "fixture_coverage";

    /** The names {@link #values()} gives, in its order. */
    public static final List<String> NAMES = List.of(RAW_AUDIO_ACCESSES, RAW_AUDIO_ACCESSES_DEBUGGING,
            RAW_AUDIO_ACCESSES_LABELLING, RAW_AUDIO_ACCESSES_REVIEW, REVIEWS_OPTED_IN, REVIEWS_WITHOUT_OPT_IN,
            RETENTION_DUE, RETENTION_OVERDUE, REDACTION_FAILED_EVENTS, FIXTURE_RUNS, FIXTURE_COVERAGE);

    /** Written first by {@link #writeTo}; a reader refuses any other. */
    static final int FORMAT_VERSION = 1;

    private static final AccessPurpose[] PURPOSES = AccessPurpose.values();

    /** The counts, in the order {@link #writeTo} writes them. */
    private static final int ACCESSES = 0;
    /** Accesses by purpose: {@code BY_PURPOSE + purpose.ordinal()}. */
    private static final int BY_PURPOSE = 1;
    private static final int REVIEWS_OPTED = BY_PURPOSE + PURPOSES.length;
    private static final int RETENTION_EVENTS = REVIEWS_OPTED + 1;
    private static final int DUE = RETENTION_EVENTS + 1;
    private static final int DONE = DUE + 1;
    private static final int REDACTION_EVENTS = DONE + 1;
    private static final int REDACTION_FAILED = REDACTION_EVENTS + 1;
    private static final int RUNS = REDACTION_FAILED + 1;
    private static final int COVERED = RUNS + 1;
    private static final int GIVEN = COVERED + 1;
    private static final int COUNTS = GIVEN + 1;

    private final long[] counts = new long[COUNTS];

    /**
     * Folds one event in (a validated one: see TelemetryValidator). Should a field its kind needs be
     * missing all the same, the event still counts: an access without a purpose as an access, a review
     * without {@code opted_in} as one without opt-in, a retention sweep without figures as none due.
     */
    public void add(PrivacyEvent e) {
        PrivacyEventKind kind = e.getKind();
        if (kind == PrivacyEventKind.RAW_AUDIO_ACCESS) {
            counts[ACCESSES]++;
            AccessPurpose purpose = e.getPurpose();
            if (purpose != null) {
                counts[BY_PURPOSE + purpose.ordinal()]++;
                if (purpose == AccessPurpose.REVIEW && Boolean.TRUE.equals(e.getOptedIn())) {
                    counts[REVIEWS_OPTED]++;
                }
            }
        } else if (kind == PrivacyEventKind.RETENTION) {
            counts[RETENTION_EVENTS]++;
            counts[DUE] += orZero(e.getRetentionDue());
            counts[DONE] += orZero(e.getRetentionDone());
        } else if (kind == PrivacyEventKind.REDACTION) {
            counts[REDACTION_EVENTS]++;
            if (e.getRedaction() == Redaction.FAILED) {
                counts[REDACTION_FAILED]++;
            }
        } else if (kind == PrivacyEventKind.FIXTURE_RUN) {
            counts[RUNS]++;
            counts[COVERED] += orZero(e.getFixtureSlicesCovered());
            counts[GIVEN] += orZero(e.getFixtureSlicesTotal());
        }
    }

    private static long orZero(Integer v) {
        return v == null ? 0 : Math.max(0, v);
    }

    /** Adds the events of another window part of the same service and version. */
    public void merge(PrivacyStats o) {
        for (int i = 0; i < COUNTS; i++) {
            counts[i] += o.counts[i];
        }
    }

    /** Events folded in, of every kind. */
    public long events() {
        return counts[ACCESSES] + counts[RETENTION_EVENTS] + counts[REDACTION_EVENTS] + counts[RUNS];
    }

    /** The scorecard values, in {@link #NAMES} order; each null with samples 0 when no event is behind it. */
    public List<ScorecardValue> values() {
        long accesses = counts[ACCESSES];
        long reviews = counts[BY_PURPOSE + AccessPurpose.REVIEW.ordinal()];
        long retention = counts[RETENTION_EVENTS];
        long runs = counts[RUNS];
        return List.of(
                count(RAW_AUDIO_ACCESSES, accesses, accesses),
                count(RAW_AUDIO_ACCESSES_DEBUGGING, counts[BY_PURPOSE + AccessPurpose.DEBUGGING.ordinal()], accesses),
                count(RAW_AUDIO_ACCESSES_LABELLING, counts[BY_PURPOSE + AccessPurpose.LABELLING.ordinal()], accesses),
                count(RAW_AUDIO_ACCESSES_REVIEW, reviews, accesses),
                count(REVIEWS_OPTED_IN, counts[REVIEWS_OPTED], reviews),
                count(REVIEWS_WITHOUT_OPT_IN, reviews - counts[REVIEWS_OPTED], reviews),
                count(RETENTION_DUE, counts[DUE], retention),
                count(RETENTION_OVERDUE, Math.max(0, counts[DUE] - counts[DONE]), retention),
                count(REDACTION_FAILED_EVENTS, counts[REDACTION_FAILED], counts[REDACTION_EVENTS]),
                count(FIXTURE_RUNS, runs, runs),
                new ScorecardValue(FIXTURE_COVERAGE, runs > 0 && counts[GIVEN] > 0
                        ? (double) counts[COVERED] / counts[GIVEN] : null, runs, null));
    }

    private static ScorecardValue count(String name, long value, long samples) {
        return new ScorecardValue(name, samples > 0 ? (double) value : null, samples, null);
    }

    /** Compact form: the format version, then every count as a varint. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeByte(FORMAT_VERSION);
        for (long c : counts) {
            Varints.writeUnsigned(out, c);
        }
    }

    public static PrivacyStats readFrom(DataInput in) throws IOException {
        int version = in.readUnsignedByte();
        if (version != FORMAT_VERSION) {
            throw new IOException("privacy stats have format version " + version + ", expected " + FORMAT_VERSION);
        }
        PrivacyStats s = new PrivacyStats();
        for (int i = 0; i < COUNTS; i++) {
            s.counts[i] = Varints.readUnsigned(in);
        }
        return s;
    }

    public byte[] toBytes() {
        return ByteWriter.bytes(this::writeTo, 32);
    }

    public static PrivacyStats fromBytes(byte[] bytes) {
        try {
            return readFrom(new ByteReader(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
