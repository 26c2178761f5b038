package io.speechslo.advisory;

import io.speechslo.slice.Slice;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Building blocks every engine uses to assemble advisories the same way. */
public final class Advisories {

    private static final SpecificDatumWriter<Advisory> WRITER = new SpecificDatumWriter<>(Advisory.class);

    private Advisories() {}

    /**
     * Sets a deterministic id: a digest of everything else in the advisory, so the same evidence
     * (same decision, window, findings, policy) always gives the same id, on the live job and in replay.
     */
    public static Advisory withId(Advisory advisory) {
        advisory.setAdvisoryId("");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
        try {
            WRITER.write(advisory, enc);
            enc.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        advisory.setAdvisoryId(HexFormat.of().formatHex(digest, 0, 16));
        return advisory;
    }

    /** A finding; NaN or infinite numbers become null so the JSON and Avro forms stay clean. */
    public static Finding finding(
            String metric,
            Slice slice,
            Action action,
            String reason,
            double value,
            double baseline,
            double limit,
            Direction direction,
            boolean critical,
            long samples,
            long baselineSamples,
            double pValue) {
        Map<String, String> dims = new LinkedHashMap<>(slice.toMap());
        return Finding.newBuilder()
                .setMetric(metric)
                .setSlice(dims)
                .setAction(action)
                .setReason(reason)
                .setValue(num(value))
                .setBaseline(num(baseline))
                .setLimit(num(limit))
                .setDirection(direction)
                .setCritical(critical)
                .setSamples(samples)
                .setBaselineSamples(baselineSamples)
                .setPValue(num(pValue))
                .build();
    }

    /** A finite number, or null. */
    public static Double num(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** A compact human form of a number for summaries: 3 significant digits, no exponent for everyday sizes. */
    public static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a != 0 && (a < 0.001 || a >= 1e7)) {
            return String.format(java.util.Locale.ROOT, "%.3g", v);
        }
        java.math.BigDecimal bd = new java.math.BigDecimal(v).round(new java.math.MathContext(3));
        return bd.stripTrailingZeros().toPlainString();
    }
}
