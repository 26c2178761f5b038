package io.speechslo.policy.load;

import io.speechslo.advisory.Direction;
import io.speechslo.metrics.Metric;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.GatePolicy;
import io.speechslo.policy.GateRule;
import io.speechslo.policy.LimitMode;
import io.speechslo.policy.SloDefinition;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the ReleaseGatePolicy documents of job/gates/: exactly one default ({@code service: "*"}) and
 * any number of service overrides, whose rules replace the default rule of the same metric.
 */
final class GateParser {

    private static final List<String> LIMIT_KEYS = List.of("relative", "delta", "absolute");

    private record Gate(YamlNode service, Double falseDiscoveryRate, Integer maxSliceDimensions,
            Double promotionMinShare, Boolean alwaysValid, Map<Signal, List<GateRule>> rules) {}

    private Gate defaultGate;
    private final Map<String, Gate> overrides = new TreeMap<>();

    void document(YamlNode doc) {
        Documents.header(doc, Documents.SPEECHSLO, List.of("ReleaseGatePolicy"));
        Documents.name(doc.req("metadata"));
        YamlNode spec = doc.req("spec").allow("service", "falseDiscoveryRate", "maxSliceDimensions",
                "promotionMinShare", "sequential", "asr", "tts");
        YamlNode service = spec.req("service");
        boolean isDefault = service.text().equals(SloDefinition.ANY_SERVICE);
        Gate earlier = isDefault ? defaultGate : overrides.get(service.text());
        if (earlier != null) {
            throw service.fail("a gate for service '" + service.text() + "' is already defined at " + earlier.service().where());
        }

        Double fdr = null;
        YamlNode fdrNode = isDefault ? spec.req("falseDiscoveryRate") : spec.get("falseDiscoveryRate");
        if (fdrNode != null) {
            fdr = fdrNode.number();
            if (!(fdr > 0 && fdr < 1)) {
                throw fdrNode.fail("must be in (0, 1), e.g. 0.05");
            }
        }
        Integer dims = null;
        YamlNode dimsNode = isDefault ? spec.req("maxSliceDimensions") : spec.get("maxSliceDimensions");
        if (dimsNode != null) {
            long d = dimsNode.integer();
            if (d < 0 || d > 4) {
                throw dimsNode.fail("must be 0..4, not " + d);
            }
            dims = (int) d;
        }
        Double minShare = null;
        YamlNode minShareNode = spec.get("promotionMinShare"); // optional everywhere: 0.02 by default
        if (minShareNode != null) {
            minShare = minShareNode.number();
            if (!(minShare > 0 && minShare <= 1)) {
                throw minShareNode.fail("must be in (0, 1], e.g. 0.02, not " + minShare);
            }
        }
        Boolean alwaysValid = null;
        YamlNode sequentialNode = spec.get("sequential"); // optional everywhere: always-valid by default
        if (sequentialNode != null) {
            switch (sequentialNode.text()) {
                case "always-valid" -> alwaysValid = true;
                case "per-look" -> alwaysValid = false;
                default -> throw sequentialNode.fail("unknown sequential test '" + sequentialNode.text()
                        + "' (valid: always-valid, per-look)");
            }
        }
        Map<Signal, List<GateRule>> rules = new EnumMap<>(Signal.class);
        for (Signal signal : Signal.values()) {
            YamlNode list = spec.get(signal.name().toLowerCase(Locale.ROOT));
            rules.put(signal, list == null ? List.of() : rules(signal, list));
        }
        Gate gate = new Gate(service, fdr, dims, minShare, alwaysValid, rules);
        if (isDefault) {
            defaultGate = gate;
        } else {
            overrides.put(service.text(), gate);
        }
    }

    private static List<GateRule> rules(Signal signal, YamlNode list) {
        List<GateRule> out = new ArrayList<>();
        Map<Metric, YamlNode> seen = new LinkedHashMap<>();
        for (YamlNode r : list.items()) {
            GateRule rule = rule(signal, r);
            YamlNode first = seen.putIfAbsent(rule.metric(), r);
            if (first != null) {
                throw r.get("metric").fail("metric '" + rule.metric().id() + "' already has a rule at line " + first.line());
            }
            out.add(rule);
        }
        return out;
    }

    private static GateRule rule(Signal signal, YamlNode r) {
        r.allow("metric", "critical", "direction", "relative", "delta", "absolute", "minSamples", "minSliceSamples", "tier");
        YamlNode metricNode = r.req("metric");
        Metric metric = Metric.find(signal, metricNode.text());
        if (metric == null) {
            throw metricNode.fail("unknown " + signal.name().toLowerCase(Locale.ROOT) + " metric '" + metricNode.text()
                    + "' (valid: " + String.join(", ", Metric.ids(signal)) + ")");
        }
        boolean critical = r.req("critical").bool();

        Direction direction = metric.direction();
        YamlNode dirNode = r.get("direction");
        if (dirNode != null) {
            switch (dirNode.text()) {
                case "lower_is_better":
                    direction = Direction.LOWER_IS_BETTER;
                    break;
                case "higher_is_better":
                    direction = Direction.HIGHER_IS_BETTER;
                    break;
                default:
                    throw dirNode.fail("unknown direction '" + dirNode.text() + "' (valid: lower_is_better, higher_is_better)");
            }
        }

        List<String> limits = new ArrayList<>();
        for (String k : r.keys()) {
            if (LIMIT_KEYS.contains(k)) {
                limits.add(k);
            }
        }
        if (limits.size() != 1) {
            throw r.fail("rule for '" + metric.id() + "' needs exactly one of relative, delta, absolute"
                    + (limits.isEmpty() ? ", found none" : ", found " + String.join(" and ", limits)));
        }
        YamlNode limitNode = r.get(limits.get(0));
        double limit = limitNode.number();
        if (limit < 0) {
            throw limitNode.fail("limit must be >= 0, not " + limit);
        }
        LimitMode mode = LimitMode.valueOf(limits.get(0).toUpperCase(Locale.ROOT));

        long minSamples = positive(r.req("minSamples"));
        long minSliceSamples = positive(r.req("minSliceSamples"));
        int tier = 1;
        YamlNode tierNode = r.get("tier");
        if (tierNode != null) {
            long t = tierNode.integer();
            if (t != 1 && t != 2) {
                throw tierNode.fail("tier must be 1 or 2, not " + t);
            }
            tier = (int) t;
        }
        return new GateRule(metric, critical, direction, mode, limit, minSamples, minSliceSamples, tier);
    }

    private static long positive(YamlNode n) {
        long v = n.integer();
        if (v < 1) {
            throw n.fail("must be >= 1, not " + v);
        }
        return v;
    }

    /** The default gate; fails when no file defined one. */
    GatePolicy defaultGate(String where) {
        if (defaultGate == null) {
            throw new PolicyException(where, 0, "", "no ReleaseGatePolicy with service \"*\" (the default gate) is defined");
        }
        return new GatePolicy(defaultGate.falseDiscoveryRate(), defaultGate.maxSliceDimensions(), defaultGate.rules(),
                defaultGate.promotionMinShare() != null ? defaultGate.promotionMinShare()
                        : GatePolicy.DEFAULT_PROMOTION_MIN_SHARE,
                defaultGate.alwaysValid() != null ? defaultGate.alwaysValid() : GatePolicy.DEFAULT_ALWAYS_VALID);
    }

    /** Each overriding service's gate: the default with that service's rules and settings applied. */
    Map<String, GatePolicy> serviceGates(GatePolicy base) {
        Map<String, GatePolicy> out = new TreeMap<>();
        for (Map.Entry<String, Gate> e : overrides.entrySet()) {
            Gate o = e.getValue();
            Map<Signal, List<GateRule>> rules = new EnumMap<>(Signal.class);
            for (Signal signal : Signal.values()) {
                Map<Metric, GateRule> merged = new LinkedHashMap<>();
                for (GateRule rule : base.rulesFor(signal)) {
                    merged.put(rule.metric(), rule);
                }
                for (GateRule rule : o.rules().get(signal)) {
                    merged.put(rule.metric(), rule);
                }
                rules.put(signal, List.copyOf(merged.values()));
            }
            out.put(e.getKey(), new GatePolicy(
                    o.falseDiscoveryRate() != null ? o.falseDiscoveryRate() : base.falseDiscoveryRate(),
                    o.maxSliceDimensions() != null ? o.maxSliceDimensions() : base.maxSliceDimensions(),
                    rules,
                    o.promotionMinShare() != null ? o.promotionMinShare() : base.promotionMinShare(),
                    o.alwaysValid() != null ? o.alwaysValid() : base.alwaysValid()));
        }
        return out;
    }
}
