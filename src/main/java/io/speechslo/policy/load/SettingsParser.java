package io.speechslo.policy.load;

import io.speechslo.policy.BurnSettings;
import io.speechslo.policy.DriftPolicy;
import io.speechslo.policy.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads job/drift.yaml (kind DriftPolicy) and job/burn.yaml (kind BurnSettings); absent keys take the defaults. */
final class SettingsParser {

    private SettingsParser() {}

    static DriftPolicy drift(YamlNode doc) {
        Documents.header(doc, Documents.SPEECHSLO, List.of("DriftPolicy"));
        Documents.name(doc.req("metadata"));
        YamlNode spec = doc.req("spec").allow("current", "baseline", "minBaseline", "relativeThreshold",
                "distributionThreshold", "minSamples", "features", "maxSliceDimensions");
        DriftPolicy d = DriftPolicy.DEFAULT;
        Duration current = duration(spec, "current", d.current());
        Duration baseline = duration(spec, "baseline", d.baseline());
        Duration minBaseline = duration(spec, "minBaseline", d.minBaseline());
        if (minBaseline.compareTo(baseline) > 0) {
            throw (spec.has("minBaseline") ? spec.get("minBaseline") : spec.get("baseline"))
                    .fail("minBaseline must not exceed baseline");
        }
        double relative = positive(spec, "relativeThreshold", d.relativeThreshold());
        double distribution = positive(spec, "distributionThreshold", d.distributionThreshold());
        long minSamples = d.minSamples();
        YamlNode n = spec.get("minSamples");
        if (n != null) {
            minSamples = n.integer();
            if (minSamples < 1) {
                throw n.fail("must be >= 1, not " + minSamples);
            }
        }
        List<String> features = d.features();
        n = spec.get("features");
        if (n != null) {
            features = new ArrayList<>();
            for (YamlNode f : n.items()) {
                if (!DriftPolicy.ALL_FEATURES.contains(f.text())) {
                    throw f.fail("unknown drift feature '" + f.text() + "' (valid: "
                            + String.join(", ", DriftPolicy.ALL_FEATURES) + ")");
                }
                if (features.contains(f.text())) {
                    throw f.fail("feature '" + f.text() + "' is listed twice");
                }
                features.add(f.text());
            }
        }
        int dims = d.maxSliceDimensions();
        n = spec.get("maxSliceDimensions");
        if (n != null) {
            long v = n.integer();
            if (v < 0 || v > 4) {
                throw n.fail("must be 0..4, not " + v);
            }
            dims = (int) v;
        }
        return new DriftPolicy(current, baseline, minBaseline, relative, distribution, minSamples, features, dims);
    }

    static BurnSettings burn(YamlNode doc) {
        Documents.header(doc, Documents.SPEECHSLO, List.of("BurnSettings"));
        Documents.name(doc.req("metadata"));
        YamlNode spec = doc.req("spec").allow("pane", "minEvents", "reminder");
        BurnSettings d = BurnSettings.DEFAULT;
        Duration pane = duration(spec, "pane", d.pane());
        long paneMillis = pane.toMillis();
        long unit = paneMillis < 60_000 ? 60_000 : 3_600_000;
        if (paneMillis <= 0 || unit % paneMillis != 0) {
            throw spec.get("pane").fail("must divide " + (unit == 60_000 ? "a minute" : "an hour")
                    + " (burn panes are aligned to minutes and hours), not " + Durations.format(pane));
        }
        long minEvents = d.minEvents();
        YamlNode n = spec.get("minEvents");
        if (n != null) {
            minEvents = n.integer();
            if (minEvents < 0) {
                throw n.fail("must be >= 0, not " + minEvents);
            }
        }
        return new BurnSettings(pane, minEvents, duration(spec, "reminder", d.reminder()));
    }

    private static Duration duration(YamlNode spec, String key, Duration dflt) {
        YamlNode n = spec.get(key);
        return n == null ? dflt : n.duration();
    }

    private static double positive(YamlNode spec, String key, double dflt) {
        YamlNode n = spec.get(key);
        if (n == null) {
            return dflt;
        }
        double v = n.number();
        if (!(v > 0)) {
            throw n.fail("must be > 0, not " + v);
        }
        return v;
    }
}
