package io.speechslo.gate;

import io.speechslo.advisory.Decision;
import io.speechslo.advisory.StageEntry;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * One candidate's rollout stages over event time: the canary's traffic share and the gate's decision,
 * as a list of change points. Advisories carry it as {@code stage_history} so a reader sees how the
 * rollout got where it is (ramped 5% to 25%, paused at 25%, ...), not only where it stands.
 *
 * <p>Why a stage rule rather than every change of share: a canary's share of one pane wobbles with the
 * traffic (a 10% canary at a few requests a second reads 7% one minute and 13% the next), and a history
 * of wobbles says nothing. So the share of each pane (the candidate's requests over the candidate's and
 * stable's requests in that pane; panes without candidate traffic are skipped) is snapped to the nearest
 * common canary step, 1, 5, 10, 25, 50 or 100%, nearest on a log scale (the boundaries lie at the
 * geometric means: 2.2, 7.1, 15.8, 35.4 and 70.7%). A new stage starts only when two consecutive panes
 * with candidate traffic snap to the same step other than the current stage's; it starts at the first
 * of them. A single pane elsewhere counts towards the current stage. A stage's share is the measured
 * share over its panes, not the step.
 *
 * <p>The decision is recorded each time it changes: the first one from the candidate's start, later ones
 * from the evaluation that made them. An entry of the history is a time where the stage or the decision
 * changed, with both as they were from then on; a stage confirmed a pane late starts an interval before
 * the evaluation that confirmed it, so an entry may be inserted before the newest one. Everything is
 * event time, so the same telemetry gives the same history live or replayed.
 *
 * <p>Bounded: the last {@value #MAX_ENTRIES} stages and decision changes are kept, and the history holds
 * the last {@value #MAX_ENTRIES} entries.
 */
public final class StageHistory {

    /** Entries kept (and stages and decision changes kept, each). */
    public static final int MAX_ENTRIES = 50;
    /** The canary steps a pane's share snaps to. */
    static final double[] STEPS = {0.01, 0.05, 0.10, 0.25, 0.50, 1.0};
    /** A time meaning "from the candidate's start", resolved when the history is read. */
    static final long FROM_START = Long.MIN_VALUE;
    private static final long NONE = Long.MIN_VALUE + 1;

    /** A stage: from {@code since}, panes snapped to {@code step}; requests counted over its panes. */
    private static final class Stage {
        long since;
        int step;
        long canary;
        long total;

        Stage(long since, int step, long canary, long total) {
            this.since = since;
            this.step = step;
            this.canary = canary;
            this.total = total;
        }
    }

    private record Change(long since, Decision decision) {}

    private final List<Stage> stages = new ArrayList<>();
    private final List<Change> decisions = new ArrayList<>();
    /** A pane at another step than the current stage's, waiting for a second one: else {@link #NONE}. */
    private long pendingSince = NONE;
    private int pendingStep;
    private long pendingCanary;
    private long pendingTotal;

    /** The step nearest {@code share} (0 < share <= 1) on a log scale, as an index into {@link #STEPS}. */
    static int step(double share) {
        int best = 0;
        double distance = Double.MAX_VALUE;
        for (int i = 0; i < STEPS.length; i++) {
            double d = Math.abs(Math.log(share / STEPS[i]));
            if (d < distance) {
                best = i;
                distance = d;
            }
        }
        return best;
    }

    /**
     * Adds one pane, panes in event-time order. A pane without candidate requests is skipped.
     *
     * @param paneStart start of the pane (event-time millis)
     * @param canary the candidate's requests in the pane
     * @param stable the stable track's requests in the pane
     */
    public void pane(long paneStart, long canary, long stable) {
        if (canary <= 0) {
            return;
        }
        long total = canary + Math.max(0, stable);
        int step = step((double) canary / total);
        if (stages.isEmpty()) {
            stages.add(new Stage(paneStart, step, canary, total));
            return;
        }
        Stage current = stages.get(stages.size() - 1);
        if (step == current.step) {
            dropPending(current);
            current.canary += canary;
            current.total += total;
        } else if (pendingSince != NONE && pendingStep == step) {
            stages.add(new Stage(pendingSince, step, pendingCanary + canary, pendingTotal + total));
            pendingSince = NONE;
            if (stages.size() > MAX_ENTRIES) {
                stages.remove(0);
            }
        } else {
            dropPending(current);
            pendingSince = paneStart;
            pendingStep = step;
            pendingCanary = canary;
            pendingTotal = total;
        }
    }

    /** A lone pane at another step was noise: its requests count towards the current stage. */
    private void dropPending(Stage current) {
        if (pendingSince != NONE) {
            current.canary += pendingCanary;
            current.total += pendingTotal;
            pendingSince = NONE;
        }
    }

    /**
     * Records the decision of an evaluation: a change of decision (or the first one) is kept from
     * {@code since} on ({@link #FROM_START} for the first).
     */
    public void decided(long since, Decision decision) {
        if (decisions.isEmpty()) {
            decisions.add(new Change(FROM_START, decision));
        } else if (decisions.get(decisions.size() - 1).decision() != decision) {
            decisions.add(new Change(since, decision));
            if (decisions.size() > MAX_ENTRIES) {
                decisions.remove(0);
            }
        }
    }

    /**
     * The history, oldest first: an entry at each time the stage or the decision changed, from the time
     * both are known. Empty before the first decision.
     *
     * @param candidateStart start of the candidate's first pane
     */
    public List<StageEntry> entries(long candidateStart) {
        if (stages.isEmpty() || decisions.isEmpty()) {
            return List.of();
        }
        long from = Math.max(at(stages.get(0).since, candidateStart), at(decisions.get(0).since(), candidateStart));
        TreeSet<Long> times = new TreeSet<>();
        times.add(from);
        stages.forEach(s -> times.add(at(s.since, candidateStart)));
        decisions.forEach(d -> times.add(at(d.since(), candidateStart)));
        List<StageEntry> out = new ArrayList<>();
        for (long t : times.tailSet(from, true)) {
            Stage stage = stages.get(0);
            for (Stage s : stages) {
                if (at(s.since, candidateStart) <= t) {
                    stage = s;
                }
            }
            Decision decision = decisions.get(0).decision();
            for (Change d : decisions) {
                if (at(d.since(), candidateStart) <= t) {
                    decision = d.decision();
                }
            }
            out.add(StageEntry.newBuilder().setSince(t).setCanaryShare((double) stage.canary / stage.total)
                    .setDecision(decision).build());
        }
        return out.size() <= MAX_ENTRIES ? out : new ArrayList<>(out.subList(out.size() - MAX_ENTRIES, out.size()));
    }

    private static long at(long since, long candidateStart) {
        return since == FROM_START ? candidateStart : since;
    }

    /**
     * What state of format 1 (before stage history) tells: one stage with the candidate's requests so
     * far from its start, and the decision in force since it was last published (since the rollback,
     * for a held ROLLBACK). The history of a rollout restored from it starts there.
     *
     * @param decision the last decision published, null before the first
     * @param since when that decision is known to stand from
     */
    static StageHistory restoredFromTotals(long canary, long stable, Decision decision, long since) {
        StageHistory h = new StageHistory();
        h.pane(FROM_START, canary, stable);
        if (decision != null) {
            h.decisions.add(new Change(since, decision));
        }
        return h;
    }

    void writeTo(DataOutput out) throws IOException {
        out.writeInt(stages.size());
        for (Stage s : stages) {
            out.writeLong(s.since);
            out.writeByte(s.step);
            out.writeLong(s.canary);
            out.writeLong(s.total);
        }
        out.writeLong(pendingSince);
        if (pendingSince != NONE) {
            out.writeByte(pendingStep);
            out.writeLong(pendingCanary);
            out.writeLong(pendingTotal);
        }
        out.writeInt(decisions.size());
        for (Change d : decisions) {
            out.writeLong(d.since());
            out.writeByte(d.decision().ordinal());
        }
    }

    static StageHistory readFrom(DataInput in) throws IOException {
        StageHistory h = new StageHistory();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            h.stages.add(new Stage(in.readLong(), step(in), in.readLong(), in.readLong()));
        }
        h.pendingSince = in.readLong();
        if (h.pendingSince != NONE) {
            h.pendingStep = step(in);
            h.pendingCanary = in.readLong();
            h.pendingTotal = in.readLong();
        }
        n = in.readInt();
        for (int i = 0; i < n; i++) {
            long since = in.readLong();
            int d = in.readByte();
            if (d < 0 || d >= Decision.values().length) {
                throw new IOException("stage history: bad decision " + d);
            }
            h.decisions.add(new Change(since, Decision.values()[d]));
        }
        return h;
    }

    private static int step(DataInput in) throws IOException {
        int s = in.readByte();
        if (s < 0 || s >= STEPS.length) {
            throw new IOException("stage history: bad step " + s);
        }
        return s;
    }
}
