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

    /** The SLOs in force for a service and signal: its own, plus every default it does not override. */
    public List<SloDefinition> slosFor(String service, Signal signal) {
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
