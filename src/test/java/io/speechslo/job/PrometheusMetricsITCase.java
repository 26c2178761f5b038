package io.speechslo.job;

import io.speechslo.advisory.Advisory;
import io.speechslo.deadletter.DeadLetter;
import io.speechslo.generate.ScenarioGeneratorFunction;
import io.speechslo.generate.ScenarioLoader;
import io.speechslo.generate.TelemetryGenerator;
import io.speechslo.policy.load.PolicyLoader;
import io.speechslo.replay.InProcessSink;
import io.speechslo.scorecard.EncodedScorecard;
import io.speechslo.testing.Ports;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.speechslo.fixtures.PrometheusNames.BUDGET;
import static io.speechslo.fixtures.PrometheusNames.BURN;
import static io.speechslo.fixtures.PrometheusNames.DECISION;
import static io.speechslo.fixtures.PrometheusNames.GAUGES;
import static io.speechslo.fixtures.PrometheusNames.INCIDENT;
import static io.speechslo.fixtures.PrometheusNames.PREFIX;
import static io.speechslo.fixtures.PrometheusNames.SHARE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job's SLO and rollout gauges as a Prometheus server scrapes them: a running pipeline (a local
 * cluster with Flink's own Prometheus reporter, as the local stack and deploy/ configure it) fed the
 * hidden-cohort-regression scenario, its endpoint read over HTTP until the canary's ROLLBACK shows. Every
 * SLO gauge name the README documents is exported, and nothing of ours is exported undocumented.
 */
class PrometheusMetricsITCase {

    @Test
    void sloAndRolloutGaugesAreScrapedWithBoundedLabelsAndDocumented() throws Exception {
        int port = Ports.free();
        Configuration conf = new Configuration();
        conf.setString("metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", Integer.toString(port));
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);

        Path file = Path.of("job/scenarios/hidden-cohort-regression.yaml");
        byte[] bytes = Files.readAllBytes(file);
        long count = new TelemetryGenerator(ScenarioLoader.parse(file.toString(), bytes), 1).count();
        TypeInformation<Ingested> type = TypeInformation.of(Ingested.class);
        List<Advisory> advisories = java.util.Collections.synchronizedList(new ArrayList<>());
        String scrape = "";
        try (InProcessSink<Advisory> a = new InProcessSink<>(advisories::add);
                InProcessSink<EncodedScorecard> sc = new InProcessSink<>(x -> { });
                InProcessSink<DeadLetter> d = new InProcessSink<>(x -> { })) {
            // at 10k records/s the two hours of telemetry take about 20 s: the job (and its metrics) is up
            // while it is scraped, and the canary rolls back half-way
            DataGeneratorSource<Ingested> source = new DataGeneratorSource<>(
                    new ScenarioGeneratorFunction(file.toString(), bytes, 1), count,
                    RateLimiterStrategy.perSecond(10_000), type);
            AdvisorTopology.build(env, source, a, sc, d, PolicyLoader.bundleDefaults(), TopologySettings.DEFAULT);
            JobClient job = env.executeAsync("prometheus metrics");
            try {
                HttpClient http = HttpClient.newHttpClient();
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (System.nanoTime() < deadline) {
                    try {
                        scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .build(), HttpResponse.BodyHandlers.ofString()).body();
                    } catch (IOException notYet) {
                        scrape = "";
                    }
                    if (scrape.contains(PREFIX)) {
                        Files.writeString(Path.of("target/prometheus-scrape.txt"), scrape); // to look at on failure
                    }
                    if (value(scrape, DECISION, "service=\"asr_assistant\"") == 2.0) {
                        break;
                    }
                    Thread.sleep(500);
                }
            } finally {
                try {
                    job.cancel().get();
                } catch (Exception finishedAlready) {
                    // the local cluster goes with a finished job
                }
            }
        }
        assertThat(count).isPositive();
        // Flink's reporter writes label values with _ for every character Prometheus names do not take
        // (asr-2026.02.0 becomes asr_2026_02_0). The canary rolled back: the gauge says so, as the advisory did
        assertThat(value(scrape, DECISION, "model_version=\"asr_2026_02_0\"")).as(scrape).isEqualTo(2.0);
        assertThat(value(scrape, SHARE, "model_version=\"asr_2026_02_0\"")).isBetween(0.4, 0.6); // share: 0.5
        // the availability SLO, service-wide and per version: burn rates per alert window, budget, no incident
        assertThat(value(scrape, BUDGET, "slo=\"asr_availability\"", "model_version=\"all\""))
                .isBetween(0.0, 1.0);
        for (String w : List.of("5m", "30m", "1h", "2h", "6h", "1d", "3d")) {
            assertThat(value(scrape, BURN, "slo=\"asr_availability\"", "model_version=\"all\"", "window=\"" + w + "\""))
                    .as("burn rate over " + w).isGreaterThanOrEqualTo(0.0);
        }
        assertThat(value(scrape, INCIDENT, "slo=\"asr_availability\"", "model_version=\"asr_2026_01_2\""))
                .isEqualTo(0.0);
        // the per-slice quality SLOs give service-wide gauges only: no slice label, ever
        assertThat(value(scrape, BUDGET, "slo=\"asr_wer_per_slice\"", "model_version=\"asr_2026_01_2\"")).isEqualTo(1.0);
        assertThat(scrape).doesNotContain("language=").doesNotContain("acoustic_condition=");

        Set<String> ours = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^" + PREFIX + "([a-z_]+)\\{").matcher(scrape);
        while (m.find()) {
            if (GAUGES.contains(m.group(1))) {
                ours.add(m.group(1));
            }
        }
        assertThat(ours).isEqualTo(new TreeSet<>(GAUGES));
        String readme = Files.readString(Path.of("README.md"));
        for (String g : GAUGES) {
            assertThat(readme).as("README documents " + g).contains("`" + PREFIX + g + "`");
        }
    }

    /** The value of the first series of {@code name} that has every one of {@code labels}, or NaN. */
    private static double value(String scrape, String name, String... labels) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(PREFIX + name + "{") && java.util.Arrays.stream(labels).allMatch(line::contains)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }
}
