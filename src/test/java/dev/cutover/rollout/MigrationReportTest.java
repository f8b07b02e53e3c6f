package dev.cutover.rollout;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import dev.cutover.testing.Uploads;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 item 9: {@code GET /api/v1/rollout/report} on real data — client events through {@code POST /api/v1/events},
 * real transcriptions (cache hits included), forced transitions and a rollback — with time moved by the injected
 * clock: each runbook criterion measured and judged, {@code ready} only after 7 days at 100 % without a rollback, and
 * the phase history with its exposures and verdicts at exit.
 */
class MigrationReportTest {
    private static final String REPORT = RolloutApi.ROLLOUT + "/report";
    private static final int WHISPER_ATTEMPTS = 600;
    private static final int TRANSCRIPTIONS = 505;

    @Test
    void theReportJudgesTheRunbooksCriteriaAtFullAndIsReadyOnlyAfterAWeekThereWithoutRollbacks() {
        TestClock clock = TestClock.atRoundTime();
        Instant started = clock.instant();
        try (TestApp app = RolloutApi.start(clock)) {
            RolloutApi rollout = RolloutApi.of(app);
            assertThat(app.get(REPORT).statusCode()).isEqualTo(401);

            JsonNode fresh = report(rollout);
            assertThat(fresh.path("ready").asBoolean()).isFalse();
            assertThat(fresh.path("atFullSince").isNull()).isTrue();
            assertThat(fresh.path("reasons").get(0).asText()).startsWith("not at 100 %");
            assertThat(criterion(fresh, "availability").path("verdict").asText()).isEqualTo("NO_DATA");
            assertThat(criterion(fresh, "availability").path("value").isNull()).as("no value out of nothing").isTrue();
            assertThat(criterion(fresh, "no rollbacks").path("verdict").asText()).isEqualTo("INCONCLUSIVE");
            assertThat(fresh.path("phases")).hasSize(1);
            assertThat(fresh.at("/phases/0/enteredBy").asText()).isEqualTo("system");

            // baseline -> developer-testing -> canary, forced; at canary 30 + 270 split exposures, then a rollback.
            advanceAfter(rollout, clock, Duration.ofHours(1));
            advanceAfter(rollout, clock, Duration.ofHours(1));
            clock.advance(Duration.ofMinutes(10));
            StringJoiner exposures = new StringJoiner(",");
            for (int i = 0; i < 300; i++) {
                exposures.add("{\"type\":\"exposure\",\"sessionId\":\"e-" + i + "\",\"provider\":\""
                        + (i % 10 == 0 ? "whisper" : "webspeech") + "\",\"reason\":\"SPLIT\"}");
                if (i % 100 == 99) {
                    post(app, exposures.toString());
                    exposures = new StringJoiner(",");
                }
            }
            clock.advance(Duration.ofMinutes(10));
            rollout.ok("rollback", false);
            rollout.ok("resume", false);
            rollout.ok("resume", false);
            for (int i = 0; i < 4; i++) {
                advanceAfter(rollout, clock, Duration.ofHours(1)); // 25, 50, 75, full
            }
            Instant atFull = clock.instant();

            // An hour at 100 %: 600 healthy whisper attempts from browsers, 505 transcriptions of one clip.
            clock.advance(Duration.ofHours(1));
            List<String> attempts = new ArrayList<>();
            for (int i = 0; i < WHISPER_ATTEMPTS; i++) {
                attempts.add("{\"type\":\"attempt\",\"sessionId\":\"w-" + i + "\",\"provider\":\"whisper\","
                        + "\"outcome\":\"ok\",\"latencyMs\":" + (600 + i % 400) + ",\"audioMs\":3000}");
            }
            for (int i = 0; i < attempts.size(); i += 100) {
                post(app, String.join(",", attempts.subList(i, i + 100)));
            }
            byte[] clip = Uploads.freshWav(1.0);
            for (int i = 0; i < TRANSCRIPTIONS; i++) {
                HttpResponse<String> transcribed = Uploads.transcribe(app, clip);
                assertThat(transcribed.statusCode()).as(transcribed.body()).isEqualTo(200);
            }
            clock.advance(Duration.ofSeconds(20));
            JsonNode early = Eventually.await(Duration.ofSeconds(10), "the windows flushed", () -> report(rollout),
                    r -> criterion(r, "availability").path("samples").asLong() == TRANSCRIPTIONS
                            && criterion(r, "error rate").path("samples").asLong() == WHISPER_ATTEMPTS);

            assertThat(early.path("phase").asText()).isEqualTo("full");
            assertThat(Instant.parse(early.path("atFullSince").asText())).isEqualTo(atFull);
            assertThat(Instant.parse(early.path("from").asText())).isEqualTo(atFull);
            assertThat(early.path("ready").asBoolean()).isFalse();
            assertThat(early.path("reasons").toString()).contains("less than 7 days", "no rollbacks for a week: FAIL");
            JsonNode availability = criterion(early, "availability");
            assertThat(availability.path("verdict").asText()).isEqualTo("PASS");
            assertThat(availability.path("value").asDouble()).isEqualTo(1.0);
            assertThat(availability.path("threshold").asDouble()).isEqualTo(0.95);
            assertThat(availability.path("lower").asDouble()).isGreaterThan(0.95);
            JsonNode latency = criterion(early, "P95");
            assertThat(latency.path("verdict").asText()).isEqualTo("PASS");
            assertThat(latency.path("value").asDouble()).isEqualTo(0.0);
            assertThat(latency.at("/detail/p95Ms").asLong()).isBetween(900L, 1_000L);
            JsonNode errors = criterion(early, "error rate");
            assertThat(errors.path("verdict").asText()).isEqualTo("PASS");
            assertThat(errors.path("value").asDouble()).isEqualTo(0.0);
            JsonNode cache = criterion(early, "cache hit");
            assertThat(cache.path("verdict").asText()).isEqualTo("PASS");
            assertThat(cache.path("value").asDouble()).isCloseTo((TRANSCRIPTIONS - 1) / (double) TRANSCRIPTIONS,
                    within(1e-9));
            JsonNode rollbacks = criterion(early, "no rollbacks");
            assertThat(rollbacks.path("verdict").asText()).isEqualTo("FAIL");
            assertThat(rollbacks.path("value").asDouble()).isEqualTo(1.0);
            assertThat(rollbacks.at("/detail/rollbacks/0/reason").asText()).isEqualTo("test: rollback");

            JsonNode phases = early.path("phases");
            assertThat(phases).hasSize(7);
            List<String> names = new ArrayList<>();
            phases.forEach(p -> names.add(p.path("name").asText()));
            assertThat(names).containsExactly("baseline", "developer-testing", "canary", "25", "50", "75", "full");
            JsonNode canary = phases.get(2);
            assertThat(canary.path("whisperPercent").decimalValue()).isEqualByComparingTo("10");
            assertThat(canary.path("forced").asBoolean()).isTrue();
            assertThat(canary.path("enteredBy").asText()).isEqualTo(phases.get(1).path("enteredBy").asText());
            assertThat(canary.at("/exposures/whisper").asLong()).isEqualTo(30);
            assertThat(canary.at("/exposures/webspeech").asLong()).isEqualTo(270);
            assertThat(canary.path("rollbacks")).hasSize(1);
            assertThat(canary.path("seconds").asLong()).isEqualTo(80 * 60);
            JsonNode exit = canary.path("exit");
            assertThat(exit.path("forced").asBoolean()).isTrue();
            assertThat(Instant.parse(exit.path("at").asText())).isEqualTo(Instant.parse(canary.path("leftAt").asText()));
            assertThat(exit.path("criteria")).hasSize(RolloutPlan.defaultPlan().phase(2).criteria().size());
            assertThat(exit.path("criteria").toString()).contains("\"verdict\":\"NO_DATA\"");
            assertThat(exit.path("unmet")).isNotEmpty();
            assertThat(phases.get(6).path("leftAt").isNull()).isTrue();
            assertThat(phases.get(6).path("exit").isNull()).isTrue();
            assertThat(phases.get(1).at("/exposures/whisper").asLong()).isZero();

            // The hour's rollup is computed, then a week passes: the windows are pruned, the rollups remain.
            clock.advance(Duration.ofMinutes(2));
            Eventually.await(Duration.ofSeconds(10), "the hourly rollup", () -> rollupAttempts(rollout) == WHISPER_ATTEMPTS);
            clock.set(atFull.plus(Duration.ofDays(7)).plus(Duration.ofMinutes(5)));
            JsonNode week = Eventually.await(Duration.ofSeconds(10), "a week at 100 %", () -> report(rollout),
                    r -> r.path("ready").asBoolean());

            assertThat(week.path("reasons")).isEmpty();
            assertThat(week.path("secondsAtFull").asLong()).isGreaterThanOrEqualTo(7 * 24 * 3600);
            assertThat(Instant.parse(week.path("from").asText())).isAfter(atFull);
            for (JsonNode c : week.path("criteria")) {
                assertThat(c.path("verdict").asText()).as(c.toString()).isEqualTo("PASS");
            }
            assertThat(criterion(week, "error rate").path("samples").asLong()).isEqualTo(WHISPER_ATTEMPTS);
            assertThat(criterion(week, "availability").path("samples").asLong()).isEqualTo(TRANSCRIPTIONS);
            assertThat(criterion(week, "no rollbacks").path("value").asDouble()).isZero();
            assertThat(started).isBefore(atFull);
        }
    }

    private static void advanceAfter(RolloutApi rollout, TestClock clock, Duration wait) {
        clock.advance(wait);
        rollout.ok("advance", true);
    }

    private static void post(TestApp app, String events) {
        HttpResponse<String> posted = app.post("/api/v1/events", "{\"events\": [" + events + "]}");
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
    }

    private static JsonNode report(RolloutApi rollout) {
        HttpResponse<String> response = rollout.admin().get(REPORT);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private static JsonNode criterion(JsonNode report, String prefix) {
        for (JsonNode c : report.path("criteria")) {
            if (c.path("name").asText().startsWith(prefix)) {
                return c;
            }
        }
        throw new AssertionError("no criterion " + prefix + " in " + report);
    }

    /** Whisper's client attempts in the hourly rollups alone (a series over more than 48 h reads nothing else). */
    private static long rollupAttempts(RolloutApi rollout) {
        long total = 0;
        for (JsonNode p : json(rollout.admin().get("/api/v1/signals/series?metric=attempts&provider=whisper"
                + "&source=client&span=7d&step=1h")).path("points")) {
            total += p.path("value").asLong();
        }
        return total;
    }
}
