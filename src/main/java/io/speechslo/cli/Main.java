package io.speechslo.cli;

import io.speechslo.config.JobConfig;
import io.speechslo.job.StreamingJob;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.GatePolicy;
import io.speechslo.policy.GateRule;
import io.speechslo.policy.Policies;
import io.speechslo.policy.SloDefinition;
import io.speechslo.policy.load.PolicyException;
import io.speechslo.policy.load.PolicyLoader;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code java -jar speech-slo-advisor.jar COMMAND [flags]}. Exit codes: 0 success, 1 failure while
 * running, 2 bad arguments or configuration (the message names the flag or the file).
 */
public final class Main {

    static final String USAGE = String.join("\n",
            "usage: java -jar speech-slo-advisor.jar COMMAND [flags]",
            "",
            "commands:",
            "  run [--config FILE] [--set KEY=VALUE ...]",
            "                            run the streaming job (on a cluster with `flink run`, else in this JVM)",
            "  generate --scenario FILE (--out DIR | --to-kafka) [--seed N] [--start now|INSTANT] [--rate N]",
            "                            telemetry for a scenario (job/scenarios/), deterministic for a seed",
            "  replay (--input PATH ... | --from-kafka --start TIME --end TIME) [--config DIR]",
            "         [--parallelism N] (--out FILE | --to-kafka [--to-live-topics]) [--job-config FILE] [--set KEY=VALUE ...]",
            "                            run the live topology over historical telemetry and write the",
            "                            advisories it would have published (JSON lines, or the replay topics)",
            "         ... --compare-config A B [--out FILE]",
            "                            the same under two policy folders: what B changes (a table; JSON to --out)",
            "  report (--input PATH ... | --from-kafka --start TIME --end TIME) [--incident START/END]",
            "         [--config DIR] [--try-config DIR ...] [--job-config FILE] [--set KEY=VALUE ...] --out DIR",
            "                            an incident report from a replay: timeline, detection gap, impact by",
            "                            slice, the gate's view, what each --try-config would have caught",
            "                            (report.md, report.html, report.json)",
            "  tail [--json] [--from-now] [--max N] [--config FILE] [--set KEY=VALUE ...]",
            "                            follow the advisories topic: one line per advisory (or JSON)",
            "  topics [--config FILE] [--set KEY=VALUE ...]",
            "                            create the job's topics where missing",
            "  console [--port N] [--host H] [--history 1d] [--refresh 5s] [--config FILE] [--set KEY=VALUE ...]",
            "                            the five decision views and rollout pages in a browser (port 8088),",
            "                            from the advisories and scorecards topics; never writes to Kafka",
            "  config [--config FILE] [--set KEY=VALUE ...]",
            "                            print the effective job configuration (secrets masked)",
            "  policies [--config DIR]   load and validate the policies (packaged defaults, or a folder laid",
            "                            out like job/), and print the SLOs and release-gate rules in force",
            "  help                      this text");

    private Main() {}

    public static void main(String[] argv) {
        int code = run(Arrays.asList(argv), System.out, System.err);
        // Never System.exit on success: when a cluster runs this main (flink run, REST /jars/run), an
        // exit would take the JobManager down with it.
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs a command and returns its exit code (tests call this). */
    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        if (argv.isEmpty() || argv.get(0).equals("help") || argv.get(0).equals("--help")) {
            out.println(USAGE);
            return argv.isEmpty() ? 2 : 0;
        }
        String command = argv.get(0);
        List<String> rest = argv.subList(1, argv.size());
        try {
            switch (command) {
                case "run":
                    JobConfig cfg = loadJobConfig("run", rest);
                    StreamingJob.run(cfg, StreamingJob.policies(cfg));
                    return 0;
                case "generate":
                    return io.speechslo.generate.GenerateCommand.run(rest, out, err);
                case "replay":
                    return io.speechslo.replay.ReplayCommand.run(rest, out, err);
                case "report":
                    return io.speechslo.report.ReportCommand.run(rest, out, err);
                case "tail":
                    return TailCommand.run(rest, out, err);
                case "console":
                    return io.speechslo.console.ConsoleCommand.run(rest, out, err);
                case "topics":
                    return TopicsCommand.run(rest, out);
                case "config":
                    jobConfig("config", rest).toFlatMap().forEach((k, v) -> out.println(k + "=" + v));
                    return 0;
                case "policies":
                    return policies(rest, out);
                default:
                    err.println("unknown command '" + command + "'\n\n" + USAGE);
                    return 2;
            }
        } catch (Args.UsageException | PolicyException e) {
            err.println(e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println(command + " failed: " + e);
            return 1;
        }
    }

    /** The job configuration from --config FILE and --set KEY=VALUE flags, with the policies it names validated. */
    static JobConfig jobConfig(String command, List<String> argv) {
        JobConfig cfg = loadJobConfig(command, argv);
        // the policies are part of the configuration: fail now, not at the first record
        StreamingJob.policies(cfg);
        return cfg;
    }

    private static JobConfig loadJobConfig(String command, List<String> argv) {
        Args args = Args.parse(command, argv, Set.of("config", "set"), Set.of());
        return JobConfig.load(args.one(command, "config").map(Path::of), args.all("set"));
    }

    static Policies loadPolicies(Args args, String command) {
        return args.one(command, "config").map(d -> PolicyLoader.load(Path.of(d))).orElseGet(PolicyLoader::loadDefaults);
    }

    private static int policies(List<String> argv, PrintStream out) {
        Args args = Args.parse("policies", argv, Set.of("config"), Set.of());
        Policies p = loadPolicies(args, "policies");
        out.println("policy_version " + p.version());
        for (Signal signal : Signal.values()) {
            out.println();
            out.println(signal + " SLOs (every service unless overridden):");
            for (SloDefinition s : p.slosFor(SloDefinition.ANY_SERVICE, signal)) {
                out.printf("  %-28s objective %s over %s, %d burn-rate alerts%n", s.name(), s.objective(),
                        io.speechslo.policy.Durations.format(s.window()), s.alerts().size());
            }
            for (SloDefinition s : p.thresholdSlosFor(SloDefinition.ANY_SERVICE, signal)) {
                out.printf("  %-28s %s in %s of %s timeslices per slice (min %d samples) over %s, %d burn-rate alerts%n",
                        s.name(), s.threshold().describe(), s.objective(),
                        io.speechslo.policy.Durations.format(s.threshold().timeslice()), s.threshold().minSamples(),
                        io.speechslo.policy.Durations.format(s.window()), s.alerts().size());
            }
            out.println(signal + " release gate (default):");
            GatePolicy g = p.defaultGate();
            for (GateRule r : g.rulesFor(signal)) {
                out.printf("  %-26s %-8s %-16s %-8s %-10s min %d (slice %d) tier %d%n", r.metric().id(),
                        r.critical() ? "critical" : "", r.direction().toString().toLowerCase(java.util.Locale.ROOT),
                        r.mode().toString().toLowerCase(java.util.Locale.ROOT), r.limit(), r.minSamples(),
                        r.minSliceSamples(), r.tier());
            }
        }
        p.serviceGates().keySet().stream().sorted().forEach(s -> out.println("service gate override: " + s));
        return 0;
    }
}
