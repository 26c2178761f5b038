package io.speechslo.gate;

import io.speechslo.drift.AudioFeature;
import io.speechslo.drift.DriftStats;
import io.speechslo.fixtures.Requests;
import io.speechslo.metrics.ExactSums;
import io.speechslo.scorecard.RequestStats;
import io.speechslo.telemetry.AsrRequest;

import org.junit.jupiter.api.Test;

import java.io.DataOutputStream;
import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cohort sums come from what a slice pane already holds, exactly: the confidence and feature sums of a
 * pane's requests, moved to the period the tracker folds the pane into; and the request stats of the
 * release before (format 2, without the squares of the confidences) still read.
 */
class CohortSumsTest {

    private static AsrRequest request(double confidence, double snr, int corrections) {
        return Requests.asr().setConfidence((float) confidence).setSnrDb((float) snr).setCorrections(corrections)
                .build();
    }

    @Test
    void aPaneGivesItsConfidenceCorrectionsAndFeaturesIntoThePeriodItFallsIn() {
        RequestStats stats = new RequestStats();
        DriftStats drift = new DriftStats();
        double[] conf = {0.5, 0.75, 0.875, 1.0};
        double[] snr = {10, 12, 14, 16};
        for (int i = 0; i < 4; i++) {
            AsrRequest r = request(conf[i], snr[i], i % 2);
            stats.add(r);
            drift.add(r);
        }
        CohortSums pane = CohortSums.ofPane(stats, drift);
        CohortSums later = new CohortSums();
        later.addPane(pane, CohortSums.LATER);
        assertThat(later.feature(AudioFeature.SNR_DB, CohortSums.FIRST_HOUR).n()).isZero();
        CohortSums.Moments s = later.feature(AudioFeature.SNR_DB, CohortSums.LATER);
        assertThat(s.n()).isEqualTo(4);
        assertThat(s.mean()).isEqualTo(13.0);
        assertThat(s.variance()).isEqualTo((9 + 1 + 1 + 9) / 3.0);
        assertThat(later.feature(AudioFeature.SNR_DB).mean()).isEqualTo(13.0);
        CohortSums.Moments c = later.confidence();
        assertThat(c.n()).isEqualTo(4);
        assertThat(c.mean()).isEqualTo(0.78125);
        assertThat(later.correctionRequests()).isEqualTo(4);
        assertThat(later.corrected()).isEqualTo(2);
        // requests without features: nothing to compare, nothing kept
        assertThat(later.feature(AudioFeature.CLIPPING_RATIO).n()).isZero();
        assertThat(new CohortSums().isEmpty()).isTrue();
        assertThat(later.isEmpty()).isFalse();
    }

    @Test
    void aPanesHeadCarriesItsCohortSumsAndAPaneWithoutThemGivesNone() {
        io.speechslo.aggregate.SlicePane pane = new io.speechslo.aggregate.SlicePane(io.speechslo.metrics.Signal.ASR);
        for (int i = 0; i < 50; i++) {
            pane.add(request(0.5 + i / 100.0, 10 + i % 7, i % 3 == 0 ? 1 : 0), i);
        }
        byte[] bytes = pane.toBytes();
        io.speechslo.aggregate.SlicePane.Head head = io.speechslo.aggregate.SlicePane.headFromBytes(bytes);
        byte[] expected = io.speechslo.bytes.ByteWriter.bytes(
                CohortSums.ofPane(pane.requestStats(), pane.drift())::writeTo, 512);
        assertThat(io.speechslo.bytes.ByteWriter.bytes(head.cohort()::writeTo, 512)).isEqualTo(expected);
        assertThat(head.cohort().confidence().n()).isEqualTo(50);
        // the full pane reads past them to the same pane
        assertThat(io.speechslo.aggregate.SlicePane.fromBytes(bytes).toBytes()).isEqualTo(bytes);
        // format 3 (before): the flag clear and the sums left out of the head
        int sumsLength = expected.length;
        int metricsEnd = bytes.length - tail(pane, sumsLength);
        byte[] old = new byte[bytes.length - sumsLength];
        System.arraycopy(bytes, 0, old, 0, metricsEnd);
        System.arraycopy(bytes, metricsEnd + sumsLength, old, metricsEnd, bytes.length - metricsEnd - sumsLength);
        old[0] = (byte) (old[0] & ~0x08);
        io.speechslo.aggregate.SlicePane.Head oldHead = io.speechslo.aggregate.SlicePane.headFromBytes(old);
        assertThat(oldHead.cohort()).isNull();
        assertThat(oldHead.requests()).isEqualTo(50);
        assertThat(io.speechslo.aggregate.SlicePane.fromBytes(old).requestStats().requests()).isEqualTo(50);
    }

    /** Bytes of the pane after its head's cohort sums: drift, request stats, SLO counts, cost shares. */
    private static int tail(io.speechslo.aggregate.SlicePane pane, int sumsLength) {
        return io.speechslo.bytes.ByteWriter.bytes(out -> {
            pane.drift().writeTo(out);
            pane.requestStats().writeTo(out);
            pane.sloCounts().writeTo(out);
            pane.costShares().writeTo(out);
        }, 512).length + sumsLength;
    }

    @Test
    void requestStatsOfFormat2ReadWithoutTheSquaresOfTheConfidences() throws Exception {
        RequestStats stats = new RequestStats();
        stats.add(request(0.5, 10, 0));
        stats.add(request(1.0, 10, 1));
        // format 2 as the release before wrote it: the same counts, six sums, the sketches
        byte[] current = io.speechslo.bytes.ByteWriter.bytes(stats::writeTo, 512);
        assertThat(current[0]).isEqualTo((byte) 3);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        out.writeByte(2);
        for (int i = 0; i < 16; i++) {
            io.speechslo.bytes.Varints.writeUnsigned(out, stats.count(i));
        }
        ExactSums sums = new ExactSums(7);
        for (int i = 0; i < 7; i++) {
            stats.addSumTo(i, sums, i);
        }
        for (int i = 0; i < 6; i++) {
            sums.writeTo(i, out);
        }
        for (int k = 0; k < 3; k++) {
            stats.sketch(k).writeTo(out);
        }
        RequestStats old = RequestStats.readFrom(new io.speechslo.bytes.ByteReader(buf.toByteArray()));
        assertThat(old.sum(RequestStats.CONFIDENCE)).isEqualTo(1.5);
        assertThat(old.sum(RequestStats.CONFIDENCE_SQUARED)).isZero();
        assertThat(stats.sum(RequestStats.CONFIDENCE_SQUARED)).isEqualTo(1.25);
        assertThat(old.count(RequestStats.CORRECTED)).isEqualTo(1);
    }

    @Test
    void oneSumAddsToAnotherHolderExactlyEvenWhenItSpilled() {
        ExactSums a = new ExactSums(2);
        a.add(1, 0.1);
        a.add(1, 1e-30); // below the fixed part: spills
        a.add(1, 3L);
        ExactSums b = new ExactSums(3);
        b.add(2, 0.2);
        a.addTo(1, b, 2);
        a.addTo(1, b, 2);
        ExactSums expected = new ExactSums(1);
        expected.add(0, 0.2);
        for (int i = 0; i < 2; i++) {
            expected.add(0, 0.1);
            expected.add(0, 1e-30);
            expected.add(0, 3L);
        }
        assertThat(b.value(2)).isEqualTo(expected.value(0));
        assertThat(b.value(0)).isZero();
        assertThat(a.value(1)).isEqualTo(3.1 + 1e-30);
    }
}
