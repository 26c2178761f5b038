package io.speechslo.job;

import io.speechslo.policy.SloDefinition;
import io.speechslo.policy.load.PolicyLoader;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KeysTest {

    private static final String S = String.valueOf(Keys.SEP);

    @Test
    void splitGivesWhatStringSplitGivesEmptyPartsIncluded() {
        for (String key : List.of("", "a", S, "a" + S, S + "b", "asr-prod" + S + "ASR", "x" + S + S + "y" + S,
                "slo" + S + "v1" + S + "language=en-US,region=eu-west-1", S + S + S)) {
            assertThat(Keys.split(key)).as(key.replace(Keys.SEP, '|')).containsExactly(key.split(S, -1));
        }
    }

    @Test
    void sloIsTheOneTheKeysFirstPartNamesExactly() {
        List<SloDefinition> slos = PolicyLoader.bundleDefaults().policies().slos();
        SloDefinition first = slos.get(0);
        assertThat(Keys.slo(slos, first.name() + S + "v1" + S)).isSameAs(first);
        assertThat(Keys.slo(slos, first.name())).isSameAs(first);
        assertThat(Keys.slo(slos, first.name() + "-gone" + S + "v1")).isNull();
        assertThat(Keys.slo(slos, first.name().substring(1) + S + "v1")).isNull();
        assertThat(Keys.slo(slos, S + "v1")).isNull();
        for (SloDefinition s : slos) { // the first of that name, as a search by name finds it
            assertThat(Keys.slo(slos, s.name() + S + S + "x"))
                    .isSameAs(slos.stream().filter(o -> o.name().equals(s.name())).findFirst().orElseThrow());
        }
    }
}
