package io.speechslo.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.speechslo.cli.Main;
import io.speechslo.testing.KafkaBroker;
import io.speechslo.testing.Ports;
import io.speechslo.testing.RegistryServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console as a person sees it: a real broker and the registry stand-in, the shipped
 * hidden-cohort-regression scenario replayed onto the topics while a console already shows its
 * executive view (which must fill in by itself), then every view in headless Chromium (Debian's, via
 * chromedriver). Each view's figures are checked against values computed here from the same replay's
 * scorecards and advisories written as JSON lines, not against the console's own arithmetic. Screenshots
 * go to target/console-screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleITCase {

    static final String SERVICE = "asr-assistant";
    static final String CANDIDATE = "asr-2026.02.0";
    static final String STABLE = "asr-2026.01.2";
    static final String SHADOW = "asr-2026.03.0-shadow";
    static final Path SHOTS = Path.of("target", "console-screenshots");
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final RegistryServer REGISTRY = new RegistryServer();

    static KafkaBroker kafka;
    static ConsoleCommand.Running console;
    static ChromeDriver browser;
    static Path dir;
    static List<JsonNode> scorecards = new ArrayList<>();
    static List<JsonNode> advisories = new ArrayList<>();
    static List<String> topicFlags;

    @BeforeAll
    static void stack() throws Exception {
        kafka = new KafkaBroker().start();
        dir = Files.createTempDirectory("console-it");
        String run = UUID.randomUUID().toString().substring(0, 8);
        topicFlags = List.of("--set", "kafka.bootstrap-servers=" + kafka.bootstrapServers(), "--set", "registry.url=" + REGISTRY.url(),
                "--set", "topics.advisories=advisories-" + run, "--set", "topics.scorecards=scorecards-" + run,
                "--set", "topics.dead-letter=dead-" + run, "--set", "kafka.group-id=console-it-" + run);
        assertThat(cli("topics")).isZero();
        assertThat(Main.run(List.of("generate", "--scenario", "job/scenarios/hidden-cohort-regression.yaml", "--out",
                dir.resolve("in").toString(), "--seed", "7"), System.out, System.err)).isZero();
        // The expected values: the same replay, written as JSON lines.
        assertThat(Main.run(List.of("replay", "--input", dir.resolve("in").toString(), "--out",
                dir.resolve("advisories.jsonl").toString(), "--scorecards", dir.resolve("scorecards.jsonl").toString()),
                System.out, System.err)).isZero();
        for (String line : Files.readAllLines(dir.resolve("scorecards.jsonl"))) {
            scorecards.add(JSON.readTree(line));
        }
        for (String line : Files.readAllLines(dir.resolve("advisories.jsonl"))) {
            advisories.add(JSON.readTree(line));
        }
        List<String> args = new ArrayList<>(List.of("--port", "0", "--host", "127.0.0.1", "--refresh", "1s"));
        args.addAll(topicFlags);
        console = ConsoleCommand.start(args);
        browser = chromium();
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (console != null) {
            console.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    static int cli(String command, String... more) {
        List<String> argv = new ArrayList<>(List.of(command));
        argv.addAll(List.of(more));
        argv.addAll(topicFlags);
        return Main.run(argv, System.out, System.err);
    }

    static ChromeDriver chromium() throws Exception {
        System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1800", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
                "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        return new ChromeDriver(o);
    }

    @Test
    @Order(1)
    void theExecutiveViewFillsInByItselfAsTheReplayArrives() throws Exception {
        browser.get(console.url() + "/executive");
        assertThat(browser.findElement(By.id("no-data")).getText()).contains("No scorecards or advisories read yet");
        // as the live job would: into the topics the console reads
        assertThat(cli("replay", "--input", dir.resolve("in").toString(), "--to-kafka", "--to-live-topics")).isZero();
        // No reload: the page follows the topics until the candidate's ROLLBACK shows (the page redraws its
        // tables as data arrives, so an element found a moment ago may be gone: look again)
        new WebDriverWait(browser, Duration.ofSeconds(90)).ignoring(StaleElementReferenceException.class).until(d -> !d.findElements(
                By.cssSelector("#rollouts tr[data-row='" + CANDIDATE + "'] td[data-col='decision']")).isEmpty()
                && d.findElement(By.cssSelector("#rollouts tr[data-row='" + CANDIDATE + "'] td[data-col='decision']"))
                        .getText().equals("ROLLBACK"));
        waitUntilEverythingIsRead();
    }

    static void waitUntilEverythingIsRead() throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        JsonNode s = null;
        while (System.currentTimeMillis() < deadline) {
            s = JSON.readTree(get("/api/status").body);
            if (s.path("scorecards").asLong() == scorecards.size() && s.path("advisories").asLong() == advisories.size()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the console read " + s + ", the replay wrote " + scorecards.size() + " scorecards and "
                + advisories.size() + " advisories");
    }

    @Test
    @Order(2)
    void executive() throws Exception {
        open("/executive?service=" + SERVICE, "executive");
        assertThat(cellText("rollouts", CANDIDATE, "decision")).isEqualTo("ROLLBACK");
        assertThat(cellText("rollouts", CANDIDATE, "baseline")).isEqualTo(STABLE);
        assertThat(cellText("services", SERVICE, "service")).isEqualTo(SERVICE);
        // Every SLO of the whole service shows the budget left in its newest scorecard.
        int checked = 0;
        for (JsonNode last : lastSloScorecards().values()) {
            String row = last.get("slo").asText() + "||";
            assertThat(cellText("slos", row, "budget")).as(row)
                    .isEqualTo(Blocks.metric("budget_remaining", floatValue(last, "budget_remaining")));
            assertThat(cellText("slos", row, "sli")).as(row).isEqualTo(Blocks.metric("sli", floatValue(last, "sli")));
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(3);
        assertThat(browser.findElements(By.cssSelector("#budget-chart canvas"))).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("[id^='burn-'] canvas"))).isNotEmpty();
        // The newest advisory is listed first.
        JsonNode newest = advisories.stream().max(java.util.Comparator.comparingLong(a -> a.get("window_end").asLong())).orElseThrow();
        assertThat(browser.findElements(By.cssSelector("#advisories tbody tr")).get(0)
                .findElement(By.cssSelector("td[data-col='time']")).getText())
                .isEqualTo(Views.time(newest.get("window_end").asLong()));
        noBrowserErrors();
    }

    @Test
    @Order(3)
    void model() throws Exception {
        open("/model?service=" + SERVICE + "&dim=region", "model");
        // WER per version and track over the range, weighted by labelled requests, from the scorecards.
        for (String[] vt : new String[][] {{CANDIDATE, "CANARY"}, {STABLE, "STABLE"}}) {
            double[] w = weighted(sliceCards(vt[0], vt[1], Map.of()), "wer");
            assertThat(cellText("model-versions", vt[0] + " (" + vt[1].toLowerCase() + ")", "wer"))
                    .isEqualTo(Blocks.metric("wer", w[0]));
        }
        // The heatmap: noisy speech got worse on the canary, quiet speech better.
        for (String lang : List.of("en-US", "de-DE")) {
            for (String cond : List.of("noisy", "quiet")) {
                Map<String, String> cell = Map.of("language", lang, "acoustic_condition", cond);
                double[] canary = weighted(sliceCards(CANDIDATE, "CANARY", cell), "wer");
                double[] stable = weighted(sliceCards(STABLE, "STABLE", cell), "wer");
                String text = browser.findElement(By.cssSelector("#wer-heatmap tr[data-row='" + lang + "'] td[data-col='" + cond + "']")).getText();
                assertThat(text).as(lang + " " + cond).isEqualTo(Blocks.signedPercent(canary[0] / stable[0] - 1));
            }
        }
        assertThat(browser.findElement(By.cssSelector("#wer-heatmap tr[data-row='en-US'] td[data-col='quiet']")).getText()).startsWith("-");
        // The slice table by region: eu-west-1 of the canary.
        double[] eu = weighted(sliceCards(CANDIDATE, "CANARY", Map.of("region", "eu-west-1")), "wer");
        assertThat(cellText("model-slices", "eu-west-1|" + CANDIDATE + " (canary)", "wer")).isEqualTo(Blocks.metric("wer", eu[0]));
        assertThat(browser.findElements(By.cssSelector("#chart-wer canvas"))).isNotEmpty();
        noBrowserErrors();
    }

    @Test
    @Order(4)
    void serving() throws Exception {
        open("/serving?service=" + SERVICE, "serving");
        // Each pool's newest GPU utilization.
        Map<String, JsonNode> lastPool = new HashMap<>();
        for (JsonNode s : scorecards) {
            if (s.get("kind").asText().equals("SERVING") && s.get("service").asText().equals(SERVICE)) {
                lastPool.put(s.get("slice").get("pool").asText() + "|" + s.get("model_version").asText(), s);
            }
        }
        assertThat(lastPool).isNotEmpty();
        for (Map.Entry<String, JsonNode> e : lastPool.entrySet()) {
            assertThat(cellText("pools", e.getKey(), "gpu_util_mean")).as(e.getKey())
                    .isEqualTo(Blocks.metric("gpu_util_mean", floatValue(e.getValue(), "gpu_util_mean")));
        }
        // Requests by region, summed over the range.
        long requests = 0;
        for (JsonNode s : sliceCards(STABLE, "STABLE", Map.of("region", "us-east-1"))) {
            requests += (long) orZero(floatValue(s, "requests"));
        }
        assertThat(cellText("serving-slices", "us-east-1|" + STABLE + " (stable)", "requests")).isEqualTo(Blocks.count(requests));
        assertThat(browser.findElements(By.cssSelector("[id^='latency-'] canvas"))).hasSizeGreaterThanOrEqualTo(2);
        noBrowserErrors();
    }

    @Test
    @Order(5)
    void privacy() throws Exception {
        open("/privacy?service=" + SERVICE, "privacy");
        double accesses = 0;
        double withoutOptIn = 0;
        for (JsonNode s : scorecards) {
            if (s.get("kind").asText().equals("PRIVACY") && s.get("service").asText().equals(SERVICE)) {
                accesses += orZero(floatValue(s, "raw_audio_accesses"));
                withoutOptIn += orZero(floatValue(s, "reviews_without_opt_in"));
            }
        }
        assertThat(accesses).isPositive();
        assertThat(browser.findElement(By.cssSelector("[data-figure='raw_audio_accesses'] .value")).getText())
                .isEqualTo(Blocks.number(accesses));
        assertThat(browser.findElement(By.cssSelector("[data-figure='reviews_without_opt_in'] .value")).getText())
                .isEqualTo(Blocks.number(withoutOptIn));
        double[] retained = weighted(sliceCards(STABLE, "STABLE", Map.of()), "raw_audio_retained_rate");
        assertThat(cellText("privacy-rates", STABLE + " (stable)", "raw_audio_retained_rate"))
                .isEqualTo(Blocks.metric("raw_audio_retained_rate", retained[0]));
        noBrowserErrors();
    }

    @Test
    @Order(6)
    void cost() throws Exception {
        open("/cost?service=" + SERVICE, "cost");
        for (String[] vt : new String[][] {{CANDIDATE, "CANARY"}, {STABLE, "STABLE"}}) {
            double cost = 0;
            for (JsonNode s : sliceCards(vt[0], vt[1], Map.of())) {
                cost += orZero(floatValue(s, "cost_usd"));
            }
            assertThat(cost).isPositive();
            assertThat(cellText("cost-versions", vt[0] + " (" + vt[1].toLowerCase() + ")", "cost_usd"))
                    .isEqualTo(Blocks.metric("cost_usd", cost));
        }
        assertThat(browser.findElements(By.cssSelector("#chart-cost_per_audio_minute canvas"))).isNotEmpty();
        // the scenario's shadow deployment: its spend apart from the user-facing cost, with a chart of its own
        double shadow = 0;
        for (JsonNode s : sliceCards(SHADOW, "SHADOW", Map.of())) {
            shadow += orZero(floatValue(s, "shadow_cost_usd"));
        }
        assertThat(shadow).isPositive();
        assertThat(cellText("cost-versions", SHADOW + " (shadow)", "shadow_cost_usd"))
                .isEqualTo(Blocks.metric("shadow_cost_usd", shadow));
        assertThat(browser.findElements(By.cssSelector("#chart-shadow_cost_usd canvas"))).isNotEmpty();
        noBrowserErrors();
    }

    @Test
    @Order(7)
    void rolloutPageShowsTheGateEvidence() throws Exception {
        open("/rollouts/" + SERVICE + "/" + CANDIDATE, "rollout");
        JsonNode last = null;
        for (JsonNode a : advisories) {
            if (a.get("kind").asText().equals("ROLLOUT") && a.get("model_version").asText().equals(CANDIDATE)
                    && (last == null || a.get("window_end").asLong() >= last.get("window_end").asLong())) {
                last = a;
            }
        }
        assertThat(last).isNotNull();
        assertThat(browser.findElement(By.cssSelector("[data-figure='decision'] .value")).getText())
                .isEqualTo(last.get("decision").asText()).isEqualTo("ROLLBACK");
        assertThat(browser.findElement(By.id("summary")).getText()).isEqualTo(last.get("summary").asText());
        // The finding that rolled it back, with its numbers, on the noisy mobile eu-west-1 cohort.
        JsonNode rollback = null;
        for (JsonNode f : last.get("findings")) {
            if (f.get("action").asText().equals("ROLLBACK")) {
                rollback = f;
                break;
            }
        }
        assertThat(rollback).isNotNull();
        String slice = Views.sliceLabel(JSON.convertValue(rollback.get("slice"),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() {}));
        assertThat(slice).contains("region=eu-west-1");
        WebElement row = null;
        for (WebElement r : browser.findElements(By.cssSelector("#evidence tbody tr"))) {
            if (r.findElement(By.cssSelector("td[data-col='slice']")).getText().equals(slice)
                    && r.findElement(By.cssSelector("td[data-col='action']")).getText().equals("ROLLBACK")) {
                row = r;
                break;
            }
        }
        assertThat(row).as("evidence row for " + slice).isNotNull();
        String metric = rollback.get("metric").asText();
        assertThat(row.findElement(By.cssSelector("td[data-col='value']")).getText())
                .isEqualTo(Blocks.metric(metric, rollback.get("value").asDouble()));
        assertThat(row.findElement(By.cssSelector("td[data-col='baseline']")).getText())
                .isEqualTo(Blocks.metric(metric, rollback.get("baseline").asDouble()));
        assertThat(row.findElement(By.cssSelector("td[data-col='samples']")).getText())
                .isEqualTo(Blocks.count(rollback.get("samples").asLong()));
        assertThat(row.findElement(By.cssSelector("td[data-col='verdict']")).getText())
                .isEqualTo(rollback.path("verdict").isNull() ? "" : rollback.get("verdict").asText());
        assertThat(browser.findElement(By.cssSelector("[data-figure='promotable'] .value")).getText())
                .as("a ROLLBACK is never promotable").isEqualTo("no");
        assertThat(browser.findElements(By.cssSelector("#timeline tbody tr"))).hasSize((int) advisories.stream()
                .filter(a -> a.get("kind").asText().equals("ROLLOUT") && a.get("model_version").asText().equals(CANDIDATE)).count());
        assertThat(browser.findElements(By.cssSelector("#share-chart canvas"))).isNotEmpty();
        // the stage history of the newest advisory, oldest first, ending with the decision it holds
        JsonNode history = last.get("stage_history");
        assertThat(history).isNotEmpty();
        List<WebElement> stages = browser.findElements(By.cssSelector("#stages tbody tr"));
        assertThat(stages).hasSize(history.size());
        for (int i = 0; i < history.size(); i++) {
            JsonNode e = history.get(i);
            assertThat(stages.get(i).findElement(By.cssSelector("td[data-col='since']")).getText())
                    .isEqualTo(Views.time(e.get("since").asLong()));
            assertThat(stages.get(i).findElement(By.cssSelector("td[data-col='share']")).getText())
                    .isEqualTo(Blocks.percent(e.get("canary_share").asDouble()));
            assertThat(stages.get(i).findElement(By.cssSelector("td[data-col='decision']")).getText())
                    .isEqualTo(e.get("decision").asText());
        }
        assertThat(history.get(history.size() - 1).get("decision").asText()).isEqualTo("ROLLBACK");
        noBrowserErrors();
    }

    @Test
    @Order(8)
    void unknownServiceOrVersionIsA404AndAMalformedParameterA400() throws Exception {
        Response r = get("/rollouts/" + SERVICE + "/asr-1999.01.0");
        assertThat(r.code).isEqualTo(404);
        assertThat(r.body).contains("has no model version 'asr-1999.01.0'").doesNotContain("Exception");
        r = get("/model?service=no-such-service");
        assertThat(r.code).isEqualTo(404);
        assertThat(r.body).contains("no service 'no-such-service'");
        r = get("/serving?range=soon");
        assertThat(r.code).isEqualTo(400);
        assertThat(r.body).contains("query parameter 'range'");
        r = get("/cost?service=" + SERVICE + "&dim=planet");
        assertThat(r.code).isEqualTo(400);
        assertThat(r.body).contains("query parameter 'dim'");
        r = get("/api/executive?colour=blue");
        assertThat(r.code).isEqualTo(400);
        assertThat(JSON.readTree(r.body).get("error").asText()).contains("unknown query parameter 'colour'");
        r = get("/nowhere");
        assertThat(r.code).isEqualTo(404);
        browser.get(console.url() + "/rollouts/" + SERVICE + "/asr-1999.01.0");
        assertThat(browser.findElement(By.id("error-title")).getText()).isEqualTo("404 Not found");
        noBrowserErrorsBut("404");
    }

    @Test
    @Order(9)
    void aConsoleWithoutKafkaSaysSoAndKeepsTrying() throws Exception {
        int closed = closedPort();
        try (ConsoleCommand.Running down = ConsoleCommand.start(List.of("--port", "0", "--host", "127.0.0.1",
                "--refresh", "1s", "--set", "kafka.bootstrap-servers=127.0.0.1:" + closed, "--set",
                "registry.url=" + REGISTRY.url()))) {
            browser.get(down.url() + "/executive");
            new WebDriverWait(browser, Duration.ofSeconds(40)).ignoring(StaleElementReferenceException.class)
                    .until(d -> d.findElement(By.id("status")).getText()
                    .contains("Kafka at 127.0.0.1:" + closed + " cannot be reached"));
            assertThat(browser.findElement(By.id("status")).getText()).contains("retrying every 5 s");
            screenshot("kafka-down");
        }
    }

    @Test
    @Order(10)
    void aConsoleWithoutTheRegistrySaysSoAndSkipsNothing() throws Exception {
        int closed = closedPort();
        List<String> args = new ArrayList<>(List.of("--port", "0", "--host", "127.0.0.1", "--refresh", "1s"));
        args.addAll(topicFlags);
        args.addAll(List.of("--set", "registry.url=http://127.0.0.1:" + closed));
        try (ConsoleCommand.Running down = ConsoleCommand.start(args)) {
            browser.get(down.url() + "/executive");
            new WebDriverWait(browser, Duration.ofSeconds(40)).ignoring(StaleElementReferenceException.class)
                    .until(d -> d.findElement(By.id("status")).getText()
                    .contains("the schema registry at http://127.0.0.1:" + closed + " cannot be reached"));
            assertThat(JSON.readTree(get("/api/status").body).path("ok").asBoolean()).as("the other console").isTrue();
            assertThat(down.store().read(ScorecardStore.View::scorecards)).as("nothing skipped meanwhile").isZero();
            assertThat(down.feed().skipped()).isZero();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A port nothing listens on. */
    static int closedPort() {
        return Ports.free();
    }

    static void open(String path, String name) throws Exception {
        browser.get(console.url() + path);
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !d.findElements(By.cssSelector("#content .block")).isEmpty());
        screenshot(name);
    }

    static void screenshot(String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    static String cellText(String table, String row, String col) {
        List<WebElement> cells = browser.findElements(By.cssSelector("#" + table + " tr[data-row='" + row + "'] td[data-col='" + col + "']"));
        assertThat(cells).as("#" + table + " row '" + row + "' column '" + col + "'").hasSize(1);
        return cells.get(0).getText();
    }

    static void noBrowserErrors() {
        noBrowserErrorsBut(null);
    }

    static void noBrowserErrorsBut(String expected) {
        List<String> severe = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue() && (expected == null || !e.getMessage().contains(expected))) {
                severe.add(e.getMessage());
            }
        }
        assertThat(severe).as("browser errors").isEmpty();
    }

    /** The value as the console keeps it (a float). */
    static double floatValue(JsonNode scorecard, String name) {
        for (JsonNode v : scorecard.get("values")) {
            if (v.get("name").asText().equals(name)) {
                return v.get("value").isNull() ? Double.NaN : (double) (float) v.get("value").asDouble();
            }
        }
        return Double.NaN;
    }

    static double orZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    static long samplesOf(JsonNode scorecard, String name) {
        for (JsonNode v : scorecard.get("values")) {
            if (v.get("name").asText().equals(name)) {
                return v.get("value").isNull() ? 0 : v.get("samples").asLong();
            }
        }
        return 0;
    }

    /** SLICE scorecards of one version, track and exact slice, in time order. */
    static List<JsonNode> sliceCards(String version, String track, Map<String, String> slice) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode s : scorecards) {
            if (s.get("kind").asText().equals("SLICE") && s.get("service").asText().equals(SERVICE)
                    && version.equals(s.get("model_version").asText()) && track.equals(s.get("track").asText())
                    && JSON.convertValue(s.get("slice"), Map.class).equals(slice)) {
                out.add(s);
            }
        }
        out.sort(java.util.Comparator.comparingLong(s -> s.get("window_end").asLong()));
        return out;
    }

    static double[] weighted(List<JsonNode> cards, String metric) {
        double sum = 0;
        double n = 0;
        for (JsonNode s : cards) {
            double v = floatValue(s, metric);
            long k = samplesOf(s, metric);
            if (!Double.isNaN(v) && k > 0) {
                sum += v * k;
                n += k;
            }
        }
        return new double[] {sum / n, n};
    }

    /** The newest whole-service, all-version SLO scorecard of each SLO. */
    static Map<String, JsonNode> lastSloScorecards() {
        Map<String, JsonNode> last = new HashMap<>();
        for (JsonNode s : scorecards) {
            if (s.get("kind").asText().equals("SLO") && s.get("service").asText().equals(SERVICE)
                    && s.get("model_version").isNull() && s.get("slice").isEmpty()) {
                last.merge(s.get("slo").asText(), s, (a, b) -> b.get("window_end").asLong() >= a.get("window_end").asLong() ? b : a);
            }
        }
        return last;
    }

    record Response(int code, String body) {}

    static Response get(String path) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create(console.url() + path).toURL().openConnection();
        int code = c.getResponseCode();
        try (var in = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
            return new Response(code, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
