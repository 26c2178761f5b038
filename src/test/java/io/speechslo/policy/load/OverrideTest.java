package io.speechslo.policy.load;

import io.speechslo.metrics.Signal;
import io.speechslo.policy.GatePolicy;
import io.speechslo.policy.GateRule;
import io.speechslo.policy.LimitMode;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.telemetry.AsrRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A service's override replaces only that service's rule or SLO of the same name. */
class OverrideTest {

    @TempDir
    Path tmp;

    @Test
    void gateOverrideReplacesOnlyThatServicesRulesOfTheSameMetric() {
        JobDir.write(tmp, "gates/dictation.yaml", JobDir.shipped("gates/example-override.yaml.off"));
        Policies p = PolicyLoader.load(tmp);
        GatePolicy base = p.defaultGate();
        GatePolicy dictation = p.gateFor("dictation");

        assertThat(p.serviceGates()).containsOnlyKeys("dictation");
        assertThat(p.gateFor("other")).isSameAs(base);
        assertThat(base).isEqualTo(PolicyLoader.loadDefaults().defaultGate());

        assertThat(dictation.falseDiscoveryRate()).isEqualTo(0.10);
        assertThat(dictation.maxSliceDimensions()).isEqualTo(base.maxSliceDimensions());

        List<GateRule> baseAsr = base.rulesFor(Signal.ASR);
        List<GateRule> asr = dictation.rulesFor(Signal.ASR);
        assertThat(asr).extracting(r -> r.metric().id())
                .containsExactlyElementsOf(baseAsr.stream().map(r -> r.metric().id()).toList());
        for (int i = 0; i < asr.size(); i++) {
            GateRule r = asr.get(i);
            switch (r.metric().id()) {
                case "first_partial_p95_ms":
                    assertThat(r.mode()).isEqualTo(LimitMode.ABSOLUTE);
                    assertThat(r.limit()).isEqualTo(500);
                    assertThat(baseAsr.get(i).limit()).isEqualTo(300);
                    break;
                case "wer":
                    assertThat(r.limit()).isEqualTo(0.02);
                    assertThat(r.minSamples()).isEqualTo(1000);
                    break;
                default:
                    assertThat(r).isEqualTo(baseAsr.get(i));
            }
        }
        assertThat(dictation.rulesFor(Signal.TTS)).isEqualTo(base.rulesFor(Signal.TTS));
    }

    @Test
    void anOverrideMayAddAMetricTheDefaultDoesNotJudge() {
        JobDir.write(tmp, "gates/dictation.yaml", String.join("\n",
                "apiVersion: speechslo.io/v1",
                "kind: ReleaseGatePolicy",
                "metadata: {name: dictation}",
                "spec:",
                "  service: dictation",
                "  maxSliceDimensions: 1",
                "  promotionMinShare: 0.05",
                "  sequential: per-look",
                "  asr:",
                "    - {metric: partial_churn, critical: false, relative: 0.2, minSamples: 1000, minSliceSamples: 100}",
                ""));
        Policies p = PolicyLoader.load(tmp);
        GatePolicy g = p.gateFor("dictation");
        assertThat(g.maxSliceDimensions()).isEqualTo(1);
        assertThat(g.falseDiscoveryRate()).isEqualTo(p.defaultGate().falseDiscoveryRate());
        assertThat(g.promotionMinShare()).isEqualTo(0.05);
        assertThat(g.alwaysValid()).isFalse();
        assertThat(p.defaultGate().alwaysValid()).isTrue();
        assertThat(p.defaultGate().promotionMinShare()).isEqualTo(GatePolicy.DEFAULT_PROMOTION_MIN_SHARE);
        assertThat(g.rulesFor(Signal.ASR)).hasSize(p.defaultGate().rulesFor(Signal.ASR).size() + 1);
        assertThat(g.rulesFor(Signal.ASR).get(g.rulesFor(Signal.ASR).size() - 1).metric().id()).isEqualTo("partial_churn");
    }

    @Test
    void sloOverrideReplacesOnlyThatServicesSloOfTheSameName() {
        JobDir.write(tmp, "slos/dictation.yaml", JobDir.shipped("slos/example-override.yaml.off"));
        Policies p = PolicyLoader.load(tmp);
        AsrRequest partialAt450 = Telemetry.asr().setFirstPartialMs(450L).build();

        List<SloDefinition> dictation = p.slosFor("dictation", Signal.ASR);
        List<SloDefinition> other = p.slosFor("other", Signal.ASR);
        assertThat(dictation).extracting(SloDefinition::name)
                .containsExactly("asr-availability", "asr-first-partial-latency", "asr-finalization-latency");
        assertThat(other).extracting(SloDefinition::name).containsExactlyElementsOf(
                dictation.stream().map(SloDefinition::name).toList());

        SloDefinition own = dictation.get(1);
        SloDefinition dflt = other.get(1);
        assertThat(own.service()).isEqualTo("dictation");
        assertThat(dflt.service()).isEqualTo("*");
        assertThat(own.good().test(partialAt450)).isTrue();
        assertThat(dflt.good().test(partialAt450)).isFalse();
        assertThat(own.alerts()).isEqualTo(dflt.alerts());

        assertThat(dictation.get(0)).isSameAs(other.get(0));
        assertThat(dictation.get(2)).isSameAs(other.get(2));
        assertThat(p.slosFor("dictation", Signal.TTS)).isEqualTo(p.slosFor("other", Signal.TTS));
    }
}
