package io.speechslo.diagnosis;

import io.speechslo.advisory.Advisories;
import io.speechslo.advisory.Hint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Builds an advisory's hints: each driver with its evidence, the figure it is read from now and in the
 * baseline, and the share of the change it explains. Listed by share explained, largest first; hints
 * that are evidence only (no share) come last, in the order they were added.
 */
public final class Hints {

    private final List<Hint> hints = new ArrayList<>();

    /** Adds a hint; {@code shareExplained} NaN for evidence that explains no measured share. */
    public Hints add(Driver driver, String evidence, String metric, double value, double baseline,
            double shareExplained) {
        hints.add(Hint.newBuilder()
                .setDriver(driver.id())
                .setEvidence(evidence)
                .setMetric(metric)
                .setValue(Advisories.num(value))
                .setBaseline(Advisories.num(baseline))
                .setShareExplained(Advisories.num(shareExplained))
                .build());
        return this;
    }

    public boolean isEmpty() {
        return hints.isEmpty();
    }

    /** The hints, largest share explained first (stable: ties keep the order they were added in). */
    public List<Hint> sorted() {
        List<Hint> out = new ArrayList<>(hints);
        out.sort(Comparator.comparing((Hint h) -> h.getShareExplained() == null)
                .thenComparing(h -> h.getShareExplained() == null ? 0 : -h.getShareExplained()));
        return out;
    }
}
