package dev.cutover.rollout;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What holds a phase and what advances it, on the fleet's signals in PostgreSQL: a sample-ratio mismatch holds and
 * notifies, the relative criterion compares whisper with webspeech in the same windows, and autopilot advances
 * only after an hour of PASS at every guard run, never past a manual phase.
 */
class GuardCriteriaTest {

    @Test
    void aSampleRatioMismatchAtTwentyFivePercentRefusesTheAdvanceNamingItAndNotifiesWithoutRollingBack() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            GuardHarness guard = new GuardHarness(clock, app);
            RolloutApi rollout = guard.rollout();
            guard.toCanary();
            rollout.ok("advance", true);
            assertThat(rollout.state().at("/phase/name").asText()).isEqualTo("25");
            guard.exposures(200, 1_800); // 10 % of split sessions on whisper where 25 % should be
            guard.attempts("whisper", 100, 0, 700);
            guard.attempts("webspeech", 900, 4, 900);
            List<JsonNode> runs = guard.runUntil(2, e -> e.path("outcome").asText().equals("notify"));
            assertThat(GuardHarness.rule(runs.get(runs.size() - 1), "srm", null).at("/verdict/verdict").asText())
                    .isEqualTo("FAIL");

            clock.advance(Duration.ofHours(1));
            HttpResponse<String> refused = rollout.transition("advance", rollout.version(), "looks fine", false);
            assertThat(refused.statusCode()).isEqualTo(409);
            List<String> unmet = new ArrayList<>();
            json(refused).path("unmet").forEach(u -> unmet.add(u.asText()));
            assertThat(unmet).anyMatch(u -> u.startsWith("criteria[") && u.contains("srm") && u.contains("FAIL"));
            assertThat(rollout.state().path("status").asText()).isEqualTo("ACTIVE");
            assertThat(rollout.count("SELECT count(*) FROM notification_outbox WHERE kind = 'rollout.alert' "
                    + "AND payload->>'text' LIKE '%srm%'")).isEqualTo(1);
            assertThat(rollout.count("SELECT count(*) FROM audit_log WHERE action = 'rollout.rollback'")).isZero();
        }
    }

    @Test
    void theRelativeCriterionPassesWhisperAtTwoPercentAgainstWebspeechAtOnePointEightAndFailsItAgainstHalfAPercent() {
        assertThat(relativeCriterion(720)).isEqualTo("PASS"); // 720 of 40,000 webspeech attempts: 1.8 %
        assertThat(relativeCriterion(200)).isEqualTo("FAIL"); // 200 of 40,000: 0.5 %
    }

    /** Whisper at 2 % of 20,000 attempts at canary against webspeech's {@code webspeechErrors} of 40,000. */
    private static String relativeCriterion(int webspeechErrors) {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            GuardHarness guard = new GuardHarness(clock, app);
            guard.toCanary();
            guard.attempts("whisper", 20_000, 400, 700);
            guard.attempts("webspeech", 40_000, webspeechErrors, 900);
            clock.advance(GuardHarness.INTERVAL);
            Eventually.await(Duration.ofSeconds(20), "every webspeech attempt counted",
                    () -> webspeechAttempts(guard.rollout()) == 40_000);
            JsonNode criterion = Eventually.await(Duration.ofSeconds(20), "every attempt counted",
                    () -> relative(guard.rollout().state()),
                    c -> c.at("/verdict/samples").asLong() == 20_000);
            double difference = 0.02 - webspeechErrors / 40_000.0;
            assertThat(criterion.at("/verdict/value").asDouble()).isBetween(difference - 1e-9, difference + 1e-9);
            return criterion.at("/verdict/verdict").asText();
        }
    }

    private static long webspeechAttempts(RolloutApi rollout) {
        return AdminApi.provider(rollout.admin().signals("1h"), "webspeech", "client").path("attempts").asLong();
    }

    private static JsonNode relative(JsonNode view) {
        for (JsonNode c : view.path("criteria")) {
            if (c.at("/criterion/metric").asText().equals("error_rate")
                    && c.at("/criterion/comparison").asText().equals("RELATIVE_TO_WEBSPEECH")) {
                return c;
            }
        }
        throw new AssertionError("no relative criterion in " + view);
    }

    private static final String AUTOPILOT_PLAN = """
            {"autopilot": true, "phases": [
              {"name": "small", "whisperPercent": 10, "minimumSoak": "2h", "manual": false,
               "criteria": [{"metric": "exposures", "provider": "whisper", "source": "client",
                             "comparison": "ABSOLUTE", "direction": "ABOVE", "threshold": 5, "window": "24h",
                             "minSamples": 0}],
               "rules": []},
              {"name": "half", "whisperPercent": 50, "minimumSoak": "30m", "manual": true, "criteria": [],
               "rules": []},
              {"name": "full", "whisperPercent": 100, "minimumSoak": "0s", "manual": true, "criteria": [],
               "rules": []}]}
            """;

    @Test
    void autopilotAdvancesAfterTheSoakAndAnHourOfPassAtEveryRunButNeverPastAManualPhase() {
        TestClock clock = TestClock.atRoundTime();
        Duration interval = Duration.ofMinutes(5);
        try (TestApp app = TestApp.builder().env("ADMIN_TOKEN", "ops:" + RolloutApi.ADMIN)
                .env("EVENTS_RATE_LIMIT", "0").env("GUARD_INTERVAL", "5m").clock(clock).start()) {
            GuardHarness guard = new GuardHarness(clock, interval, app);
            RolloutApi rollout = guard.rollout();
            java.time.Instant entered = clock.instant();
            HttpResponse<String> saved = rollout.putPlan(AUTOPILOT_PLAN, 1);
            assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
            guard.exposures(3, 27);
            JsonNode early = guard.run();
            assertThat(early.path("criteria").isNull()).as("not judged before the soak's last hour").isTrue();

            clock.advance(Duration.ofMinutes(55)); // 1 h in phase: the soak's last hour starts
            JsonNode failing = guard.run();
            assertThat(failing.at("/criteria/0/verdict/verdict").asText()).as("3 of 5 exposures").isNotEqualTo("PASS");
            guard.exposures(3, 27);
            for (int i = 0; i < 4; i++) {
                assertThat(guard.run().path("outcome").asText()).isEqualTo("ok");
            }
            // From here every run is PASS; the soak ends at 2 h, but the hour of PASS only at about 2 h 25 min.
            List<JsonNode> runs = guard.runUntil(16, e -> e.path("outcome").asText().equals("advance"));
            JsonNode advanced = runs.get(runs.size() - 1);
            JsonNode state = rollout.state();
            assertThat(state.at("/phase/name").asText()).isEqualTo("half");
            assertThat(Duration.between(entered, java.time.Instant.parse(advanced.path("at").asText())))
                    .as("the soak").isGreaterThanOrEqualTo(Duration.ofHours(2));
            JsonNode audited = rollout.audit().get(0);
            assertThat(audited.path("action").asText()).isEqualTo("rollout.advance");
            assertThat(audited.path("actor").asText()).isEqualTo("autopilot");
            assertThat(audited.at("/after/forced").asBoolean()).isFalse();

            for (int i = 0; i < 12; i++) {
                guard.run(); // an hour at the manual phase, soak long elapsed
            }
            assertThat(rollout.state().at("/phase/name").asText()).as("never past a manual phase").isEqualTo("half");
            assertThat(rollout.count("SELECT count(*) FROM audit_log WHERE actor = 'autopilot'")).isEqualTo(1);
        }
    }
}
