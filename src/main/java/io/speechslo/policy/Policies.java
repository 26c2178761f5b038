package io.speechslo.policy;

import io.speechslo.metrics.Signal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the job decides with, loaded and validated once at start-up. Defaults apply to every
 * service; a service's own SLO (same name) or gate replaces the default for that service only.
 *
 * @param version a digest of the policy files' content, carried on every advisory as policy_version
 */
public record Policies(
        List<SloDefinition> slos,
        GatePolicy defaultGate,
        Map<String, GatePolicy> serviceGates,
        DriftPolicy drift,
        BurnSettings burn,
        String version) {

    public Policies {
        slos = List.copyOf(slos);
        serviceGates = Map.copyOf(serviceGates);
    }

    /**
     * The request-based SLOs in force for a service and signal: its own, plus every default it does not
     * override. (Their counts are kept in this order.)
     */
    public List<SloDefinition> slosFor(String service, Signal signal) {
        return allSlosFor(service, signal).stream().filter(s -> !s.isThreshold()).toList();
    }

    /** The threshold SLOs in force for a service and signal, judged per slice on the SLICE scorecards. */
    public List<SloDefinition> thresholdSlosFor(String service, Signal signal) {
        return allSlosFor(service, signal).stream().filter(SloDefinition::isThreshold).toList();
    }

    /** Every SLO in force for a service and signal, of both kinds. */
    public List<SloDefinition> allSlosFor(String service, Signal signal) {
        Map<String, SloDefinition> byName = new LinkedHashMap<>();
        for (SloDefinition s : slos) {
            if (s.signal() == signal && s.service().equals(SloDefinition.ANY_SERVICE)) {
                byName.put(s.name(), s);
            }
        }
        for (SloDefinition s : slos) {
            if (s.signal() == signal && s.service().equals(service)) {
                byName.put(s.name(), s);
            }
        }
        return new ArrayList<>(byName.values());
    }

    public GatePolicy gateFor(String service) {
        return serviceGates.getOrDefault(service, defaultGate);
    }
}
