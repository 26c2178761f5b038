package io.speechslo.console;

import io.speechslo.scorecard.Scorecard;
import io.speechslo.scorecard.ScorecardKind;
import io.speechslo.scorecard.ScorecardValue;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScorecardStoreTest {

    static final long MIN = 60_000;

    static Scorecard card(long end, Map<String, String> slice, double wer, long labelled) {
        List<ScorecardValue> values = new ArrayList<>();
        values.add(new ScorecardValue("requests", 100.0, 100L, null));
        values.add(new ScorecardValue("wer", Double.isNaN(wer) ? null : wer, labelled, null));
        return Scorecard.newBuilder().setKind(ScorecardKind.SLICE).setService("asr").setSignal("ASR")
                .setModelVersion("v1").setTrack("STABLE").setSlice(slice).setWindowStart(end - MIN).setWindowEnd(end)
                .setValues(values).build();
    }

    static ScorecardStore.Series only(ScorecardStore store) {
        return store.read(v -> v.series("asr", k -> true).get(0));
    }

    @Test
    void rowsStayInTimeOrderWhenOneArrivesLate() {
        ScorecardStore store = new ScorecardStore(Duration.ofDays(1));
        store.addAll(List.of(card(3 * MIN, Map.of(), 0.3, 10), card(5 * MIN, Map.of(), 0.5, 10)), List.of());
        store.addAll(List.of(card(4 * MIN, Map.of(), 0.4, 10)), List.of());
        store.addAll(List.of(card(6 * MIN, Map.of(), Double.NaN, 0)), List.of());
        ScorecardStore.Series s = only(store);
        int wer = store.read(v -> v.metric("wer"));
        assertThat(s.rows()).isEqualTo(4);
        assertThat(List.of(s.end(0), s.end(1), s.end(2), s.end(3))).containsExactly(3 * MIN, 4 * MIN, 5 * MIN, 6 * MIN);
        assertThat(s.value(1, wer)).isEqualTo((double) 0.4f);
        assertThat(s.value(3, wer)).as("a null value is no value, not zero").isNaN();
        int requests = store.read(v -> v.metric("requests"));
        assertThat(List.of(s.samples(1, requests), s.samples(1, wer), s.samples(2, wer), s.samples(3, wer)))
                .as("each value's own sample count, kept once per run of equal counts").containsExactly(100L, 10L, 10L, 0L);
        assertThat(Views.Agg.weighted(s, wer, 0, 10 * MIN)[0]).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(Views.Agg.last(s, wer, 0, 10 * MIN)[0]).isEqualTo((double) 0.5f);
        assertThat(Views.Agg.sum(s, store.read(v -> v.metric("requests")), 3 * MIN, 5 * MIN)).isEqualTo(200);
    }

    @Test
    void sampleCountsSurviveRunsOfEqualCountsAndTrimming() {
        ScorecardStore store = new ScorecardStore(Duration.ofMinutes(10));
        for (int m = 1; m <= 30; m++) {
            List<ScorecardValue> values = List.of(new ScorecardValue("requests", 50.0 + m, 50L + m, null),
                    new ScorecardValue("error_rate", 0.01, 50L + m, null), new ScorecardValue("wer", 0.1, 7L, null),
                    new ScorecardValue("cer", 0.05, 7L, null), new ScorecardValue("timeout_rate", 0.0, 50L + m, null));
            store.addAll(List.of(Scorecard.newBuilder(card(m * MIN, Map.of(), 0.1, 7)).setValues(values).build()), List.of());
        }
        ScorecardStore.Series s = only(store);
        assertThat(s.rows()).isBetween(10, 13);
        for (int r = 0; r < s.rows(); r++) {
            long m = s.end(r) / MIN;
            for (String name : List.of("requests", "error_rate", "timeout_rate")) {
                assertThat(s.samples(r, store.read(v -> v.metric(name)))).as(name + " at minute " + m).isEqualTo(50 + m);
            }
            assertThat(s.samples(r, store.read(v -> v.metric("wer")))).isEqualTo(7);
            assertThat(s.samples(r, store.read(v -> v.metric("cer")))).isEqualTo(7);
            assertThat(s.value(r, store.read(v -> v.metric("requests")))).isEqualTo(50.0 + m);
        }
    }

    @Test
    void whatEndedBeforeTheHistoryIsForgotten() {
        ScorecardStore store = new ScorecardStore(Duration.ofHours(2));
        List<Scorecard> day = new ArrayList<>();
        for (int m = 1; m <= 24 * 60; m++) {
            day.add(card(m * MIN, Map.of(), 0.1, 10));
        }
        day.add(card(MIN, Map.of("region", "gone"), 0.1, 10)); // a slice seen once, long ago
        store.addAll(day, List.of());
        store.addAll(List.of(card(24 * 60 * MIN + MIN, Map.of(), 0.1, 10)), List.of());
        ScorecardStore.Series s = only(store);
        assertThat(s.end(0)).isGreaterThanOrEqualTo((24 * 60 + 1 - 120 - 5) * MIN);
        assertThat(s.rows()).isLessThanOrEqualTo(120 + 6);
        assertThat(store.read(ScorecardStore.View::seriesCount)).as("the one-off slice is gone").isEqualTo(1);
    }

    @Test
    void aMalformedFilterIsA400NamingIt() {
        Duration history = Duration.ofDays(1);
        assertThatThrownBy(() -> ConsoleQuery.parse("range=soon", history)).isInstanceOf(ConsoleQuery.BadRequest.class)
                .hasMessageContaining("'range'");
        assertThatThrownBy(() -> ConsoleQuery.parse("range=2d", history)).hasMessageContaining("at most the console's history (1d)");
        assertThatThrownBy(() -> ConsoleQuery.parse("end=yesterday", history)).hasMessageContaining("'end'");
        assertThatThrownBy(() -> ConsoleQuery.parse("colour=blue", history)).hasMessageContaining("unknown query parameter 'colour'");
        assertThatThrownBy(() -> ConsoleQuery.parse("service=%zz", history)).isInstanceOf(ConsoleQuery.BadRequest.class);
        ConsoleQuery q = ConsoleQuery.parse("service=asr&version=&range=90m&end=2026-01-05T10:00:00Z", history);
        assertThat(q.service()).isEqualTo("asr");
        assertThat(q.version()).isNull();
        assertThat(q.range()).isEqualTo(Duration.ofMinutes(90));
        assertThat(q.end().toString()).isEqualTo("2026-01-05T10:00:00Z");
    }
}
