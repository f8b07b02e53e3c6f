package dev.cutover.ui;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.AdminApi;
import dev.cutover.testing.Browser;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.StoppablePostgres;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import dev.cutover.testing.Uploads;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.support.ui.Select;

/**
 * The Signals view and the fleet in a real Chromium, with data the test sent through {@code POST /api/v1/events} and
 * {@code /transcribe}: the latest figures, the cohort table worst first, the four charts with an advance marked, and
 * the fleet's one live instance. Time is the app's {@link TestClock}: it is moved to close the windows, never slept.
 */
class AdminSignalsUiTest {
    private static final String SECRET = "secret-signals-ui";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final List<String> METRICS = List.of("error_rate", "p95", "cache_hit_rate", "rtf");

    /** browser, language, whisper attempts, whisper errors, webspeech attempts, webspeech errors (client). */
    private record Cohort(String browser, String language, int whisper, int whisperErrors, int webspeech,
                          int webspeechErrors) {
    }

    // Under 50 whisper attempts: the developer-testing phase's alert rules stay NO_DATA, so the guard never acts.
    private static final List<Cohort> COHORTS = List.of(
            new Cohort("chrome", "en", 20, 2, 30, 1),
            new Cohort("firefox", "de", 10, 3, 10, 1),
            new Cohort("safari", "fr", 10, 0, 10, 0));
    private static final int MINUTES = 5;

    @Test
    void theSignalsViewShowsWhatWasSentWithCohortsWorstFirstChartsWithTheAdvanceMarkedAndTheFleetLive() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = TestApp.builder().env("ADMIN_TOKEN", "ops:" + SECRET).env("EVENTS_RATE_LIMIT", "0")
                .clock(clock).start();
             Browser browser = Browser.start()) {
            AdminApi admin = new AdminApi(app, SECRET);
            sendClientEvents(app, clock);
            byte[] clip = Uploads.freshWav(1.0);
            assertThat(Uploads.transcribe(app, clip).statusCode()).isEqualTo(200);
            assertThat(Uploads.transcribe(app, clip).body()).as("the same clip again, from the cache").contains("\"cached\":true");
            HttpResponse<String> advance = admin.post("/api/v1/rollout/advance", "{\"expectedVersion\": "
                    + json(admin.get(AdminApi.ROLLOUT)).path("version").asLong()
                    + ", \"reason\": \"baseline seen, on to developers\", \"force\": true}");
            assertThat(advance.statusCode()).as(advance.body()).isEqualTo(200);
            clock.advance(Duration.ofSeconds(20)); // the last windows close and are flushed
            int whisperAttempts = COHORTS.stream().mapToInt(Cohort::whisper).sum();
            int webspeechAttempts = COHORTS.stream().mapToInt(Cohort::webspeech).sum();
            Eventually.await(WAIT, "every attempt flushed", () -> attempts(admin, "whisper", "client") == whisperAttempts
                    && attempts(admin, "webspeech", "client") == webspeechAttempts && attempts(admin, "whisper", "server") == 2);

            AdminUi.signedIn(browser, app, SECRET);

            browser.awaitText("#fleet tbody tr[data-live='true']", "loaded", WAIT);
            assertThat(browser.script("return document.querySelectorAll('#fleet tbody tr').length")).isEqualTo(1L);
            assertThat(browser.text("#fleet tbody tr")).contains("live", "loaded");
            assertThat(browser.text("#fleet-ready")).contains("whisper ready", "1 of 1 instance live");

            browser.find("nav.tabs a[data-view='signals']").click();
            browser.awaitText("#signals-summary tr[data-provider='whisper'][data-source='client']",
                    String.valueOf(whisperAttempts), WAIT);
            assertThat(cell(browser, "#signals-summary tr[data-provider='webspeech'][data-source='client']", "attempts"))
                    .isEqualTo(String.valueOf(webspeechAttempts));
            assertThat(cell(browser, "#signals-summary tr[data-provider='whisper'][data-source='client']", "errorRate"))
                    .isEqualTo("12.50 %"); // 5 of 40

            browser.awaitText("#cohorts tbody tr[data-cohort]", "", WAIT);
            assertThat(browser.script("return [...document.querySelectorAll('#cohorts tbody tr[data-cohort]')]"
                    + ".map(r => r.dataset.cohort)"))
                    .as("worst first, by whisper's error rate").isEqualTo(List.of("firefox/de", "chrome/en", "safari/fr"));
            String firefox = "#cohorts tr[data-cohort='firefox/de']";
            assertThat(cell(browser, firefox, "whisper-attempts")).isEqualTo("10");
            assertThat(cell(browser, firefox, "whisper-error-rate")).startsWith("30.00 %");
            assertThat(cell(browser, firefox, "webspeech-attempts")).isEqualTo("10");
            assertThat(cell(browser, firefox, "webspeech-error-rate")).startsWith("10.00 %");
            assertThat(cell(browser, "#cohorts tr[data-cohort='chrome/en']", "webspeech-attempts")).isEqualTo("30");

            for (String metric : METRICS) {
                String chart = ".chart[data-metric='" + metric + "']";
                browser.await(WAIT, metric + " drawn with whisper's points",
                        d -> !browser.findAll(chart + " canvas").isEmpty()
                                && Integer.parseInt(browser.find(chart).getAttribute("data-whisper-points")) > 0);
                assertThat(browser.findAll(chart + " .u-legend tr.u-series")).as(metric + ": time and both providers at least")
                        .hasSizeGreaterThanOrEqualTo(3);
            }
            assertThat(Integer.parseInt(browser.find(".chart[data-metric='error_rate']").getAttribute("data-whisper-points")))
                    .as("one point a minute with attempts").isEqualTo(MINUTES);
            assertThat(Integer.parseInt(browser.find(".chart[data-metric='error_rate']").getAttribute("data-webspeech-points")))
                    .isEqualTo(MINUTES);
            assertThat(browser.text(".chart[data-metric='rtf'] .chart-note")).contains("No server data for webspeech");

            browser.awaitText("#signals-markers tr[data-action='advance']", "baseline seen, on to developers", WAIT);
            assertThat(browser.text("#signals-markers tr[data-action='advance']"))
                    .contains("ops", "'baseline' ACTIVE → 'developer-testing' ACTIVE", "(forced)");

            browser.screenshot("admin-signals");

            new Select(browser.find("#span-select")).selectByValue("6h");
            browser.awaitText("#signals-summary caption", "6 h", WAIT);
            browser.await(WAIT, "the 6 h chart in 5-minute steps",
                    d -> "300".equals(browser.find(".chart[data-metric='error_rate']").getAttribute("data-step")));
            // Five minutes of data in 5-minute steps aligned to the span's end: one step or two.
            assertThat(Integer.parseInt(browser.find(".chart[data-metric='error_rate']").getAttribute("data-whisper-points")))
                    .isBetween(1, 2);
            browser.awaitText("#cohorts caption", "6 h", WAIT);

            browser.driver().manage().window().setSize(new Dimension(375, 900));
            browser.await(WAIT, "the charts at 375 px", d -> {
                Number width = (Number) browser.script(
                        "return document.querySelector(\".chart[data-metric='p95'] .uplot\").getBoundingClientRect().right");
                return width.doubleValue() <= 375;
            });
            browser.screenshot("admin-signals-375");
            // The shell's page names no favicon, so Chromium's own request for /favicon.ico is a 404 (not this page's code).
            assertThat(browser.consoleErrors()).filteredOn(m -> !m.contains("/favicon.ico")).isEmpty();
        }
    }

    @Test
    void whilePostgresIsDownTheFleetTableStaysAsLastReadMarkedStaleAndIsLiveAgainOnceItIsBack(@TempDir Path postgresData) {
        TestClock clock = TestClock.atRoundTime();
        try (StoppablePostgres postgres = StoppablePostgres.started(postgresData);
             TestApp app = TestApp.builder().env("DATABASE_URL", postgres.url()).env("ADMIN_TOKEN", "ops:" + SECRET)
                     .clock(clock).start();
             Browser browser = Browser.start()) {
            AdminUi.signedIn(browser, app, SECRET);
            browser.awaitText("#fleet tbody tr[data-live='true']", "loaded", WAIT);

            postgres.stop();
            browser.awaitText("#fleet-note", "Stale", Duration.ofSeconds(30));
            assertThat(browser.script("return document.querySelectorAll('#fleet tbody tr[data-live]').length"))
                    .as("the last table kept").isEqualTo(1L);
            assertThat(browser.script("return document.getElementById('fleet').classList.contains('stale')")).isEqualTo(true);
            browser.screenshot("admin-fleet-stale");

            postgres.start();
            browser.await(Duration.ofSeconds(60), "the fleet read again",
                    d -> "".equals(browser.text("#fleet-note")) && browser.text("#fleet tbody").contains("live"));
            // Requests refused while PostgreSQL was down are logged by Chromium as failed loads; nothing else may be.
            assertThat(browser.consoleErrors()).filteredOn(m -> !m.contains("/favicon.ico") && !m.contains("status of 503"))
                    .isEmpty();
        }
    }

    /** Five minutes of client attempts for both providers in three cohorts, spread evenly, with one exposure each. */
    private static void sendClientEvents(TestApp app, TestClock clock) {
        for (int minute = 0; minute < MINUTES; minute++) {
            StringJoiner events = new StringJoiner(",");
            for (Cohort c : COHORTS) {
                addAttempts(events, minute, c, "whisper", c.whisper(), c.whisperErrors());
                addAttempts(events, minute, c, "webspeech", c.webspeech(), c.webspeechErrors());
            }
            HttpResponse<String> posted = app.post("/api/v1/events", "{\"events\":[" + events + "]}");
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
            clock.advance(Duration.ofMinutes(1));
        }
    }

    /** This minute's share of a cohort's attempts: attempt i goes to minute i % MINUTES; errors are the first ones. */
    private static void addAttempts(StringJoiner events, int minute, Cohort c, String provider, int attempts, int errors) {
        for (int i = minute; i < attempts; i += MINUTES) {
            String session = provider + "-" + c.browser() + "-" + c.language() + "-" + i;
            boolean error = i < errors;
            events.add("{\"type\":\"attempt\",\"sessionId\":\"" + session + "\",\"provider\":\"" + provider
                    + "\",\"outcome\":\"" + (error ? "error" : "ok") + "\",\"latencyMs\":" + (400 + 37 * i)
                    + ",\"audioMs\":3000" + (error ? ",\"errorCode\":\"network\"" : "") + ",\"browser\":\"" + c.browser()
                    + "\",\"language\":\"" + c.language() + "\"}");
            events.add("{\"type\":\"exposure\",\"sessionId\":\"" + session + "\",\"provider\":\"" + provider
                    + "\",\"reason\":\"SPLIT\"}");
        }
    }

    private static long attempts(AdminApi admin, String provider, String source) {
        return AdminApi.provider(admin.signals("1h"), provider, source).path("attempts").asLong();
    }

    /** A cell's text (the tables are redrawn on every refresh; {@link Browser#text} reads again if so). */
    private static String cell(Browser browser, String row, String field) {
        return browser.text(row + " [data-field='" + field + "']");
    }
}
