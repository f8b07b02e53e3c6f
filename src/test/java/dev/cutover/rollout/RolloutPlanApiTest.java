package dev.cutover.rollout;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/** The plan API: validation listing every problem, optimistic versions, the flag following the current phase, restart. */
class RolloutPlanApiTest {

    @Test
    void anInvalidPlanIsRefusedListingEveryProblemAndAStaleVersionIsAConflict() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            RolloutApi rollout = RolloutApi.of(app);
            JsonNode plan = json(rollout.admin().get(RolloutApi.ROLLOUT + "/plan"));
            assertThat(plan.path("planVersion").asLong()).isEqualTo(1);
            assertThat(plan.at("/plan/phases").size()).isEqualTo(7);

            ObjectNode broken = plan.path("plan").deepCopy();
            ArrayNode phases = (ArrayNode) broken.path("phases");
            ((ObjectNode) phases.get(3)).put("whisperPercent", 5);
            ((ObjectNode) phases.get(4)).put("minimumSoak", -60);
            ((ObjectNode) phases.get(2).path("criteria").get(0)).put("metric", "happiness");
            HttpResponse<String> refused = rollout.putPlan(broken.toString(), 1);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
            JsonNode error = json(refused);
            assertThat(error.path("error").asText()).isEqualTo("invalid_plan");
            List<String> problems = new ArrayList<>();
            error.path("problems").forEach(p -> problems.add(p.asText()));
            assertThat(problems).anyMatch(p -> p.startsWith("phases[3].whisperPercent"))
                    .anyMatch(p -> p.startsWith("phases[4].minimumSoak"))
                    .anyMatch(p -> p.startsWith("phases[2].criteria[0].metric"));

            HttpResponse<String> unreadable = rollout.putPlan("{\"phases\": [{\"minimumSoak\": \"soon\"}]}", 1);
            assertThat(unreadable.statusCode()).isEqualTo(400);
            assertThat(json(unreadable).path("problems").size()).isEqualTo(1);

            HttpResponse<String> stale = rollout.putPlan(plan.path("plan").toString(), 7);
            assertThat(stale.statusCode()).isEqualTo(409);
            assertThat(json(stale).path("error").asText()).isEqualTo("version_conflict");
            assertThat(json(stale).path("currentVersion").asLong()).isEqualTo(1);
            assertThat(json(rollout.admin().get(RolloutApi.ROLLOUT + "/plan")).path("planVersion").asLong()).isEqualTo(1);
            assertThat(rollout.count("SELECT count(*) FROM audit_log WHERE action = 'rollout.plan'")).isZero();
        }
    }

    @Test
    void editingTheCurrentPhasesPercentageMovesTheFlagInTheSameWrite() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            RolloutApi rollout = RolloutApi.of(app);
            rollout.ok("advance", true);
            rollout.ok("advance", true);
            assertThat(rollout.flag().path("percentage").decimalValue()).isEqualByComparingTo("10");
            JsonNode plan = json(rollout.admin().get(RolloutApi.ROLLOUT + "/plan"));
            ObjectNode edited = plan.path("plan").deepCopy();
            ((ObjectNode) edited.path("phases").get(2)).put("whisperPercent", 15);

            HttpResponse<String> saved = rollout.putPlan(edited.toString(), plan.path("planVersion").asLong());
            assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
            assertThat(json(saved).path("planVersion").asLong()).isEqualTo(2);
            assertThat(rollout.flag().path("percentage").decimalValue()).isEqualByComparingTo("15");
            JsonNode state = rollout.state();
            assertThat(state.at("/phase/whisperPercent").decimalValue()).isEqualByComparingTo("15");
            JsonNode audited = rollout.audit().get(0);
            assertThat(audited.path("action").asText()).isEqualTo("rollout.plan");
            assertThat(audited.at("/after/planVersion").asLong()).isEqualTo(2);

            // A later phase's percentage leaves the flag where it is.
            ((ObjectNode) edited.path("phases").get(3)).put("whisperPercent", 30);
            assertThat(rollout.putPlan(edited.toString(), 2).statusCode()).isEqualTo(200);
            assertThat(rollout.flag().path("percentage").decimalValue()).isEqualByComparingTo("15");
        }
    }

    @Test
    void aCriterionPassesOnTheFleetsSignalsSinceThePhaseWasEntered() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            RolloutApi rollout = RolloutApi.of(app);
            String plan = """
                    {"phases": [
                      {"name": "try", "whisperPercent": 0, "minimumSoak": "1m", "manual": false, "rules": [],
                       "criteria": [{"metric": "attempts", "provider": "whisper", "source": "client",
                                     "comparison": "ABSOLUTE", "direction": "ABOVE", "threshold": 5, "window": "1h",
                                     "minSamples": 0}]},
                      {"name": "all", "whisperPercent": 100, "minimumSoak": "0s", "manual": true, "criteria": [], "rules": []}
                    ], "autopilot": false}""";
            assertThat(rollout.putPlan(plan, 1).statusCode()).isEqualTo(200);
            clock.advance(Duration.ofMinutes(2));
            JsonNode waiting = rollout.state();
            assertThat(waiting.path("canAdvance").asBoolean()).isFalse();
            assertThat(waiting.at("/criteria/0/verdict/verdict").asText()).isEqualTo("INCONCLUSIVE");

            StringJoiner events = new StringJoiner(",");
            for (int i = 0; i < 5; i++) {
                events.add("{\"type\":\"attempt\",\"sessionId\":\"dev-" + i + "\",\"provider\":\"whisper\","
                        + "\"outcome\":\"ok\",\"latencyMs\":400,\"audioMs\":2000}");
            }
            HttpResponse<String> posted = app.send(HttpRequest.newBuilder(app.uri("/api/v1/events"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"events\":[" + events + "]}")).build());
            assertThat(posted.statusCode()).isEqualTo(202);
            clock.advance(Duration.ofSeconds(20)); // the window closes and is flushed
            JsonNode ready = Eventually.await(Duration.ofSeconds(10), "the attempts counted", rollout::state,
                    s -> s.path("canAdvance").asBoolean());
            assertThat(ready.at("/criteria/0/verdict/verdict").asText()).isEqualTo("PASS");
            assertThat(ready.at("/criteria/0/verdict/value").asLong()).isEqualTo(5);
            assertThat(rollout.ok("advance", false).at("/phase/name").asText()).isEqualTo("all");
        }
    }

    @Test
    void aRestartKeepsThePlanAndTheState() {
        TestClock clock = TestClock.atRoundTime();
        JsonNode before;
        TestApp app = RolloutApi.start(clock);
        try {
            RolloutApi rollout = RolloutApi.of(app);
            rollout.ok("advance", true);
            rollout.ok("advance", true);
            JsonNode plan = json(rollout.admin().get(RolloutApi.ROLLOUT + "/plan"));
            ObjectNode edited = plan.path("plan").deepCopy();
            ((ObjectNode) edited.path("phases").get(2)).put("minimumSoak", "36h");
            assertThat(rollout.putPlan(edited.toString(), 1).statusCode()).isEqualTo(200);
            rollout.ok("pause", false);
            before = rollout.state();
        } finally {
            app.close();
        }
        try (TestApp restarted = TestApp.builder().env(app.env()).env("PORT", "0").clock(clock).start()) {
            JsonNode after = RolloutApi.of(restarted).state();
            for (String field : List.of("/status", "/version", "/planVersion", "/phase", "/enteredAt", "/plan")) {
                assertThat(after.at(field)).as(field).isEqualTo(before.at(field));
            }
            assertThat(after.path("minimumSoakSeconds").asLong()).isEqualTo(36 * 3600);
            assertThat(RolloutApi.of(restarted).flag().path("status").asText()).isEqualTo("PAUSED");
        }
    }

    @Test
    void hostileNumbersInThePlanAreRefusedWithAShortMessageOrStoredInHundredths() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            RolloutApi rollout = RolloutApi.of(app);
            JsonNode plan = json(rollout.admin().get(RolloutApi.ROLLOUT + "/plan")).path("plan");
            long version = 1;
            for (String hostile : List.of("1e999999999", "-1e999999999", "123456789e-2147483000", "1e-999999",
                    "1E+2147483647", "12.3456789012345678901234567890123456789012345678901")) {
                String edited = plan.toString().replaceFirst("\"whisperPercent\":0", "\"whisperPercent\":" + hostile);
                HttpResponse<String> refused = rollout.putPlan(edited, version);
                assertThat(refused.statusCode()).as(hostile + ": " + refused.body()).isEqualTo(400);
                assertThat(refused.body().length()).as(hostile + ": a short message").isLessThan(4_000);
            }
            for (String threshold : List.of("1e999999999", "-1e999999999", "1e-999999")) {
                String edited = plan.toString().replaceFirst("\"threshold\":0.01", "\"threshold\":" + threshold);
                HttpResponse<String> refused = rollout.putPlan(edited, version);
                assertThat(refused.statusCode()).as(threshold + ": " + refused.body()).isEqualTo(400);
                assertThat(refused.body().length()).isLessThan(4_000);
            }
            String zero = plan.toString().replaceFirst("\"whisperPercent\":0", "\"whisperPercent\":0e-2147483647")
                    .replaceFirst("\"whisperPercent\":10", "\"whisperPercent\":1E+1");
            HttpResponse<String> saved = rollout.putPlan(zero, version);
            assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
            JsonNode phases = json(saved).at("/plan/phases");
            assertThat(phases.get(0).path("whisperPercent").decimalValue()).isEqualByComparingTo("0");
            assertThat(phases.get(2).path("whisperPercent").decimalValue()).isEqualByComparingTo("10");
            assertThat(rollout.count("SELECT count(*) FROM audit_log WHERE action = 'rollout.plan'")).isEqualTo(1);
        }
    }
}
