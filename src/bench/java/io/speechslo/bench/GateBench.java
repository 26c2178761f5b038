package io.speechslo.bench;

import io.speechslo.advisory.Action;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Finding;
import io.speechslo.cli.Args;
import io.speechslo.fixtures.Requests;
import io.speechslo.gate.GateInput;
import io.speechslo.gate.ReleaseGate;
import io.speechslo.gate.SliceRollup;
import io.speechslo.metrics.MetricSet;
import io.speechslo.metrics.Signal;
import io.speechslo.policy.GatePolicy;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.slice.RequestSlices;
import io.speechslo.slice.Slice;
import io.speechslo.telemetry.AsrRequest;
import io.speechslo.telemetry.Outcome;
import io.speechslo.telemetry.Track;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The release gate's error rates and power, by simulation straight against the plain-Java gate (no
 * Kafka, no Flink): seeded rollouts of ASR traffic over 4 slice dimensions (81 full slices, 212 slices
 * of up to three dimensions, every metric of the shipped default gate), canary and stable at the same
 * request rate, evaluated cumulatively at every 1-minute interval as the job does.
 *
 * <ul>
 *   <li>A/A: canary identical to stable. Over the whole rollout, how many rollouts ever got a ROLLBACK
 *       (false rollback) or a PAUSE for a regression (false pause; the PAUSE while a critical metric is
 *       still under its minimum samples at the start is not counted), and when they became promotable.
 *   <li>A/A at a higher rate (default 300 requests/s, 20 rollouts): when an identical candidate becomes promotable.
 *   <li>Cohort: the canary's WER 11% above stable's in noisy mobile speech in eu-west-1 (about 13% of the
 *       traffic; 5% relative limit), 5% better elsewhere: time to the first PAUSE for a regression or
 *       ROLLBACK, per request rate.
 * </ul>
 *
 * Each for both sequential methods of the gate policy ({@code --methods always-valid,per-look}). Flags:
 * {@code --rollouts 200 --hours 4 --aa-rate 30 --rates 10,30,100,300 --cohort-rollouts 20 --cohort-hours 8
 * --promote-rate 300 --promote-rollouts 20 --threads N}.
 */
final class GateBench {

    static final String NAME = "gate";
    static final long MINUTE = 60_000L;

    private GateBench() {}

    static final String[] LANGUAGES = {"en-US", "es-US", "de-DE"};
    static final double[] LANGUAGE_W = {6, 2, 2};
    static final String[] REGIONS = {"us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"};
    static final double[] REGION_W = {3.5, 4.5, 1.2, 0.8};
    static final String[] DEVICES = {"mobile", "web", "phone-line"};
    static final double[] DEVICE_W = {6, 2.5, 1.5};
    static final String[] CONDITIONS = {"quiet", "noisy", "far-field"};
    static final double[] CONDITION_W = {3.7, 4.8, 1.5};

    /** Per-request behaviour of one model. */
    record Model(double werFactorCohort, double werFactorElsewhere) {
        static final Model STABLE = new Model(1, 1);

        double wer(String region, String device, String condition) {
            double base = condition.equals("quiet") ? 0.06 : condition.equals("noisy") ? 0.15 : 0.12;
            boolean cohort = region.equals("eu-west-1") && device.equals("mobile") && condition.equals("noisy");
            return base * (cohort ? werFactorCohort : werFactorElsewhere);
        }
    }

    /** One full slice: its key, its share of the traffic and a reusable request. */
    static final class Cell {
        final Slice slice;
        final double weight;
        final String region;
        final String device;
        final String condition;
        final AsrRequest request;

        Cell(String language, String region, String device, String condition, double weight) {
            this.region = region;
            this.device = device;
            this.condition = condition;
            this.weight = weight;
            this.request = Requests.asr("asr-bench", "v", Track.STABLE, language, region, device, condition).build();
            this.slice = RequestSlices.of(request);
        }
    }

    static final List<Cell> CELLS = new ArrayList<>();
    static final double[] CUMULATIVE;

    static {
        double total = 0;
        for (int l = 0; l < LANGUAGES.length; l++) {
            for (int r = 0; r < REGIONS.length; r++) {
                for (int d = 0; d < DEVICES.length; d++) {
                    for (int c = 0; c < CONDITIONS.length; c++) {
                        double w = LANGUAGE_W[l] * REGION_W[r] * DEVICE_W[d] * CONDITION_W[c];
                        CELLS.add(new Cell(LANGUAGES[l], REGIONS[r], DEVICES[d], CONDITIONS[c], w));
                        total += w;
                    }
                }
            }
        }
        CUMULATIVE = new double[CELLS.size()];
        double acc = 0;
        for (int i = 0; i < CELLS.size(); i++) {
            acc += CELLS.get(i).weight / total;
            CUMULATIVE[i] = acc;
        }
        CUMULATIVE[CUMULATIVE.length - 1] = 1;
    }

    /** One arm's cumulative traffic, with its roll-ups kept up to date pane by pane. */
    static final class Arm {
        final Map<Slice, MetricSet> rollups = new TreeMap<>();
        final Map<Slice, MetricSet[]> targets = new HashMap<>();
        final MetricSet total = new MetricSet(Signal.ASR);
        final Model model;
        final SplittableRandom rnd;

        Arm(Model model, long seed) {
            this.model = model;
            this.rnd = new SplittableRandom(seed);
        }

        /** One minute of n requests. */
        void minute(int n, int maxDims) {
            MetricSet[] pane = new MetricSet[CELLS.size()];
            for (int i = 0; i < n; i++) {
                int k = Arrays.binarySearch(CUMULATIVE, rnd.nextDouble());
                int cell = k >= 0 ? k : Math.min(-k - 1, CELLS.size() - 1);
                Cell c = CELLS.get(cell);
                request(c);
                if (pane[cell] == null) {
                    pane[cell] = new MetricSet(Signal.ASR);
                }
                pane[cell].add(c.request);
            }
            for (int i = 0; i < pane.length; i++) {
                if (pane[i] == null) {
                    continue;
                }
                Cell c = CELLS.get(i);
                MetricSet[] into = targets.computeIfAbsent(c.slice,
                        s -> SliceRollup.targets(Signal.ASR, rollups, s, maxDims, total));
                for (MetricSet t : into) {
                    t.merge(pane[i]);
                }
            }
        }

        private void request(Cell c) {
            AsrRequest r = c.request;
            double u = rnd.nextDouble();
            r.setOutcome(u < 0.004 ? Outcome.TIMEOUT : u < 0.006 ? Outcome.ERROR : Outcome.OK);
            long audio = 2000 + rnd.nextInt(8000);
            r.setAudioMs(audio);
            r.setCostUsd(0.006 * audio / 60_000.0 * (0.9 + 0.2 * rnd.nextDouble()));
            r.setSensitiveLogged(rnd.nextDouble() < 0.001);
            r.setFirstPartialMs(Math.round(150 + exponential(40)));
            r.setFinalizationMs(Math.round(300 + exponential(80)));
            if (rnd.nextDouble() < 0.4) {
                int words = 5 + rnd.nextInt(21);
                r.setRefWords(words);
                r.setWordErrors(binomial(words, model.wer(c.region, c.device, c.condition)));
                int entities = rnd.nextInt(4);
                r.setEntityTotal(entities);
                r.setEntityErrors(binomial(entities, 0.08));
            } else {
                r.setRefWords(null);
                r.setWordErrors(null);
                r.setEntityTotal(null);
                r.setEntityErrors(null);
            }
        }

        private double exponential(double mean) {
            return io.speechslo.fixtures.RandomDraws.exponential(rnd, mean);
        }

        private int binomial(int n, double p) {
            return io.speechslo.fixtures.RandomDraws.binomial(rnd, n, p);
        }
    }

    /** What one simulated rollout showed: minutes to each first event, or -1 when it never came. */
    record Outcomes(int rollback, int regressionPause, int judged, int promotable, int rollbackAfterPromotable,
            String rollbackWhat) {}

    /**
     * One rollout: both arms at {@code rate} requests/s for {@code minutes} evaluations, or until the
     * first ROLLBACK or PAUSE for a regression when {@code stopAtAlarm}.
     */
    static Outcomes rollout(GatePolicy policy, Model canaryModel, double rate, int minutes, long seed, boolean stopAtAlarm) {
        Arm canary = new Arm(canaryModel, seed * 2 + 1);
        Arm stable = new Arm(Model.STABLE, seed * 2 + 2);
        int dims = policy.maxSliceDimensions();
        int rollback = -1;
        int regressionPause = -1;
        int judged = -1;
        int promotable = -1;
        int rollbackAfterPromotable = -1;
        String rollbackWhat = "";
        double carry = 0;
        for (int m = 1; m <= minutes; m++) {
            double want = rate * 60 + carry;
            int n = (int) want;
            carry = want - n;
            canary.minute(n, dims);
            stable.minute(n, dims);
            Map<Slice, MetricSet> c = withTotal(canary);
            Map<Slice, MetricSet> s = withTotal(stable);
            Advisory a = ReleaseGate.evaluate(new GateInput("asr-bench", Signal.ASR, "v2", "v1", Map.of(), Map.of(), policy,
                    m * MINUTE, "bench", 0), c, s, c::get, s::get);
            boolean regression = false;
            boolean gap = false;
            for (Finding f : a.getFindings()) {
                regression |= "regression".equals(f.getReason()) && f.getAction() != Action.CONTINUE;
                gap |= f.getSlice().isEmpty() && f.getAction() == Action.PAUSE && !"regression".equals(f.getReason());
            }
            if (judged < 0 && !gap) {
                judged = m;
            }
            if (a.getDecision() == Decision.ROLLBACK && rollback < 0) {
                rollback = m;
                rollbackWhat = a.getFindings().stream().filter(f -> f.getAction() == Action.ROLLBACK)
                        .map(f -> f.getMetric() + (f.getSlice().isEmpty() ? "" : " " + f.getSlice())).findFirst().orElse("");
                if (promotable >= 0) {
                    rollbackAfterPromotable = m;
                }
            }
            if (a.getDecision() == Decision.PAUSE && regression && regressionPause < 0) {
                regressionPause = m;
            }
            if (a.getPromotable() && promotable < 0) {
                promotable = m;
            }
            if (stopAtAlarm && (rollback >= 0 || regressionPause >= 0)) {
                break;
            }
        }
        return new Outcomes(rollback, regressionPause, judged, promotable, rollbackAfterPromotable, rollbackWhat);
    }

    private static Map<Slice, MetricSet> withTotal(Arm arm) {
        return arm.rollups; // Slice.ALL is the zero-dimension roll-up, kept with the others
    }

    static void run(List<String> argv, String label) throws Exception {
        Args args = Args.parse(NAME, argv, Set.of("rollouts", "hours", "aa-rate", "rates", "cohort-rollouts",
                "cohort-hours", "threads", "methods", "promote-rate", "promote-rollouts", "label"), Set.of());
        int rollouts = (int) args.longValue(NAME, "rollouts", 200);
        int hours = (int) args.longValue(NAME, "hours", 3);
        int aaRate = (int) args.longValue(NAME, "aa-rate", 30);
        List<Integer> rates = Arrays.stream(args.one(NAME, "rates").orElse("10,30,100,300").split(","))
                .map(Integer::parseInt).toList();
        int cohortRollouts = (int) args.longValue(NAME, "cohort-rollouts", 20);
        int cohortHours = (int) args.longValue(NAME, "cohort-hours", 8);
        int promoteRate = (int) args.longValue(NAME, "promote-rate", 300);
        int promoteRollouts = (int) args.longValue(NAME, "promote-rollouts", 20);
        int threads = (int) args.longValue(NAME, "threads", Runtime.getRuntime().availableProcessors());
        GatePolicy shipped = PolicyLoader.loadDefaults().defaultGate();
        List<String> methods = List.of(args.one(NAME, "methods").orElse("always-valid,per-look").split(","));

        Results results = new Results(NAME, argv, label);
        results.parameter("rollouts", rollouts).parameter("hours", hours).parameter("aa_rate_per_arm", aaRate)
                .parameter("rates_per_arm", rates).parameter("cohort_rollouts", cohortRollouts)
                .parameter("cohort_hours", cohortHours).parameter("full_slices", CELLS.size())
                .parameter("policy", "job/gates/default.yaml").parameter("methods", methods);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (String method : methods) {
                if (!method.equals("always-valid") && !method.equals("per-look")) {
                    throw new Args.UsageException(NAME + ": --methods " + method + ": always-valid or per-look");
                }
                GatePolicy policy = new GatePolicy(shipped.falseDiscoveryRate(), shipped.maxSliceDimensions(),
                        shipped.rules(), shipped.promotionMinShare(), method.equals("always-valid"));
                System.out.println("method " + method);
                measure(results, method + ".", policy, pool, rollouts, hours, aaRate, rates, cohortRollouts, cohortHours,
                        promoteRate, promoteRollouts);
            }
        } finally {
            pool.shutdownNow();
        }
        results.write();
    }

    private static void measure(Results results, String prefix, GatePolicy policy, ExecutorService pool, int rollouts,
            int hours, int aaRate, List<Integer> rates, int cohortRollouts, int cohortHours, int promoteRate,
            int promoteRollouts) throws Exception {
        {
            long t0 = System.nanoTime();
            List<Future<Outcomes>> aa = new ArrayList<>();
            for (int i = 0; i < rollouts; i++) {
                long seed = 1000 + i;
                aa.add(pool.submit(() -> rollout(policy, Model.STABLE, aaRate, hours * 60, seed, false)));
            }
            int falseRollbacks = 0;
            int falsePauses = 0;
            int promotableRuns = 0;
            List<Integer> judgedAt = new ArrayList<>();
            List<Integer> promotableAt = new ArrayList<>();
            List<Integer> rollbackAt = new ArrayList<>();
            List<String> rollbackWhat = new ArrayList<>();
            for (Future<Outcomes> f : aa) {
                Outcomes o = f.get();
                if (o.rollback() >= 0) {
                    falseRollbacks++;
                    rollbackAt.add(o.rollback());
                    rollbackWhat.add(o.rollbackWhat());
                }
                if (o.regressionPause() >= 0) {
                    falsePauses++;
                }
                if (o.judged() >= 0) {
                    judgedAt.add(o.judged());
                }
                if (o.promotable() >= 0) {
                    promotableRuns++;
                    promotableAt.add(o.promotable());
                }
            }
            results.figure(prefix + "aa_slices_evaluated", SliceRollup.rollUp(Signal.ASR, fullSlices(), policy.maxSliceDimensions()).size());
            results.figure(prefix + "aa_false_rollback_share", (double) falseRollbacks / rollouts);
            results.figure(prefix + "aa_false_rollbacks", falseRollbacks + " of " + rollouts + " (minutes " + rollbackAt + ")");
            if (!rollbackWhat.isEmpty()) {
                results.figure(prefix + "aa_false_rollback_first_findings", rollbackWhat);
            }
            results.figure(prefix + "aa_false_regression_pause_share", (double) falsePauses / rollouts);
            results.figure(prefix + "aa_minutes_to_all_minimum_samples_median", median(judgedAt));
            results.figure(prefix + "aa_promotable_share", (double) promotableRuns / rollouts);
            results.figure(prefix + "aa_minutes_to_promotable_median", median(promotableAt));
            results.figure(prefix + "aa_seconds", (System.nanoTime() - t0) / 1e9);

            // how soon an identical candidate is shown safe where it matters, at a higher rate
            List<Future<Outcomes>> fast = new ArrayList<>();
            for (int i = 0; i < promoteRollouts; i++) {
                long seed = 9000 + i;
                fast.add(pool.submit(() -> rollout(policy, Model.STABLE, promoteRate, hours * 60, seed, false)));
            }
            List<Integer> fastPromotable = new ArrayList<>();
            int fastRollbacks = 0;
            for (Future<Outcomes> f : fast) {
                Outcomes o = f.get();
                if (o.promotable() >= 0) {
                    fastPromotable.add(o.promotable());
                }
                if (o.rollback() >= 0) {
                    fastRollbacks++;
                }
            }
            results.figure(prefix + "aa_" + promoteRate + "_rps_promotable",
                    fastPromotable.size() + " of " + promoteRollouts + " within " + hours + " h, median minute "
                            + median(fastPromotable) + "; false rollbacks " + fastRollbacks);

            Model cohort = new Model(1.11, 0.95);
            for (int rate : rates) {
                long t1 = System.nanoTime();
                List<Future<Outcomes>> runs = new ArrayList<>();
                for (int i = 0; i < cohortRollouts; i++) {
                    long seed = 50_000L + rate * 1000L + i;
                    runs.add(pool.submit(() -> rollout(policy, cohort, rate, cohortHours * 60, seed, true)));
                }
                List<Integer> alarm = new ArrayList<>();
                int missed = 0;
                int rolledBack = 0;
                for (Future<Outcomes> f : runs) {
                    Outcomes o = f.get();
                    int first = o.rollback() < 0 ? o.regressionPause()
                            : o.regressionPause() < 0 ? o.rollback() : Math.min(o.rollback(), o.regressionPause());
                    if (first < 0) {
                        missed++;
                    } else {
                        alarm.add(first);
                    }
                    if (o.rollback() >= 0) {
                        rolledBack++;
                    }
                }
                alarm.sort(null);
                String figure = String.format(Locale.ROOT, "median %s min, max %s min, rolled back %d of %d, missed %d (within %d h)",
                        median(alarm), alarm.isEmpty() ? "n/a" : alarm.get(alarm.size() - 1), rolledBack, cohortRollouts,
                        missed, cohortHours);
                results.figure(prefix + "cohort_" + rate + "_rps", figure);
                System.out.printf(Locale.ROOT, "  (%.0f s)%n", (System.nanoTime() - t1) / 1e9);
            }
        }
    }

    private static Map<Slice, MetricSet> fullSlices() {
        Map<Slice, MetricSet> m = new TreeMap<>();
        for (Cell c : CELLS) {
            m.put(c.slice, new MetricSet(Signal.ASR));
        }
        return m;
    }

    private static String median(List<Integer> xs) {
        if (xs.isEmpty()) {
            return "n/a";
        }
        List<Integer> s = new ArrayList<>(xs);
        s.sort(null);
        return String.valueOf(s.get(s.size() / 2));
    }
}
