package io.speechslo.generate;

import io.speechslo.generate.Scenario.Adjustment;
import io.speechslo.generate.Scenario.Change;
import io.speechslo.generate.Scenario.Profile;
import io.speechslo.generate.Scenario.Service;
import io.speechslo.generate.Scenario.Setting;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.Durations;
import io.speechslo.policy.load.PolicyException;
import io.speechslo.policy.load.YamlNode;
import io.speechslo.telemetry.Track;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a scenario file (one YAML document, {@code kind: TelemetryScenario}) and checks everything in
 * it; a mistake is a {@link PolicyException} reading {@code <file>:<line>: <field>: <problem>}.
 */
public final class ScenarioLoader {

    static final String API_VERSION = "speechslo.io/v1";
    static final String KIND = "TelemetryScenario";

    private ScenarioLoader() {}

    public static Scenario load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PolicyException(file.toString(), 0, "", "no such file");
        } catch (IOException e) {
            throw new PolicyException(file.toString(), 0, "", "cannot be read: " + e.getMessage());
        }
        return parse(file.toString(), bytes);
    }

    /** Parses a scenario; {@code location} names it in messages. */
    public static Scenario parse(String location, byte[] bytes) {
        List<YamlNode> docs = YamlNode.documents(location, bytes);
        if (docs.size() != 1) {
            throw new PolicyException(location, docs.isEmpty() ? 0 : docs.get(1).line(), "",
                    "must hold exactly one document, found " + docs.size());
        }
        YamlNode doc = docs.get(0).allow("apiVersion", "kind", "metadata", "spec");
        YamlNode api = doc.req("apiVersion");
        if (!api.text().equals(API_VERSION)) {
            throw api.fail("unknown apiVersion '" + api.text() + "' (a scenario takes " + API_VERSION + ")");
        }
        YamlNode kind = doc.req("kind");
        if (!kind.text().equals(KIND)) {
            throw kind.fail("unknown kind '" + kind.text() + "' (a scenario is a " + KIND + ")");
        }
        YamlNode metadata = doc.req("metadata").allow("name", "description");
        String name = metadata.req("name").text();
        if (metadata.has("description")) {
            metadata.get("description").text();
        }
        YamlNode spec = doc.req("spec").allow("start", "duration", "services", "changes");
        YamlNode startNode = spec.req("start");
        Instant start;
        try {
            start = Instant.parse(startNode.text());
        } catch (DateTimeParseException e) {
            throw startNode.fail("'" + startNode.text() + "' is not an ISO-8601 instant (e.g. 2026-01-05T08:00:00Z)");
        }
        YamlNode durationNode = spec.req("duration");
        Duration duration = durationNode.duration();
        if (duration.toMillis() % 60_000 != 0) {
            throw durationNode.fail("must be a whole number of minutes, not " + Durations.format(duration));
        }
        List<YamlNode> serviceNodes = spec.req("services").items();
        if (serviceNodes.isEmpty()) {
            throw spec.get("services").fail("must list at least one service");
        }
        List<YamlNode> changeNodes = spec.has("changes") ? spec.get("changes").items() : List.of();
        Map<String, Service> services = new LinkedHashMap<>();
        for (YamlNode s : serviceNodes) {
            Service service = service(s, changeNodes);
            if (services.putIfAbsent(service.name(), service) != null) {
                throw s.get("name").fail("service '" + service.name() + "' is listed twice");
            }
        }
        List<Change> changes = new ArrayList<>();
        for (YamlNode c : changeNodes) {
            changes.add(change(c, services, duration, changeNodes));
        }
        return new Scenario(name, location, start, duration, new ArrayList<>(services.values()), changes);
    }

    /**
     * The slice values the changes bring to a service (newValues), by dimension, so that profiles and
     * changes may name them in a where. Only looks; {@link #change} checks the changes.
     */
    private static Map<String, Set<String>> brought(String service, List<YamlNode> changes) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (YamlNode c : changes) {
            YamlNode target = c.get("service");
            if (target != null && !target.text().equals(service) || !c.has("newValues")) {
                continue;
            }
            YamlNode n = c.get("newValues");
            for (String dim : n.keys()) {
                out.computeIfAbsent(dim, d -> new LinkedHashSet<>()).addAll(n.get(dim).keys());
            }
        }
        return out;
    }

    private static Service service(YamlNode s, List<YamlNode> changes) {
        s.allow("name", "signal", "ratePerMinute", "diurnal", "stable", "canary", "shadow", "mix", "base", "profiles",
                "serving", "privacy");
        String name = s.req("name").text();
        YamlNode signalNode = s.req("signal");
        Signal signal;
        try {
            signal = Signal.parse(signalNode.text());
        } catch (IllegalArgumentException e) {
            throw signalNode.fail("unknown signal '" + signalNode.text() + "' (asr or tts)");
        }
        double rate = positive(s.req("ratePerMinute"));
        double amplitude = 0;
        double peak = 14;
        if (s.has("diurnal")) {
            YamlNode d = s.get("diurnal").allow("amplitude", "peakHour");
            amplitude = d.has("amplitude") ? within(d.get("amplitude"), 0, 1, false) : 0;
            peak = d.has("peakHour") ? within(d.get("peakHour"), 0, 24, false) : 14;
        }
        String stable = s.req("stable").text();
        Deployment canary = s.has("canary") ? deployment(s.get("canary"), "canary", false, "stable '" + stable + "'", stable)
                : new Deployment(null, 0);
        Deployment shadow = s.has("shadow") ? deployment(s.get("shadow"), "shadow", true,
                "stable '" + stable + "'" + (canary.version() == null ? "" : " and canary '" + canary.version() + "'"),
                stable, canary.version()) : new Deployment(null, 0);
        YamlNode mixNode = s.req("mix");
        mixNode.allow(signal.sliceDimensions().toArray(new String[0]));
        Map<String, Map<String, Double>> mix = new LinkedHashMap<>();
        for (String dim : signal.sliceDimensions()) {
            YamlNode values = mixNode.req(dim);
            Map<String, Double> weights = weights(values);
            if (weights.isEmpty()) {
                throw values.fail("must give at least one value and its weight");
            }
            mix.put(dim, weights);
        }
        Map<Quantity, Setting> base = new EnumMap<>(Quantity.class);
        for (Quantity q : Quantity.values()) {
            if (q.appliesTo(signal)) {
                base.put(q, Setting.of(q));
            }
        }
        if (s.has("base")) {
            YamlNode b = s.get("base");
            if (b.has(Quantity.SHADOW_RATE.id())) {
                throw b.get(Quantity.SHADOW_RATE.id()).fail(shadow.version() == null
                        ? "the service has no shadow deployment: " + DECLARE_SHADOW
                        : "the shadow's share is set once, as shadow.share");
            }
            base.putAll(settings(b, signal));
        }
        if (shadow.version() != null) {
            base.put(Quantity.SHADOW_RATE, new Setting(shadow.share(), Double.NaN));
        }
        List<Profile> profiles = new ArrayList<>();
        if (s.has("profiles")) {
            for (YamlNode p : s.get("profiles").items()) {
                p.allow("where", "set");
                if (shadow.version() == null && p.req("set").has(Quantity.SHADOW_RATE.id())) {
                    throw p.req("set").get(Quantity.SHADOW_RATE.id())
                            .fail("the service has no shadow deployment: " + DECLARE_SHADOW);
                }
                Map<String, String> where = where(p.req("where"), signal, mix, brought(name, changes));
                profiles.add(new Profile(where, settings(p.req("set"), signal)));
            }
        }
        Scenario.Serving serving = s.has("serving") ? serving(s.get("serving")) : null;
        Scenario.Privacy privacy = s.has("privacy") ? privacy(s.get("privacy"), name) : null;
        return new Service(name, signal, rate, amplitude, peak, stable, canary.version(), canary.share(),
                shadow.version(), mix, base, profiles, serving, privacy);
    }

    private static final String DECLARE_SHADOW = "declare one as shadow: {version: V, share: S}";

    /** A model version beside stable and the share of requests it answers: a canary or a shadow. */
    private record Deployment(String version, double share) {}

    /**
     * A {@code {version, share}} block: a version none of {@code taken} is ({@code takenNames} says which
     * those are), and a share in (0, 1], or [0, 1] with {@code zeroShare}.
     */
    private static Deployment deployment(YamlNode n, String what, boolean zeroShare, String takenNames,
            String... taken) {
        YamlNode c = n.allow("version", "share");
        YamlNode v = c.req("version");
        for (String t : taken) {
            if (v.text().equals(t)) {
                throw v.fail("the " + what + " must be another version than " + takenNames);
            }
        }
        return new Deployment(v.text(), within(c.req("share"), 0, 1, !zeroShare));
    }

    private static final List<String> SERVING_KEYS = List.of("interval", "replicas", "canaryReplicas", "gpuMemGb",
            "precision", "maxBatchSize", "scaleUpEvery");
    private static final List<String> PRIVACY_KEYS = List.of("retentionEvery", "retentionDue", "fixtureEvery",
            "fixtureSet", "fixtureSlices");

    private static Scenario.Serving serving(YamlNode n) {
        n.allow(allowed(SERVING_KEYS, InputQuantity.Input.SERVING));
        Duration interval = n.has("interval") ? atLeast(n.get("interval"), Duration.ofSeconds(1)) : Duration.ofSeconds(15);
        int replicas = n.has("replicas") ? wholeWithin(n.get("replicas"), 1, 10_000) : 2;
        int canaryReplicas = n.has("canaryReplicas") ? wholeWithin(n.get("canaryReplicas"), 1, 10_000) : 1;
        double memGb = n.has("gpuMemGb") ? within(n.get("gpuMemGb"), 0, 1_000_000, true) : 24;
        String precision = n.has("precision") ? n.get("precision").text() : "fp16";
        int maxBatch = n.has("maxBatchSize") ? wholeWithin(n.get("maxBatchSize"), 1, 1_000_000) : 8;
        Duration scaleUpEvery = n.has("scaleUpEvery") ? n.get("scaleUpEvery").duration() : null;
        return new Scenario.Serving(interval, replicas, canaryReplicas, memGb, precision, maxBatch, scaleUpEvery,
                inputSettings(n, InputQuantity.Input.SERVING));
    }

    private static Scenario.Privacy privacy(YamlNode n, String service) {
        n.allow(allowed(PRIVACY_KEYS, InputQuantity.Input.PRIVACY));
        Duration retentionEvery = n.has("retentionEvery") ? atLeast(n.get("retentionEvery"), Duration.ofMinutes(1))
                : Duration.ofHours(1);
        double due = n.has("retentionDue") ? within(n.get("retentionDue"), 0, 1_000_000, false) : 200;
        Duration fixtureEvery = n.has("fixtureEvery") ? atLeast(n.get("fixtureEvery"), Duration.ofMinutes(1))
                : Duration.ofMinutes(30);
        String fixtureSet = n.has("fixtureSet") ? n.get("fixtureSet").text() : "synthetic-" + service;
        int slices = n.has("fixtureSlices") ? wholeWithin(n.get("fixtureSlices"), 1, 1_000_000) : 24;
        return new Scenario.Privacy(retentionEvery, due, fixtureEvery, fixtureSet, slices,
                inputSettings(n, InputQuantity.Input.PRIVACY));
    }

    private static String[] allowed(List<String> keys, InputQuantity.Input input) {
        List<String> all = new ArrayList<>(keys);
        all.addAll(InputQuantity.ids(input));
        return all.toArray(new String[0]);
    }

    /** Every quantity of the input: the section's setting, else the default. */
    private static Map<InputQuantity, Double> inputSettings(YamlNode n, InputQuantity.Input input) {
        Map<InputQuantity, Double> set = new EnumMap<>(InputQuantity.class);
        for (InputQuantity q : InputQuantity.values()) {
            if (q.input() == input) {
                set.put(q, n.has(q.id()) ? within(n.get(q.id()), q.min(), q.max(), false) : q.defaultValue());
            }
        }
        return set;
    }

    private static Duration atLeast(YamlNode n, Duration min) {
        Duration d = n.duration();
        if (d.compareTo(min) < 0) {
            throw n.fail("must be at least " + Durations.format(min) + ", not " + Durations.format(d));
        }
        return d;
    }

    private static int wholeWithin(YamlNode n, int lo, int hi) {
        long v = n.integer();
        if (v < lo || v > hi) {
            throw n.fail("must be at least " + lo + " and at most " + hi + ", not " + v);
        }
        return (int) v;
    }

    private static Map<String, Double> weights(YamlNode values) {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (String value : values.keys()) {
            if (value.indexOf(',') >= 0 || value.indexOf('=') >= 0) {
                throw values.get(value).fail("slice values cannot contain ',' or '='");
            }
            weights.put(value, positive(values.get(value)));
        }
        return weights;
    }

    private static Map<Quantity, Setting> settings(YamlNode node, Signal signal) {
        Map<Quantity, Setting> out = new EnumMap<>(Quantity.class);
        for (String key : node.keys()) {
            Quantity q = quantity(node, key, signal);
            YamlNode v = node.get(key);
            if (q.kind() == Quantity.Kind.LOGNORMAL) {
                v.allow("median", "p99");
                double median = within(v.req("median"), q.min(), q.max(), q.min() == 0);
                YamlNode p99Node = v.req("p99");
                double p99 = within(p99Node, q.min(), q.max(), false);
                if (p99 < median) {
                    throw p99Node.fail("p99 " + fmt(p99) + " is below the median " + fmt(median));
                }
                out.put(q, new Setting(median, p99));
            } else {
                out.put(q, new Setting(within(v, q.min(), q.max(), false), Double.NaN));
            }
        }
        return out;
    }

    private static Quantity quantity(YamlNode parent, String key, Signal signal) {
        Quantity q = Quantity.byId(key);
        InputQuantity input = InputQuantity.byId(key);
        if (input != null) {
            String section = input.input().name().toLowerCase(Locale.ROOT);
            throw parent.get(key).fail("'" + key + "' is a " + section + " quantity: set it in the service's "
                    + section + ": section");
        }
        if (q == null || !q.appliesTo(signal)) {
            throw parent.get(key).fail("unknown quantity '" + key + "' (" + signal + " services have: "
                    + String.join(", ", Quantity.ids(signal)) + ")");
        }
        return q;
    }

    /**
     * A {@code where} mapping: dimensions of the signal, values in the mix (or among {@code extra},
     * values a change brings).
     */
    private static Map<String, String> where(YamlNode node, Signal signal, Map<String, Map<String, Double>> mix,
            Map<String, Set<String>> extra) {
        Map<String, String> where = new LinkedHashMap<>();
        for (String dim : node.keys()) {
            YamlNode v = node.get(dim);
            if (!signal.sliceDimensions().contains(dim)) {
                throw v.fail("'" + dim + "' is not a slice dimension of " + signal + " (" 
                        + String.join(", ", signal.sliceDimensions()) + ")");
            }
            String value = v.text();
            if (!mix.get(dim).containsKey(value) && !extra.getOrDefault(dim, Set.of()).contains(value)) {
                throw v.fail("'" + value + "' is not a value of " + dim + " in the mix ("
                        + String.join(", ", mix.get(dim).keySet()) + ")");
            }
            where.put(dim, value);
        }
        return where;
    }

    private static Change change(YamlNode c, Map<String, Service> services, Duration scenarioDuration,
            List<YamlNode> changes) {
        c.allow("name", "service", "from", "until", "track", "version", "where", "adjust", "newValues");
        String name = c.has("name") ? c.get("name").text() : "change at line " + c.line();
        List<Service> targets = new ArrayList<>(services.values());
        String serviceName = null;
        if (c.has("service")) {
            YamlNode s = c.get("service");
            serviceName = s.text();
            Service target = services.get(serviceName);
            if (target == null) {
                throw s.fail("no service '" + serviceName + "' in this scenario (" + String.join(", ", services.keySet()) + ")");
            }
            targets = List.of(target);
        }
        Duration from = Duration.ZERO;
        if (c.has("from")) {
            YamlNode f = c.get("from");
            from = f.duration();
            if (from.compareTo(scenarioDuration) >= 0) {
                throw f.fail(Durations.format(from) + " is not before the end of the scenario ("
                        + Durations.format(scenarioDuration) + ")");
            }
        }
        Duration until = null;
        if (c.has("until")) {
            YamlNode u = c.get("until");
            until = u.duration();
            if (until.compareTo(from) <= 0) {
                throw u.fail(Durations.format(until) + " must come after from (" + Durations.format(from) + ")");
            }
        }
        Track track = null;
        if (c.has("track")) {
            YamlNode t = c.get("track");
            String text = t.text().toLowerCase(Locale.ROOT);
            if (!text.equals("stable") && !text.equals("canary") && !text.equals("shadow")) {
                throw t.fail("unknown track '" + t.text() + "' (stable, canary or shadow)");
            }
            track = Track.valueOf(text.toUpperCase(Locale.ROOT));
            if (track == Track.CANARY && targets.stream().noneMatch(s -> s.canaryVersion() != null)) {
                throw t.fail("no service this change applies to has a canary");
            }
            if (track == Track.SHADOW && targets.stream().noneMatch(s -> s.shadowVersion() != null)) {
                throw t.fail("no service this change applies to has a shadow deployment");
            }
        }
        String version = null;
        if (c.has("version")) {
            YamlNode v = c.get("version");
            String text = v.text();
            if (targets.stream().noneMatch(s -> text.equals(s.stableVersion()) || text.equals(s.canaryVersion())
                    || text.equals(s.shadowVersion()))) {
                throw v.fail("no service this change applies to runs version '" + text + "'");
            }
            version = text;
        }
        Map<String, Map<String, Double>> newValues = new LinkedHashMap<>();
        if (c.has("newValues")) {
            YamlNode n = c.get("newValues");
            for (String dim : n.keys()) {
                YamlNode values = n.get(dim);
                for (Service s : targets) {
                    if (!s.signal().sliceDimensions().contains(dim)) {
                        throw values.fail("'" + dim + "' is not a slice dimension of " + s.signal() + " service "
                                + s.name() + " (" + String.join(", ", s.signal().sliceDimensions()) + ")");
                    }
                }
                Map<String, Double> w = weights(values);
                for (String value : w.keySet()) {
                    for (Service s : targets) {
                        if (s.mix().get(dim).containsKey(value)) {
                            throw values.get(value).fail("'" + value + "' is already a value of " + dim
                                    + " in the mix of " + s.name());
                        }
                    }
                }
                newValues.put(dim, w);
            }
        }
        Map<String, String> where = Map.of();
        if (c.has("where")) {
            YamlNode w = c.get("where");
            for (Service s : targets) {
                where = where(w, s.signal(), s.mix(), brought(s.name(), changes));
            }
        }
        Map<Quantity, Adjustment> adjust = new EnumMap<>(Quantity.class);
        Map<InputQuantity, Adjustment> adjustInputs = new EnumMap<>(InputQuantity.class);
        if (c.has("adjust")) {
            YamlNode a = c.get("adjust");
            for (String key : a.keys()) {
                InputQuantity input = InputQuantity.byId(key);
                if (input != null) {
                    inputTargets(a.get(key), input, targets);
                    if (c.has("where")) {
                        throw a.get(key).fail("'" + key + "' is a " + input.input().name().toLowerCase(Locale.ROOT)
                                + " quantity, which no slice narrows: adjust it in a change without where");
                    }
                    adjustInputs.put(input, adjustment(a.get(key)));
                    continue;
                }
                Quantity q = null;
                for (Service s : targets) {
                    q = quantity(a, key, s.signal());
                    if (q == Quantity.SHADOW_RATE && s.shadowVersion() == null) {
                        throw a.get(key).fail("service '" + s.name() + "' has no shadow deployment: " + DECLARE_SHADOW);
                    }
                }
                adjust.put(q, adjustment(a.get(key)));
            }
        }
        if (adjust.isEmpty() && newValues.isEmpty() && adjustInputs.isEmpty()) {
            throw c.fail("a change must adjust something or bring newValues");
        }
        return new Change(name, serviceName, from, until, track, version, where, adjust, newValues, adjustInputs);
    }

    private static Adjustment adjustment(YamlNode node) {
        YamlNode v = node.allow("multiply", "add");
        if (!v.has("multiply") && !v.has("add")) {
            throw v.fail("give multiply, add or both");
        }
        double multiply = v.has("multiply") ? within(v.get("multiply"), 0, Double.MAX_VALUE, false) : 1;
        double add = v.has("add") ? v.get("add").number() : 0;
        return new Adjustment(multiply, add);
    }

    /** Checks that some service a change applies to generates the input {@code q} shapes. */
    private static void inputTargets(YamlNode at, InputQuantity q, List<Service> targets) {
        boolean serving = q.input() == InputQuantity.Input.SERVING;
        for (Service s : targets) {
            if (serving ? s.serving() != null : s.privacy() != null) {
                return;
            }
        }
        String section = serving ? "serving" : "privacy";
        throw at.fail("'" + q.id() + "' shapes " + section + " input, and no service this change applies to has a "
                + section + " section");
    }

    private static double positive(YamlNode n) {
        double v = n.number();
        if (!(v > 0)) {
            throw n.fail("must be greater than 0, not " + fmt(v));
        }
        return v;
    }

    /** A number in [lo, hi] ({@code openLow}: in (lo, hi]). */
    private static double within(YamlNode n, double lo, double hi, boolean openLow) {
        double v = n.number();
        if (v < lo || v > hi || (openLow && v == lo)) {
            throw n.fail("must be " + (openLow ? "greater than " + fmt(lo) : "at least " + fmt(lo))
                    + (hi == Double.MAX_VALUE ? "" : " and at most " + fmt(hi)) + ", not " + fmt(v));
        }
        return v;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
