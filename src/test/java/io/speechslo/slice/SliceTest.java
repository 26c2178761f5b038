package io.speechslo.slice;

import io.speechslo.fixtures.Requests;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SliceTest {

    @Test
    void withValueReplacesOneValueAndLeavesTheOriginalAlone() {
        Slice s = Slice.parse("device=mobile,region=eu-west-1");
        Slice other = s.withValue(1, "other");
        assertThat(other.key()).isEqualTo("device=mobile,region=other");
        assertThat(s.key()).isEqualTo("device=mobile,region=eu-west-1");
        assertThat(other).isEqualTo(Slice.parse("device=mobile,region=other"));
    }

    @Test
    void withinMeansEveryDimensionOfTheOuterSliceWithTheSameValue() {
        Slice full = Slice.parse("device=mobile,language=en-US,region=eu-west-1");
        assertThat(full.within(Slice.ALL)).isTrue();
        assertThat(full.within(full)).isTrue();
        assertThat(full.within(Slice.parse("language=en-US,region=eu-west-1"))).isTrue();
        assertThat(full.within(Slice.parse("region=us-east-1"))).as("another value").isFalse();
        assertThat(full.within(Slice.parse("acoustic_condition=quiet"))).as("a dimension it lacks").isFalse();
        assertThat(Slice.parse("region=eu-west-1").within(full)).as("the outer slice is narrower").isFalse();
    }

    @Test
    void canonicalWhateverTheOrder() {
        Slice a = Slice.of(List.of("region", "device"), List.of("eu", "mobile"));
        Slice b = Slice.of(Map.of("device", "mobile", "region", "eu"));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.key()).isEqualTo("device=mobile,region=eu");
        assertThat(Slice.parse(a.key())).isEqualTo(a);
        assertThat(Slice.parse("")).isSameAs(Slice.ALL);
        assertThat(a.describe()).isEqualTo("device=mobile, region=eu");
        assertThat(Slice.ALL.describe()).isEqualTo("whole service");
    }

    @Test
    void projectionKeepsTheMaskedDimensions() {
        Slice full = RequestSlices.of(Requests.asr().build());
        assertThat(full.key()).isEqualTo("acoustic_condition=quiet,device=mobile,language=en-US,region=us-east-1");
        assertThat(full.project(0b1010).key()).isEqualTo("device=mobile,region=us-east-1");
        assertThat(full.project(0)).isSameAs(Slice.ALL);
        assertThat(full.project(0b1111)).isSameAs(full);
        assertThat(RequestSlices.of(Requests.tts().build()).get("voice")).isEqualTo("aria");
    }

    @Test
    void rejectsDuplicatesAndDisorder() {
        assertThatThrownBy(() -> Slice.of(List.of("a", "a"), List.of("1", "2"))).hasMessageContaining("given twice");
        assertThatThrownBy(() -> Slice.ofSorted(new String[] {"b", "a"}, new String[] {"1", "2"}))
                .hasMessageContaining("ascending");
    }

    @Test
    void valuesThatWouldBreakTheKeyAreCleaned() {
        Slice s = RequestSlices.of(Requests.asr().setDevice("car,v=2").build());
        assertThat(s.get("device")).isEqualTo("car_v_2");
        assertThat(Slice.parse(s.key())).isEqualTo(s);
    }
}
