package io.speechslo.gate;

import io.speechslo.advisory.Decision;
import io.speechslo.advisory.StageEntry;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class StageHistoryTest {

    private static final long MIN = 60_000;

    @Test
    void sharesSnapToTheNearestCommonStepOnALogScale() {
        assertThat(StageHistory.step(0.001)).isZero(); // below 1%: the 1% step
        assertThat(StageHistory.STEPS[StageHistory.step(0.04)]).isEqualTo(0.05);
        assertThat(StageHistory.STEPS[StageHistory.step(0.075)]).isEqualTo(0.10); // above 7.07%
        assertThat(StageHistory.STEPS[StageHistory.step(0.069)]).isEqualTo(0.05);
        assertThat(StageHistory.STEPS[StageHistory.step(0.15)]).isEqualTo(0.10);
        assertThat(StageHistory.STEPS[StageHistory.step(0.16)]).isEqualTo(0.25);
        assertThat(StageHistory.STEPS[StageHistory.step(0.7)]).isEqualTo(0.50);
        assertThat(StageHistory.STEPS[StageHistory.step(1.0)]).isEqualTo(1.0);
    }

    @Test
    void aStageNeedsTwoPanesAndStartsAtTheFirst() {
        StageHistory h = new StageHistory();
        h.pane(0, 10, 90); // 10%
        h.decided(MIN, Decision.PAUSE);
        h.pane(MIN, 25, 75); // a lone 25% minute: noise, counted in the 10% stage
        h.pane(2 * MIN, 10, 90);
        h.pane(3 * MIN, 25, 75); // 25% held for two minutes: a stage from minute 3
        assertThat(h.entries(0)).extracting(StageEntry::getSince).containsExactly(0L);
        h.decided(4 * MIN, Decision.CONTINUE);
        h.pane(4 * MIN, 25, 75);

        assertThat(h.entries(0)).extracting(StageEntry::getSince, StageEntry::getCanaryShare, StageEntry::getDecision)
                .containsExactly(tuple(0L, 45.0 / 300, Decision.PAUSE), tuple(3 * MIN, 0.25, Decision.PAUSE),
                        tuple(4 * MIN, 0.25, Decision.CONTINUE));
        // panes without canary traffic neither start nor break a stage
        h.pane(5 * MIN, 0, 100);
        h.pane(6 * MIN, 50, 50);
        h.pane(7 * MIN, 0, 100);
        h.pane(8 * MIN, 50, 50);
        assertThat(h.entries(0)).extracting(StageEntry::getSince).containsExactly(0L, 3 * MIN, 4 * MIN, 6 * MIN);
    }

    @Test
    void theHistoryIsBoundedToItsLastEntries() throws IOException {
        StageHistory h = new StageHistory();
        for (int i = 0; i < 200; i++) {
            h.pane(i * MIN, 1, 1);
            h.decided(i * MIN + MIN, i % 2 == 0 ? Decision.CONTINUE : Decision.PAUSE);
        }
        List<StageEntry> entries = h.entries(0);
        assertThat(entries).hasSize(StageHistory.MAX_ENTRIES);
        assertThat(entries.get(entries.size() - 1).getSince()).isEqualTo(200 * MIN);
        assertThat(entries.get(0).getSince()).isEqualTo((200 - StageHistory.MAX_ENTRIES + 1) * MIN);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        h.writeTo(new DataOutputStream(bytes));
        StageHistory read = StageHistory.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(read.entries(0)).isEqualTo(entries);
    }

    @Test
    void stateWithoutAHistoryStartsItAtTheLastDecision() {
        StageHistory h = StageHistory.restoredFromTotals(300, 700, Decision.ROLLBACK, 9 * MIN);
        assertThat(h.entries(0)).extracting(StageEntry::getSince, StageEntry::getCanaryShare, StageEntry::getDecision)
                .containsExactly(tuple(9 * MIN, 0.3, Decision.ROLLBACK));
        assertThat(StageHistory.restoredFromTotals(300, 700, null, Long.MIN_VALUE).entries(0)).isEmpty();
    }
}
