package io.speechslo.deploy;

import io.speechslo.fixtures.PrometheusNames;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Every query of the shipped Grafana dashboard names only metrics the job exports (PrometheusMetricsITCase). */
class GrafanaDashboardTest {

    private static final Pattern METRIC = Pattern.compile("\\bflink_[a-z_]+");

    @Test
    void everyQueryNamesAnExportedMetric() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("deploy/kubernetes/grafana-dashboard.json").toFile());
        List<String> queries = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> queries.add(t.path("expr").asText())));
        dashboard.path("templating").path("list").forEach(v -> queries.add(v.path("query").asText()));
        assertThat(queries).hasSizeGreaterThanOrEqualTo(6).doesNotContain("");
        List<String> named = new ArrayList<>();
        for (String q : queries) {
            Matcher m = METRIC.matcher(q);
            assertThat(m.find()).as("a metric in " + q).isTrue();
            do {
                named.add(m.group());
            } while (m.find());
        }
        assertThat(named).allSatisfy(n -> assertThat(n).startsWith(PrometheusNames.PREFIX)
                .satisfies(x -> assertThat(PrometheusNames.GAUGES).contains(x.substring(PrometheusNames.PREFIX.length()))));
        // and every exported gauge is on the dashboard
        assertThat(named.stream().map(n -> n.substring(PrometheusNames.PREFIX.length())).distinct())
                .containsExactlyInAnyOrderElementsOf(PrometheusNames.GAUGES);
    }
}
