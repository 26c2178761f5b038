package io.speechslo.bench;

import io.speechslo.advisory.Action;
import io.speechslo.advisory.Advisory;
import io.speechslo.advisory.AdvisoryKind;
import io.speechslo.advisory.Decision;
import io.speechslo.advisory.Direction;
import io.speechslo.advisory.Finding;
import io.speechslo.cli.Args;
import io.speechslo.console.ConsoleServer;
import io.speechslo.console.ScorecardStore;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.scorecard.Incident;
import io.speechslo.scorecard.RolloutStage;
import io.speechslo.scorecard.Scorecard;
import io.speechslo.scorecard.ScorecardKind;
import io.speechslo.scorecard.ScorecardValue;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The console with a day of scorecards loaded: {@code --hours} (24) of one service's scorecards at
 * {@code --values} (10) values per slice dimension, i.e. 10^4 = 10k active full slices, whose one- and
 * two-dimension cohorts (641 per track) the job writes every minute, for a stable and a canary track,
 * plus SLO, rollout, serving and privacy scorecards (about 1,300 a minute, more than the 988 a minute the
 * state benchmark measured from the job at 10k active slices). Reports the heap used after a full GC
 * with everything loaded, and each view's response time over HTTP (p50, p95, max of {@code --requests}
 * requests per view, after 5 unmeasured ones), with the filters a person would use.
 */
final class ConsoleBench {

    static final String NAME = "console";
    static final long MINUTE = 60_000;
    static final String SERVICE = "asr-bench";
    static final String[] DIMS = {"acoustic_condition", "device", "language", "region"};
    static final List<String> SLICE_VALUES = List.of("requests", "wer", "cer", "entity_error_rate", "confidence_mean",
            "correction_rate", "partial_churn", "psi_silence_ratio", "psi_clipping_ratio", "psi_snr_db",
            "psi_speech_level_dbfs", "timeout_rate", "error_rate", "first_partial_p50_ms", "first_partial_p95_ms",
            "first_partial_p99_ms", "finalization_p50_ms", "finalization_p95_ms", "finalization_p99_ms", "queue_p50_ms",
            "queue_p95_ms", "queue_p99_ms", "model_p50_ms", "model_p95_ms", "model_p99_ms", "preprocess_p50_ms",
            "preprocess_p95_ms", "batch_size_mean", "retry_rate", "fallback_rate", "sensitive_logging_rate",
            "raw_audio_retained_rate", "redaction_failed_rate", "cost_usd", "cost_per_audio_minute", "retry_waste_usd");

    private ConsoleBench() {}

    static void run(List<String> argv, String label) throws Exception {
        Args args = Args.parse(NAME, argv, Set.of("hours", "values", "requests", "label"), Set.of());
        int hours = (int) args.longValue(NAME, "hours", 24);
        int values = (int) args.longValue(NAME, "values", 10);
        int requests = (int) args.longValue(NAME, "requests", 100);
        Results results = new Results(NAME, argv, label);
        results.parameter("hours", hours).parameter("values_per_dimension", values)
                .parameter("active_full_slices", (long) Math.pow(values, 4)).parameter("requests_per_view", requests);

        long heapBefore = usedHeapAfterGc();
        ScorecardStore store = new ScorecardStore(Duration.ofHours(hours));
        long t0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
        long started = System.nanoTime();
        long scorecards = 0;
        Random random = new Random(7);
        for (int m = 1; m <= hours * 60; m++) {
            List<Scorecard> minute = minute(t0 + m * MINUTE, values, random);
            scorecards += minute.size();
            List<Advisory> advisories = m % 15 == 0 ? List.of(advisory(t0 + m * MINUTE, m)) : List.of();
            store.addAll(minute, advisories);
        }
        double loadSeconds = (System.nanoTime() - started) / 1e9;
        long heapAfter = usedHeapAfterGc();
        results.figure("scorecards_loaded", scorecards);
        results.figure("scorecards_per_minute", scorecards / (hours * 60));
        results.figure("series", store.read(ScorecardStore.View::seriesCount));
        results.figure("load_seconds", Math.round(loadSeconds * 10) / 10.0);
        results.figure("heap_used_mb", (heapAfter - heapBefore) / (1024 * 1024));
        results.figure("heap_bytes_per_scorecard", (heapAfter - heapBefore) / scorecards);

        try (ConsoleServer server = new ConsoleServer("127.0.0.1", 0, store, null, PolicyLoader.loadDefaults(),
                Duration.ofHours(hours), Duration.ofSeconds(5))) {
            server.start();
            String base = "http://127.0.0.1:" + server.port();
            String range = "&range=" + hours + "h";
            Map<String, String> views = new LinkedHashMap<>();
            views.put("executive", "/executive?service=" + SERVICE + range);
            views.put("model", "/model?service=" + SERVICE + "&dim=language" + range);
            views.put("serving", "/serving?service=" + SERVICE + "&dim=region" + range);
            views.put("privacy", "/privacy?service=" + SERVICE + "&dim=device" + range);
            views.put("cost", "/cost?service=" + SERVICE + "&dim=region" + range);
            views.put("rollout", "/rollouts/" + SERVICE + "/v2" + "?range=" + hours + "h");
            views.put("model_1h_canary", "/model?service=" + SERVICE + "&version=v2&dim=acoustic_condition&range=1h");
            HttpClient http = HttpClient.newHttpClient();
            double worstP95 = 0;
            for (Map.Entry<String, String> v : views.entrySet()) {
                long[] ms = new long[requests];
                long bytes = 0;
                for (int i = -5; i < requests; i++) {
                    long s = System.nanoTime();
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + v.getValue())).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    long took = (System.nanoTime() - s) / 1_000_000;
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(v.getValue() + " answered " + r.statusCode() + ": "
                                + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                    if (i >= 0) {
                        ms[i] = took;
                        bytes = r.body().length;
                    }
                }
                Arrays.sort(ms);
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("p50_ms", ms[requests / 2]);
                f.put("p95_ms", ms[(int) Math.ceil(requests * 0.95) - 1]);
                f.put("max_ms", ms[requests - 1]);
                f.put("page_kb", bytes / 1024);
                worstP95 = Math.max(worstP95, ms[(int) Math.ceil(requests * 0.95) - 1]);
                results.figure(v.getKey(), f);
            }
            results.figure("worst_view_p95_ms", (long) worstP95);
        }
        results.write();
    }

    /** One minute of scorecards of the service, as the job writes them. */
    static List<Scorecard> minute(long end, int n, Random random) {
        List<Scorecard> out = new ArrayList<>();
        for (String[] vt : new String[][] {{"v1", "STABLE"}, {"v2", "CANARY"}}) {
            out.add(slice(end, vt, Map.of(), random));
            for (String d : DIMS) {
                for (int i = 0; i < n; i++) {
                    out.add(slice(end, vt, Map.of(d, d + "-" + i), random));
                }
            }
            for (int a = 0; a < DIMS.length; a++) {
                for (int b = a + 1; b < DIMS.length; b++) {
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < n; j++) {
                            out.add(slice(end, vt, Map.of(DIMS[a], DIMS[a] + "-" + i, DIMS[b], DIMS[b] + "-" + j), random));
                        }
                    }
                }
            }
        }
        for (String slo : List.of("asr-availability", "asr-first-partial-latency", "asr-finalization-latency", "asr-wer-per-slice")) {
            for (String version : new String[] {null, "v1", "v2"}) {
                List<ScorecardValue> v = new ArrayList<>();
                for (String name : List.of("sli", "objective", "budget_remaining", "burn_rate_5m", "burn_rate_30m",
                        "burn_rate_1h", "burn_rate_2h", "burn_rate_6h", "burn_rate_1d", "burn_rate_3d", "bad_requests_1h",
                        "affected_share_1h", "incident_open")) {
                    v.add(new ScorecardValue(name, random.nextDouble(), 1000L, null));
                }
                out.add(base(ScorecardKind.SLO, end, version, null, Map.of()).setSlo(slo).setValues(v)
                        .setIncidents(random.nextInt(50) == 0 ? List.of(new Incident("TICKET", end - MINUTE)) : List.of())
                        .build());
            }
        }
        out.add(base(ScorecardKind.ROLLOUT, end, "v2", null, Map.of()).setValues(List.of(
                new ScorecardValue("canary_requests", 500.0, 500L, null), new ScorecardValue("stable_requests", 500.0, 500L, null),
                new ScorecardValue("canary_share", 0.5, 1000L, null)))
                .setRollout(new RolloutStage("v2", "v1", end - 3_600_000, 0.5, "CONTINUE", end - MINUTE)).build());
        for (int p = 0; p < 6; p++) {
            List<ScorecardValue> v = new ArrayList<>();
            for (String name : List.of("gpu_util_mean", "gpu_mem_used_ratio_max", "autoscaler_lag_s", "queue_depth_max",
                    "ready_replicas_min", "desired_replicas_max", "warm_pool_size_min", "samples")) {
                v.add(new ScorecardValue(name, random.nextDouble(), 4L, null));
            }
            out.add(base(ScorecardKind.SERVING, end, p < 3 ? "v1" : "v2", null, Map.of("pool", "pool-" + p)).setValues(v).build());
        }
        for (String version : List.of("v1", "v2")) {
            List<ScorecardValue> v = new ArrayList<>();
            for (String name : List.of("raw_audio_accesses", "raw_audio_accesses_review", "reviews_opted_in",
                    "reviews_without_opt_in", "retention_due", "retention_overdue", "fixture_runs", "fixture_coverage")) {
                v.add(new ScorecardValue(name, (double) random.nextInt(3), 1L, null));
            }
            out.add(base(ScorecardKind.PRIVACY, end, version, null, Map.of()).setValues(v).build());
        }
        return out;
    }

    static Scorecard slice(long end, String[] vt, Map<String, String> slice, Random random) {
        List<ScorecardValue> v = new ArrayList<>(SLICE_VALUES.size());
        long requests = 5 + random.nextInt(100);
        for (String name : SLICE_VALUES) {
            double x = name.endsWith("_ms") ? 100 + 500 * random.nextDouble() : random.nextDouble() * 0.2;
            v.add(new ScorecardValue(name, name.equals("requests") ? (double) requests : x,
                    name.startsWith("wer") || name.startsWith("cer") ? requests / 3 : requests,
                    name.endsWith("_ms") ? 0.005 : null));
        }
        return base(ScorecardKind.SLICE, end, vt[0], vt[1], slice).setValues(v).build();
    }

    static Scorecard.Builder base(ScorecardKind kind, long end, String version, String track, Map<String, String> slice) {
        return Scorecard.newBuilder().setKind(kind).setService(SERVICE).setSignal(
                kind == ScorecardKind.SERVING || kind == ScorecardKind.PRIVACY ? null : "ASR").setModelVersion(version)
                .setTrack(track).setSlice(slice).setWindowStart(end - MINUTE).setWindowEnd(end).setValues(List.of());
    }

    static Advisory advisory(long end, int m) {
        List<Finding> findings = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            findings.add(Finding.newBuilder().setMetric("wer").setSlice(Map.of("region", "region-" + i % 10))
                    .setAction(i == 0 ? Action.PAUSE : Action.CONTINUE).setReason("within limits").setValue(0.1)
                    .setBaseline(0.1).setLimit(0.105).setDirection(Direction.LOWER_IS_BETTER).setCritical(true)
                    .setSamples(1000).setBaselineSamples(1000).setPValue(0.5).build());
        }
        return Advisory.newBuilder().setAdvisoryId("bench-" + m).setKind(AdvisoryKind.ROLLOUT)
                .setDecision(m % 2 == 0 ? Decision.CONTINUE : Decision.PAUSE).setService(SERVICE).setModelVersion("v2")
                .setBaselineVersion("v1").setRollbackTo(null).setSlo(null).setWindowEnd(end).setPolicyVersion("bench").setSummary("bench advisory " + m)
                .setFindings(findings).setLongWindow(null).setShortWindow(null).setLongBurnRate(null)
                .setShortBurnRate(null).setThreshold(null).setBudgetRemaining(null).build();
    }

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
