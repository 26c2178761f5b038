package io.speechslo.bench;

import io.speechslo.cli.Args;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Runs one benchmark by name, or all of them one after another, each in a fresh JVM:
 * {@code mvn -B -Pbench test -Dbench=NAME [-Dbench.args="FLAGS"]} (or, after such a build,
 * {@code java <jvm flags> -cp <test classpath> io.speechslo.bench.Bench NAME FLAGS}).
 *
 * <ul>
 *   <li>{@code live}: plain Kafka consumer vs the job catching up, records/s and ratio ({@link LiveBench})
 *   <li>{@code replay}: plain Avro file decode vs the replay command ({@link ReplayBench})
 *   <li>{@code latency}: regression to readable advisory, live, per checkpoint interval ({@link LatencyBench})
 *   <li>{@code state}: checkpoint bytes and heap per active slice, hashmap and rocksdb ({@link StateBench})
 *   <li>{@code jmh}: per-record hot paths of the operators, ns/op and B/op ({@link JmhBench})
 *   <li>{@code console}: a day of scorecards at 10k active slices loaded, heap and view response times ({@link ConsoleBench})
 *   <li>{@code gate}: the release gate's A/A false rollback and pause rates and its power, simulated ({@link GateBench})
 *   <li>{@code dedup}: CPU, heap and state per request of recognising duplicate request ids in a pane ({@link DedupBench})
 *   <li>{@code all}: the seven above in that order ({@code --only a,b} for some); {@code --records} and
 *       {@code --label} pass on
 * </ul>
 *
 * Every benchmark takes {@code --label TEXT} (written with the figures, e.g. {@code smoke}) and writes
 * {@code target/bench/NAME.json} plus a line in {@code target/bench/results.md}. The machine has to be
 * otherwise idle: the broker and the job share its cores.
 */
public final class Bench {

    static final List<String> ALL = List.of("live", "replay", "state", "latency", "jmh", "console", "gate");

    private Bench() {}

    public static void main(String[] argv) {
        if (argv.length == 0) {
            System.err.println("usage: Bench live|replay|latency|state|jmh|console|gate|dedup|all [--label TEXT] [flags]");
            System.exit(2);
        }
        String name = argv[0];
        List<String> rest = Arrays.asList(argv).subList(1, argv.length);
        String label = label(rest);
        int code;
        try {
            switch (name) {
                case "live" -> LiveBench.run(rest, label);
                case "replay" -> ReplayBench.run(rest, label);
                case "latency" -> LatencyBench.run(rest, label);
                case "state" -> StateBench.run(rest, label);
                case "jmh" -> JmhBench.run(rest, label);
                case "console" -> ConsoleBench.run(rest, label);
                case "gate" -> GateBench.run(rest, label);
                case "dedup" -> DedupBench.run(rest, label);
                case "all" -> all(rest);
                default -> throw new Args.UsageException("unknown benchmark '" + name + "': live, replay, latency, state, jmh, console, gate, dedup or all");
            }
            code = 0;
        } catch (Args.UsageException e) {
            System.err.println(e.getMessage());
            code = 2;
        } catch (Exception | Error e) {
            System.err.println("bench " + name + " failed:");
            e.printStackTrace();
            code = 1;
        }
        // Flink and Kafka client threads may linger; the figures are written
        System.exit(code);
    }

    private static String label(List<String> argv) {
        for (int i = 0; i < argv.size(); i++) {
            if (argv.get(i).equals("--label") && i + 1 < argv.size()) {
                return argv.get(i + 1);
            }
            if (argv.get(i).startsWith("--label=")) {
                return argv.get(i).substring("--label=".length());
            }
        }
        return "";
    }

    /** Each benchmark in its own JVM (same flags and classpath as this one); fails at the end if any failed. */
    private static void all(List<String> argv) throws Exception {
        Args args = Args.parse("all", argv, Set.of("records", "label", "only"), Set.of());
        List<String> names = args.one("all", "only").map(o -> List.of(o.split(","))).orElse(ALL);
        for (String name : names) {
            if (!ALL.contains(name)) {
                throw new Args.UsageException("all: --only " + name + ": not a benchmark (" + String.join(", ", ALL) + ")");
            }
        }
        List<String> failed = new ArrayList<>();
        for (String name : names) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(Bench.class.getName());
            command.add(name);
            if (args.has("records") && (name.equals("live") || name.equals("replay"))) {
                command.add("--records");
                command.add(args.required("all", "records"));
            }
            args.one("all", "label").ifPresent(l -> {
                command.add("--label");
                command.add(l);
            });
            System.out.println("=== bench " + name);
            int code = new ProcessBuilder(command).inheritIO().start().waitFor();
            if (code != 0) {
                failed.add(name + " (exit " + code + ")");
            }
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException("benchmarks failed: " + failed);
        }
        System.out.println("all benchmarks done; figures in " + Results.DIR.resolve("results.md"));
    }
}
