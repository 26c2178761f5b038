package io.speechslo.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads a topic with an independent registry-aware client: Debian's python3-confluent-kafka
 * (MessageSerializer of its legacy Avro API) through {@code src/test/python/decode_avro_topic.py},
 * so tests can check that our bytes mean the same to someone else. Needs /usr/bin/python3 with
 * python3-confluent-kafka, python3-avro and python3-requests installed.
 */
public final class PythonAvroConsumer {

    public static final String PYTHON = "/usr/bin/python3";
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);

    private PythonAvroConsumer() {}

    /**
     * Consumes {@code expected} values from the start of {@code topic} (read_committed) and returns
     * them as JSON objects in topic order per partition: enums as symbol names, timestamp-millis as
     * epoch millis, integral numbers as {@code Long}, floats widened to
     * {@code Double}.
     *
     * @throws IllegalStateException if the script fails or fewer records arrive within {@code timeout}
     */
    public static List<Map<String, Object>> consume(
            String bootstrapServers, String registryUrl, String topic, int expected, Duration timeout) {
        Path script = projectDir().resolve("src/test/python/decode_avro_topic.py");
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("python-consumer-", ".out");
            err = Files.createTempFile("python-consumer-", ".err");
            Process p = new ProcessBuilder(PYTHON, script.toString(), "--bootstrap", bootstrapServers,
                    "--registry", registryUrl, "--topic", topic, "--expect", Integer.toString(expected),
                    "--timeout", Long.toString(timeout.toSeconds()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(timeout.toSeconds() + 30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(script + " did not finish within " + (timeout.toSeconds() + 30)
                        + " s: " + Files.readString(err));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(script + " exited with " + p.exitValue() + ": " + Files.readString(err));
            }
            List<Map<String, Object>> records = new ArrayList<>();
            for (String line : Files.readAllLines(out)) {
                if (!line.isBlank()) {
                    records.add(JSON.readValue(line, new TypeReference<Map<String, Object>>() {}));
                }
            }
            return records;
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + script, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static Path projectDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
