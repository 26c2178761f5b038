package io.speechslo.policy.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes policy files into a temporary job folder. */
final class JobDir {

    /** The job/ folder of this checkout (Surefire runs in the project directory). */
    static final Path SHIPPED = Path.of("job");

    private JobDir() {}

    static Path write(Path dir, String name, String content) {
        try {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            Files.writeString(p, content, StandardCharsets.UTF_8);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String shipped(String name) {
        try {
            return Files.readString(SHIPPED.resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code text} with the only occurrence of {@code from} replaced: a test edit that misses fails loudly. */
    static String edit(String text, String from, String to) {
        lineOf(text, from);
        return text.replace(from, to);
    }

    /** 1-based line of the only occurrence of {@code marker} in {@code text}. */
    static int lineOf(String text, String marker) {
        int at = text.indexOf(marker);
        if (at < 0 || text.indexOf(marker, at + 1) >= 0) {
            throw new IllegalArgumentException("marker must occur exactly once: " + marker);
        }
        return (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }
}
