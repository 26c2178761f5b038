package io.speechslo.bench;

import io.speechslo.cli.Args;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the {@link HotPath} JMH benchmarks with the GC profiler (allocation per op) in forked JVMs and
 * reports, per benchmark, ns/op with its 99.9% error and bytes allocated per op. Raw JMH output:
 * {@code target/bench/jmh-raw.json}. Flags: {@code --include REGEX} (benchmark method names),
 * {@code --forks}, {@code --warmup} and {@code --iterations} (counts), {@code --time} (seconds per
 * iteration); defaults are the annotations' (1 fork, 3 warm-up and 5 measured iterations of 2 s).
 */
final class JmhBench {

    static final String NAME = "jmh";

    private JmhBench() {}

    static void run(List<String> argv, String label) throws Exception {
        Args args = Args.parse(NAME, argv, Set.of("include", "forks", "warmup", "iterations", "time", "label"), Set.of());
        Results results = new Results(NAME, argv, label);
        Files.createDirectories(Results.DIR);
        List<String> jvmArgs = new ArrayList<>(List.of("-Xms1g", "-Xmx1g"));
        // Flink's type extraction needs the same --add-opens as the tests
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("--add-")).forEach(jvmArgs::add);
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(HotPath.class.getName() + "\\." + args.one(NAME, "include").orElse(".*"))
                .addProfiler(GCProfiler.class)
                .jvmArgsAppend(jvmArgs.toArray(String[]::new))
                .resultFormat(ResultFormatType.JSON)
                .result(Results.DIR.resolve("jmh-raw.json").toString());
        if (args.has("forks")) {
            o.forks((int) args.longValue(NAME, "forks", 1));
        }
        if (args.has("warmup")) {
            o.warmupIterations((int) args.longValue(NAME, "warmup", 3));
        }
        if (args.has("iterations")) {
            o.measurementIterations((int) args.longValue(NAME, "iterations", 5));
        }
        if (args.has("time")) {
            TimeValue t = TimeValue.seconds(args.longValue(NAME, "time", 2));
            o.warmupTime(t).measurementTime(t);
        }
        Collection<RunResult> runs = new Runner(o.build()).run();
        results.parameter("records_cycled", HotPath.RECORDS);
        for (RunResult run : runs) {
            BenchmarkParams p = run.getParams();
            String name = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.') + 1);
            for (String key : p.getParamsKeys()) {
                name += "[" + key + "=" + p.getParam(key) + "]";
            }
            Result<?> primary = run.getPrimaryResult();
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("ns_per_op", primary.getScore());
            figures.put("ns_per_op_error", primary.getScoreError());
            Result<?> alloc = run.getSecondaryResults().get("gc.alloc.rate.norm");
            figures.put("bytes_per_op", alloc == null ? null : alloc.getScore());
            results.figure(name, figures);
        }
        results.write();
    }
}
