package io.speechslo.replay;

import java.nio.file.Path;

/** A replay input that cannot be used: the message starts with the file. */
public final class TelemetryFileException extends RuntimeException {

    private final Path path;

    public TelemetryFileException(Path path, String problem) {
        super(path + ": " + problem);
        this.path = path;
    }

    public Path path() {
        return path;
    }
}
