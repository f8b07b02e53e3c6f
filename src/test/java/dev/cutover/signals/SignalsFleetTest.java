package dev.cutover.signals;

import static dev.cutover.testing.AdminApi.provider;
import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/**
 * Signals merged over the fleet: two instances on one PostgreSQL, time moved by the injected clock. What the fleet
 * view counts must equal exactly what was sent, whichever instance received it.
 */
class SignalsFleetTest {
    static final String ADMIN = "signals-admin";
    private static final Duration FLUSHED = Duration.ofSeconds(20);

    @Test
    void eventsSpreadOverTwoInstancesAreCountedExactlyAndTheirPercentilesMatchTheRawLatencies() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp first = start(clock);
             TestApp second = TestApp.builder().env(first.env()).env("PORT", "0").clock(clock).start()) {
            Random random = new Random(42);
            List<Long> whisperLatencies = new ArrayList<>();
            long whisperFailures = 0;
            long whisperFallbacks = 0;
            long webspeechAttempts = 0;
            long exposuresWhisper = 0;
            for (int batch = 0; batch < 40; batch++) {
                StringJoiner events = new StringJoiner(",");
                for (int i = 0; i < 20; i++) {
                    String session = "s-" + batch + "-" + i;
                    if (i % 5 == 0) {
                        events.add(exposure(session, "whisper"));
                        exposuresWhisper++;
                        continue;
                    }
                    boolean whisper = i % 2 == 0;
                    long latency = (long) Math.abs(random.nextGaussian() * 900 + 1200);
                    String outcome = random.nextInt(25) == 0 ? "error" : random.nextInt(40) == 0 ? "fallback" : "ok";
                    if (!whisper && outcome.equals("fallback")) {
                        outcome = "ok";
                    }
                    events.add(attempt(session, whisper ? "whisper" : "webspeech", outcome, latency, 3000));
                    if (whisper) {
                        whisperLatencies.add(latency);
                        whisperFailures += outcome.equals("ok") ? 0 : 1;
                        whisperFallbacks += outcome.equals("fallback") ? 1 : 0;
                    } else {
                        webspeechAttempts++;
                    }
                }
                TestApp target = batch % 2 == 0 ? first : second;
                assertThat(postEvents(target, "{\"events\":[" + events + "]}").statusCode()).isEqualTo(202);
                clock.advance(Duration.ofMillis(700));
            }
            clock.advance(FLUSHED);
            long expectedWhisper = whisperLatencies.size();
            JsonNode whisper = Eventually.await(Duration.ofSeconds(10), "every event in the fleet view",
                    () -> provider(view(first, "15m"), "whisper", "client"), w -> w.path("attempts").asLong() == expectedWhisper);

            assertThat(whisper.path("failures").asLong()).isEqualTo(whisperFailures);
            assertThat(whisper.path("fallbacks").asLong()).isEqualTo(whisperFallbacks);
            assertThat(whisper.path("errorRate").asDouble()).isCloseTo(whisperFailures / (double) expectedWhisper, within(1e-9));
            JsonNode viewFromSecond = view(second, "15m");
            assertThat(provider(viewFromSecond, "webspeech", "client").path("attempts").asLong()).isEqualTo(webspeechAttempts);
            assertThat(viewFromSecond.at("/exposures/whisper").asLong()).isEqualTo(exposuresWhisper);
            Collections.sort(whisperLatencies);
            for (String p : List.of("p50", "p95", "p99")) {
                double percentile = Double.parseDouble(p.substring(1));
                long exact = whisperLatencies.get((int) Math.ceil(percentile / 100 * whisperLatencies.size()) - 1);
                // HdrHistogram with 2 significant digits: each value is within 1 % of its bucket.
                assertThat(whisper.at("/latencyMs/" + p).asDouble()).as(p).isCloseTo(exact, within(exact * 0.01 + 1));
            }
        }
    }

    @Test
    void theCohortTableByBrowserAndLanguageCountsEachPairForBothProvidersWorstFirst() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = start(clock)) {
            StringJoiner events = new StringJoiner(",");
            // chrome/en: whisper 1 error in 4, webspeech 0 in 2; firefox/de: whisper 3 in 3; safari/en: webspeech only.
            for (int i = 0; i < 4; i++) {
                events.add(cohortAttempt("ce" + i, "whisper", i == 0 ? "error" : "ok", "chrome", "en-US"));
            }
            events.add(cohortAttempt("cw0", "webspeech", "ok", "chrome", "en"));
            events.add(cohortAttempt("cw1", "webspeech", "ok", "chrome", "en"));
            for (int i = 0; i < 3; i++) {
                events.add(cohortAttempt("fd" + i, "whisper", "error", "firefox", "de-DE"));
            }
            events.add(cohortAttempt("se0", "webspeech", "ok", "safari", "en-GB"));
            assertThat(postEvents(app, "{\"events\":[" + events + "]}").statusCode()).isEqualTo(202);
            clock.advance(FLUSHED);

            JsonNode cohorts = Eventually.await(Duration.ofSeconds(10), "the cohort table",
                    () -> json(admin(app).get("/api/v1/signals?window=15m&by=cohort")).path("cohorts"), c -> c.size() == 4);
            List<String> rows = new ArrayList<>();
            cohorts.forEach(c -> rows.add(c.path("provider").asText() + " " + c.path("source").asText() + " "
                    + c.path("cohort").asText() + " " + c.path("failures").asLong() + "/" + c.path("attempts").asLong()));
            assertThat(rows).containsExactlyInAnyOrder("whisper client firefox/de 3/3", "whisper client chrome/en 1/4",
                    "webspeech client chrome/en 0/2", "webspeech client safari/en 0/1");
            assertThat(rows.subList(0, 2)).as("worst first")
                    .containsExactly("whisper client firefox/de 3/3", "whisper client chrome/en 1/4");
            assertThat(admin(app).get("/api/v1/signals?window=15m&by=os").statusCode()).isEqualTo(400);
        }
    }

    private static String cohortAttempt(String session, String provider, String outcome, String browser, String language) {
        String attempt = attempt(session, provider, outcome, 400, 2000);
        return attempt.substring(0, attempt.length() - 1) + ",\"browser\":\"" + browser + "\",\"language\":\"" + language + "\"}";
    }

    @Test
    void anEventAt9999MillisecondsAndOneAtTenSecondsLandInDifferentWindows() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = start(clock)) {
            Instant window = Signals.windowOf(clock.instant()).plus(Duration.ofMinutes(1));
            clock.set(window.plusMillis(9_999));
            postEvents(app, "{\"events\":[" + attempt("a", "whisper", "ok", 100, 1000) + "]}");
            clock.set(window.plusMillis(10_000));
            postEvents(app, "{\"events\":[" + attempt("b", "whisper", "ok", 100, 1000) + "," + attempt("c", "whisper", "ok", 100, 1000) + "]}");
            clock.advance(FLUSHED);

            JsonNode points = Eventually.await(Duration.ofSeconds(10), "both windows flushed",
                    () -> json(admin(app).get("/api/v1/signals/series?metric=attempts&provider=whisper&source=client&span=1m&step=10s")).path("points"),
                    p -> sum(p) == 3);
            List<Long> counts = new ArrayList<>();
            List<String> starts = new ArrayList<>();
            points.forEach(p -> {
                if (p.path("value").asLong() > 0) {
                    counts.add(p.path("value").asLong());
                    starts.add(p.path("at").asText());
                }
            });
            assertThat(counts).containsExactly(1L, 2L);
            assertThat(starts).containsExactly(window.toString(), window.plusSeconds(10).toString());
        }
    }

    @Test
    void windowsOlderThanTheirRetentionArePrunedAndTheHourlyRollupOutlivesThem() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = start(clock)) {
            postEvents(app, "{\"events\":[" + attempt("r", "whisper", "error", 300, 1000) + "]}");
            clock.advance(FLUSHED);
            Eventually.await(Duration.ofSeconds(10), "the window flushed", () -> attempts(app, "1h") == 1);
            clock.advance(Duration.ofMinutes(2)); // the rollup of that hour is computed
            Eventually.await(Duration.ofSeconds(10), "the hourly rollup", () -> rollupAttempts(app) == 1);

            clock.advance(Duration.ofHours(49));
            Eventually.await(Duration.ofSeconds(10), "the 10-second window pruned after 48 h",
                    () -> json(admin(app).get("/api/v1/signals/series?metric=attempts&provider=whisper&source=client&span=48h&step=1h"))
                            .path("points").findValues("value").stream().mapToLong(JsonNode::asLong).sum() == 0);
            assertThat(rollupAttempts(app)).as("the rollup is kept 90 days").isEqualTo(1);

            clock.advance(Duration.ofDays(91));
            Eventually.await(Duration.ofSeconds(10), "the rollup pruned after 90 days", () -> rollupAttempts(app) == 0 && attempts(app, "90d") == 0);
        }
    }

    @Test
    void heartbeatsListEveryInstanceLiveOrStaleAndWhisperIsReadyWhileOneLiveInstanceHasTheModel() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp first = start(clock)) {
            TestApp second = TestApp.builder().env(first.env()).env("PORT", "0").clock(clock).start();
            Eventually.await(Duration.ofSeconds(10), "both instances heartbeat",
                    () -> json(admin(first).get("/api/v1/instances")).path("instances").size() == 2);
            JsonNode both = json(admin(first).get("/api/v1/instances"));
            assertThat(both.path("whisperReady").asBoolean()).isTrue();
            both.path("instances").forEach(i -> {
                assertThat(i.path("live").asBoolean()).isTrue();
                assertThat(i.path("modelLoaded").asBoolean()).isTrue();
                assertThat(i.path("version").asText()).isNotBlank();
            });

            second.close();
            clock.advance(Duration.ofSeconds(20));
            JsonNode after = Eventually.await(Duration.ofSeconds(10), "the stopped instance stale, the other live",
                    () -> json(admin(first).get("/api/v1/instances")),
                    v -> v.path("instances").findValues("live").stream().filter(JsonNode::asBoolean).count() == 1);
            assertThat(after.path("instances")).hasSize(2);
            assertThat(after.path("whisperReady").asBoolean()).isTrue();
        }
    }

    @Test
    void aGracefulRestartOfEveryInstanceKeepsWindowsRollupsAndHeartbeats() {
        TestClock clock = TestClock.atRoundTime();
        TestApp first = start(clock);
        TestApp second = TestApp.builder().env(first.env()).env("PORT", "0").clock(clock).start();
        java.util.Map<String, String> env = first.env();
        try {
            postEvents(first, "{\"events\":[" + attempt("k1", "whisper", "ok", 100, 1000) + "," + exposure("k1", "whisper") + "]}");
            clock.advance(FLUSHED);
            Eventually.await(Duration.ofSeconds(10), "the first window flushed", () -> attempts(first, "1h") == 1);
            clock.advance(Duration.ofMinutes(2)); // an hourly rollup is computed
            Eventually.await(Duration.ofSeconds(10), "the rollup", () -> attempts(first, "7d") == 1);
            // These stay in each instance's open window until the graceful stop flushes it.
            postEvents(first, "{\"events\":[" + attempt("k2", "whisper", "error", 100, 1000) + "]}");
            postEvents(second, "{\"events\":[" + attempt("k3", "webspeech", "ok", 100, 1000) + "]}");
        } finally {
            first.close();
            second.close();
        }
        try (TestApp again = TestApp.builder().env(env).env("PORT", "0").clock(clock).start();
             TestApp alsoAgain = TestApp.builder().env(env).env("PORT", "0").clock(clock).start()) {
            assertThat(attempts(again, "1h")).as("every window, the open ones included").isEqualTo(3);
            assertThat(provider(view(alsoAgain, "1h"), "whisper", "client").path("failures").asLong()).isEqualTo(1);
            assertThat(view(again, "1h").at("/exposures/whisper").asLong()).isEqualTo(1);
            assertThat(rollupAttempts(again)).as("the rollup written before the restart").isGreaterThanOrEqualTo(1);
            clock.advance(Duration.ofMinutes(2));
            Eventually.await(Duration.ofSeconds(10), "the rollup recomputed with the flushed windows", () -> rollupAttempts(again) == 3);
            JsonNode instances = Eventually.await(Duration.ofSeconds(10), "the two old instances stale, the two new live",
                    () -> json(admin(again).get("/api/v1/instances")).path("instances"),
                    i -> i.size() == 4 && i.findValues("live").stream().filter(JsonNode::asBoolean).count() == 2);
            assertThat(instances.findValues("modelLoaded").stream().allMatch(JsonNode::asBoolean)).isTrue();
        }
    }

    @Test
    void theSampleRatioCheckComparesSplitExposuresWithTheCurrentPercentage() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = TestApp.builder().env("ADMIN_TOKEN", "ops:" + ADMIN).env("EVENTS_RATE_LIMIT", "0").clock(clock).start()) {
            assertThat(admin(app).setPercentage("50").statusCode()).isEqualTo(200);
            sendExposures(app, "even", 5_000, 5_000, "SPLIT");
            sendExposures(app, "overrides", 400, 0, "ALLOWLIST"); // not part of the split: must not skew it
            clock.advance(FLUSHED);
            JsonNode even = Eventually.await(Duration.ofSeconds(15), "the exposures flushed",
                    () -> view(app, "5m").path("exposures"), e -> e.path("whisper").asLong() == 5_400
                            && e.path("webspeech").asLong() == 5_000);
            assertThat(even.path("expectedWhisperShare").asDouble()).isEqualTo(0.5);
            assertThat(even.path("srmPValue").asDouble()).isGreaterThan(0.99);

            clock.advance(Duration.ofMinutes(10));
            sendExposures(app, "skewed", 4_700, 5_300, "SPLIT");
            clock.advance(FLUSHED);
            JsonNode skewed = Eventually.await(Duration.ofSeconds(15), "the skewed exposures flushed",
                    () -> view(app, "5m").path("exposures"), e -> e.path("whisper").asLong() == 4_700
                            && e.path("webspeech").asLong() == 5_300);
            assertThat(skewed.path("srmPValue").asDouble()).isLessThan(0.001);
        }
    }

    private static void sendExposures(TestApp app, String prefix, int whisper, int webspeech, String reason) {
        StringJoiner batch = new StringJoiner(",");
        int inBatch = 0;
        for (int i = 0; i < whisper + webspeech; i++) {
            String provider = i < whisper ? "whisper" : "webspeech";
            batch.add("{\"type\":\"exposure\",\"sessionId\":\"" + prefix + i + "\",\"provider\":\"" + provider
                    + "\",\"reason\":\"" + reason + "\"}");
            if (++inBatch == 100 || i == whisper + webspeech - 1) {
                assertThat(postEvents(app, "{\"events\":[" + batch + "]}").statusCode()).isEqualTo(202);
                batch = new StringJoiner(",");
                inBatch = 0;
            }
        }
    }

    // --- fixtures shared by the signal tests ---

    static TestApp start(TestClock clock) {
        return TestApp.builder().env("ADMIN_TOKEN", "ops:" + ADMIN).clock(clock).start();
    }

    static AdminApi admin(TestApp app) {
        return new AdminApi(app, ADMIN);
    }

    static HttpResponse<String> postEvents(TestApp app, String body) {
        return app.send(HttpRequest.newBuilder(app.uri("/api/v1/events")).header("Content-Type", "application/json")
                .header("User-Agent", "Mozilla/5.0 Chrome/131.0 Safari/537.36").header("Accept-Language", "en-GB,en")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static String attempt(String session, String provider, String outcome, long latencyMs, long audioMs) {
        return "{\"type\":\"attempt\",\"sessionId\":\"" + session + "\",\"provider\":\"" + provider + "\",\"outcome\":\""
                + outcome + "\",\"latencyMs\":" + latencyMs + ",\"audioMs\":" + audioMs
                + (outcome.equals("ok") ? "" : ",\"errorCode\":\"network\"") + "}";
    }

    static String exposure(String session, String provider) {
        return "{\"type\":\"exposure\",\"sessionId\":\"" + session + "\",\"provider\":\"" + provider + "\",\"reason\":\"SPLIT\"}";
    }

    static JsonNode view(TestApp app, String window) {
        HttpResponse<String> response = admin(app).get("/api/v1/signals?window=" + window);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    static long attempts(TestApp app, String window) {
        JsonNode view = view(app, window);
        long total = 0;
        for (JsonNode p : view.path("providers")) {
            total += p.path("attempts").asLong();
        }
        return total;
    }

    /** Attempts in the hourly rollups alone (a series over more than 48 h reads nothing else). */
    static long rollupAttempts(TestApp app) {
        long total = 0;
        for (String provider : List.of("whisper", "webspeech")) {
            total += sum(json(admin(app).get("/api/v1/signals/series?metric=attempts&provider=" + provider
                    + "&source=client&span=7d&step=1h")).path("points"));
        }
        return total;
    }

    private static long sum(JsonNode points) {
        long total = 0;
        for (JsonNode p : points) {
            total += p.path("value").asLong();
        }
        return total;
    }
}
