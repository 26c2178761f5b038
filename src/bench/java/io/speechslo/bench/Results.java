package io.speechslo.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where a benchmark's figures go: printed, written whole to {@code target/bench/<name>.json}, and one
 * line appended to {@code target/bench/results.md} with the date, the machine (cores, memory, Java,
 * load average before and after: figures are only valid when nothing else ran) and the command that
 * reproduces them.
 */
final class Results {

    static final Path DIR = Path.of("target", "bench");

    private final String name;
    private final List<String> argv;
    private final String label;
    private final Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final String loadBefore = loadAverage();
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final Map<String, Object> parameters = new LinkedHashMap<>();

    /**
     * @param argv the benchmark's own arguments, for the command line written with the figures
     * @param label free text written with the figures, e.g. "smoke"; empty for none
     */
    Results(String name, List<String> argv, String label) {
        this.name = name;
        this.argv = List.copyOf(argv);
        this.label = label;
    }

    /** A setting the figures depend on (record count, parallelism, interval, ...). */
    Results parameter(String key, Object value) {
        parameters.put(key, value);
        return this;
    }

    /** A measured figure; also printed. */
    Results figure(String key, Object value) {
        figures.put(key, value);
        System.out.println("  " + key + " = " + format(value));
        return this;
    }

    /** The command that runs this benchmark again with the same arguments, from the repository root. */
    String command() {
        String args = argv.stream().map(a -> a.contains(" ") ? "'" + a + "'" : a).collect(Collectors.joining(" "));
        return "mvn -B -Pbench test -Dbench=" + name + (args.isEmpty() ? "" : " -Dbench.args=\"" + args + "\"");
    }

    /** Writes target/bench/NAME.json and appends a line to target/bench/results.md. */
    void write() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", name);
        doc.put("label", label);
        doc.put("date", started.toString());
        doc.put("machine", machine());
        doc.put("load_average_before", loadBefore);
        doc.put("load_average_after", loadAverage());
        doc.put("command", command());
        doc.put("parameters", parameters);
        doc.put("figures", figures);
        try {
            Files.createDirectories(DIR);
            Path json = DIR.resolve(name + ".json");
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
            Path md = DIR.resolve("results.md");
            if (!Files.exists(md)) {
                Files.writeString(md, "| date | benchmark | label | machine | load before / after | command | figures |\n"
                        + "|---|---|---|---|---|---|---|\n", StandardCharsets.UTF_8);
            }
            String line = String.join(" | ", started.toString(), name, label, machine().toString(),
                    loadBefore + " / " + loadAverage(), "`" + command() + "`",
                    figures.entrySet().stream().map(e -> e.getKey() + "=" + format(e.getValue()))
                            .collect(Collectors.joining(", ")));
            Files.writeString(md, "| " + line.replace("\n", " ") + " |\n", StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
            System.out.println("wrote " + json + " and a line in " + md);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the results under " + DIR.toAbsolutePath(), e);
        }
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nproc", Runtime.getRuntime().availableProcessors());
        m.put("ram_gib", memTotalGib());
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
        m.put("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("--add-")).collect(Collectors.joining(" ")));
        return m;
    }

    private static String memTotalGib() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(l.replaceAll("\\D+", ""));
                    return String.format(Locale.ROOT, "%.1f", kib / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: say so below
        }
        return "unknown";
    }

    /** The 1, 5 and 15 minute load averages, or "unknown". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String format(Object v) {
        if (v instanceof Map<?, ?> map) {
            return map.entrySet().stream().map(e -> e.getKey() + "=" + format(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        if (v instanceof List<?> list) {
            return list.stream().map(Results::format).collect(Collectors.joining(", ", "[", "]"));
        }
        if (v instanceof Double d) {
            return Math.abs(d) >= 100 ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.3f", d);
        }
        return String.valueOf(v);
    }
}
