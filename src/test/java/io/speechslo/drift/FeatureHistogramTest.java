package io.speechslo.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import org.junit.jupiter.api.Test;

class FeatureHistogramTest {

    @Test
    void valuesOutsideTheRangeLandInTheEdgeBins() {
        AudioFeature snr = AudioFeature.SNR_DB;
        assertThat(snr.bin(-40)).isEqualTo(0);
        assertThat(snr.bin(-0.5)).isEqualTo(0);
        assertThat(snr.bin(0)).isEqualTo(1);
        assertThat(snr.bin(200)).isEqualTo(snr.bins() - 1);

        AudioFeature silence = AudioFeature.SILENCE_RATIO;
        assertThat(silence.bins()).isEqualTo(10);
        assertThat(silence.bin(-0.1)).isEqualTo(0);
        assertThat(silence.bin(0.35)).isEqualTo(3);
        assertThat(silence.bin(1.0)).isEqualTo(9);
        assertThat(silence.bin(1.7)).isEqualTo(9);

        AudioFeature level = AudioFeature.SPEECH_LEVEL_DBFS;
        assertThat(level.bin(-120)).isEqualTo(0);
        assertThat(level.bin(3)).isEqualTo(level.bins() - 1);
    }

    @Test
    void clippingIsFinelyBinnedNearZero() {
        AudioFeature clip = AudioFeature.CLIPPING_RATIO;
        assertThat(clip.bin(0)).isEqualTo(0);
        assertThat(clip.bin(5e-5)).isEqualTo(0);
        assertThat(clip.bin(1e-4)).isEqualTo(1);
        assertThat(clip.bin(2e-3)).isEqualTo(2);
        assertThat(clip.bin(0.005)).isEqualTo(3);
        assertThat(clip.bin(0.05)).isEqualTo(6);
        assertThat(clip.bin(0.9)).isEqualTo(clip.bins() - 1);
    }

    @Test
    void countsAndMeanIgnoreValuesThatAreNotFinite() {
        FeatureHistogram h = new FeatureHistogram(AudioFeature.SNR_DB);
        h.add(10);
        h.add(20);
        h.add(Double.NaN);
        h.add(Double.POSITIVE_INFINITY);
        assertThat(h.count()).isEqualTo(2);
        assertThat(h.mean()).isEqualTo(15.0);
        assertThat(h.count(AudioFeature.SNR_DB.bin(10))).isEqualTo(1);
        assertThat(new FeatureHistogram(AudioFeature.SNR_DB).mean()).isNaN();
    }

    @Test
    void standardErrorOfTheMeanIsTheSampleSdOverRootN() {
        FeatureHistogram h = new FeatureHistogram(AudioFeature.SNR_DB);
        h.add(10);
        assertThat(h.meanStandardError()).isNaN();
        h.add(20);
        h.add(30);
        // sample sd 10, n 3
        assertThat(h.meanStandardError()).isCloseTo(10 / Math.sqrt(3), within(1e-9));
    }

    @Test
    void mergeAddsCountsAndSums() {
        FeatureHistogram a = new FeatureHistogram(AudioFeature.SILENCE_RATIO);
        FeatureHistogram b = new FeatureHistogram(AudioFeature.SILENCE_RATIO);
        a.add(0.1);
        a.add(0.15);
        b.add(0.8);
        a.merge(b);
        assertThat(a.count()).isEqualTo(3);
        assertThat(a.count(1)).isEqualTo(2);
        assertThat(a.count(8)).isEqualTo(1);
        assertThat(a.mean()).isCloseTo(0.35, within(1e-12));
        assertThatThrownBy(() -> a.merge(new FeatureHistogram(AudioFeature.SNR_DB)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snr_db");
    }

    @Test
    void psiIsZeroForTheSameShapeAndSymmetric() {
        FeatureHistogram small = silence(10, 30, 60);
        FeatureHistogram large = silence(100, 300, 600);
        assertThat(small.psi(large)).isCloseTo(0, within(1e-12));

        FeatureHistogram other = silence(40, 40, 20);
        assertThat(small.psi(other)).isGreaterThan(0).isCloseTo(other.psi(small), within(1e-12));
    }

    @Test
    void psiMatchesTheHandComputedValue() {
        FeatureHistogram current = silence(50, 50, 0);
        FeatureHistogram baseline = silence(25, 75, 0);
        // Bins empty in both windows are floored alike on both sides and add nothing.
        double expected = (0.5 - 0.25) * Math.log(0.5 / 0.25) + (0.5 - 0.75) * Math.log(0.5 / 0.75);
        assertThat(current.psi(baseline)).isCloseTo(expected, within(1e-12));
        assertThat(expected).isCloseTo(0.2747, within(1e-4));
        assertThat(current.psiNoise(baseline)).isCloseTo(9 * (1 / 100.0 + 1 / 100.0), within(1e-12));
    }

    @Test
    void emptyBinsAreFlooredAtEpsilon() {
        FeatureHistogram current = silence(100, 0, 0);
        FeatureHistogram baseline = silence(0, 100, 0);
        double eps = FeatureHistogram.PSI_EPSILON;
        double expected = 2 * (1 - eps) * Math.log(1 / eps);
        assertThat(current.psi(baseline)).isCloseTo(expected, within(1e-9));
        assertThat(current.psi(new FeatureHistogram(AudioFeature.SILENCE_RATIO))).isNaN();
    }

    @Test
    void roundTripKeepsCountsAndMean() throws IOException {
        FeatureHistogram h = new FeatureHistogram(AudioFeature.SPEECH_LEVEL_DBFS);
        for (double v : new double[] {-95, -50, -26.5, -26, -3, 1}) {
            h.add(v);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        h.writeTo(new DataOutputStream(bytes));
        FeatureHistogram back = FeatureHistogram.readFrom(AudioFeature.SPEECH_LEVEL_DBFS,
                new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(back.count()).isEqualTo(6);
        assertThat(back.mean()).isEqualTo(h.mean());
        assertThat(back.meanStandardError()).isEqualTo(h.meanStandardError());
        for (int i = 0; i < AudioFeature.SPEECH_LEVEL_DBFS.bins(); i++) {
            assertThat(back.count(i)).as("bin %d", i).isEqualTo(h.count(i));
        }
        assertThatThrownBy(() -> FeatureHistogram.readFrom(AudioFeature.SILENCE_RATIO,
                new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("silence_ratio");
    }

    /** A silence histogram with the given counts in bins 0, 1 and 2 (values 0.05, 0.15, 0.25). */
    private static FeatureHistogram silence(int bin0, int bin1, int bin2) {
        FeatureHistogram h = new FeatureHistogram(AudioFeature.SILENCE_RATIO);
        int[] counts = {bin0, bin1, bin2};
        for (int b = 0; b < counts.length; b++) {
            for (int i = 0; i < counts[b]; i++) {
                h.add(0.05 + 0.1 * b);
            }
        }
        return h;
    }
}
