package io.speechslo.bench;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Optional JDK Flight Recorder profile of a benchmark's measured phase ({@code --profile}): CPU samples
 * every 10 ms of every thread in this JVM (the job runs in it; the broker does not), dumped to
 * {@code target/bench/<name>.jfr} (open it with JDK Mission Control or {@code jfr print}) and
 * summarised as the hottest methods by own samples, by the first project frame on the stack, and
 * project methods by samples with them anywhere on the stack (inclusive time).
 */
final class Profiler implements AutoCloseable {

    private static final int TOP = 15;

    private final Recording recording;
    private final Path file;
    private Map<String, Object> summary = Map.of();
    private boolean closed;

    private Profiler(Recording recording, Path file) {
        this.recording = recording;
        this.file = file;
    }

    /** Starts recording when {@code enabled}; else a profiler that records nothing. */
    static Profiler start(boolean enabled, String name) {
        if (!enabled) {
            return new Profiler(null, null);
        }
        Recording r = new Recording();
        r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
        r.enable("jdk.ObjectAllocationSample").with("throttle", "150/s");
        r.enable("jdk.GarbageCollection");
        r.start();
        return new Profiler(r, Results.DIR.resolve(name + ".jfr"));
    }

    /** Hot methods by own CPU samples and by first io.speechslo frame; empty when not profiling. */
    Map<String, Object> summary() {
        return summary;
    }

    /** Puts the summary among the results' parameters (not figures: it is evidence, not a measurement). */
    void addTo(Results results) {
        if (!summary.isEmpty()) {
            results.parameter("profile", summary);
        }
    }

    @Override
    public void close() {
        if (recording == null || closed) {
            return;
        }
        closed = true;
        recording.stop();
        try {
            Files.createDirectories(file.getParent());
            recording.dump(file);
            recording.close();
            summary = summarise(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the profile " + file, e);
        }
        System.out.println("profile: " + file + " (" + summary.get("samples") + " CPU samples)");
        System.out.println("  by own samples:            " + summary.get("top_self"));
        System.out.println("  by first io.speechslo frame: " + summary.get("top_project"));
        System.out.println("  io.speechslo methods anywhere on the stack: " + summary.get("top_project_inclusive"));
    }

    private static Map<String, Object> summarise(Path jfr) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> project = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = st.getFrames();
            self.merge(name(frames.get(0)), 1, Integer::sum);
            boolean first = true;
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                if (f.getMethod().getType().getName().startsWith("io.speechslo.")) {
                    if (first) {
                        project.merge(name(f), 1, Integer::sum);
                        first = false;
                    }
                    if (seen.add(name(f))) {
                        inclusive.merge(name(f), 1, Integer::sum);
                    }
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("file", jfr.toString());
        out.put("samples", samples);
        out.put("top_self", top(self, samples));
        out.put("top_project", top(project, samples));
        out.put("top_project_inclusive", top(inclusive, samples));
        return out;
    }

    private static String name(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }

    private static Map<String, String> top(Map<String, Integer> counts, int samples) {
        Map<String, String> out = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(TOP)
                .forEach(e -> out.put(e.getKey(), String.format(Locale.ROOT, "%.1f%%", 100.0 * e.getValue() / samples)));
        return out;
    }
}
