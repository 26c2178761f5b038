package io.speechslo.job;

import io.speechslo.burn.PaneEvidence;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.telemetry.Outcome;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Page attribution's per-pane evidence in keyed state: written and read back byte for byte, copied
 * deeply, and its snapshot restores a serializer that reads it as is (and no engine's state).
 */
class PaneEvidenceSerializerTest {

    private static MetricSet asr(int n, Outcome outcome) {
        MetricSet s = new MetricSet(Signal.ASR);
        for (int i = 0; i < n; i++) {
            s.add(Requests.asr().setOutcome(outcome).setQueueMs(10L + i).setModelMs(100L).build());
        }
        return s;
    }

    @Test
    void roundTripsCopiesAndRestores() throws Exception {
        PaneEvidenceSerializer serializer = new PaneEvidenceSerializer();
        PaneEvidence evidence = new PaneEvidence();
        evidence.add("v1", asr(20, Outcome.OK));
        evidence.add("v2", asr(5, Outcome.TIMEOUT));
        PaneEvidence back = EngineSerializersTest.roundTrip(serializer, evidence);
        assertThat(back).isEqualTo(evidence);
        EngineSerializersTest.assertCopiesDeeply(serializer, evidence, e -> { }, e -> e.add("v1", asr(3, Outcome.ERROR)));
        EngineSerializersTest.assertSnapshotRestores(serializer);
    }
}
