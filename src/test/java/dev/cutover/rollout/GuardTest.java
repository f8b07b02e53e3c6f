package dev.cutover.rollout;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The guard on running apps and real PostgreSQL, fed through the public events API, time moved by the injected
 * clock one guard interval at a time: what rolls back, what pauses, what only waits for data, and that it happens
 * once however many instances there are.
 */
class GuardTest {
    private static final List<String> SESSIONS = IntStream.range(0, 200).mapToObj(i -> "s-" + i).toList();

    @Test
    void whisperErrorsAtThreePercentAtCanaryRollBackWithinTwoGuardRunsOnceForEveryInstance() {
        TestClock clock = TestClock.atRoundTime();
        try (NotifierTest.Receiver webhook = NotifierTest.Receiver.start(clock);
             TestApp first = TestApp.builder().env("ADMIN_TOKEN", "ops:" + RolloutApi.ADMIN)
                     .env("EVENTS_RATE_LIMIT", "0").env("ALERT_WEBHOOK_URL", webhook.url()).clock(clock).start();
             TestApp second = RolloutApi.second(first, clock)) {
            webhook.answer(503); // the webhook is down: nothing may wait for it
            GuardHarness guard = new GuardHarness(clock, first, second);
            guard.toCanary();
            assertThat(SESSIONS.stream().filter(s -> GuardHarness.provider(second, s).equals("whisper")).count())
                    .as("canary puts some sessions on whisper").isPositive();
            JsonNode healthy = guard.run();
            assertThat(healthy.path("outcome").asText()).isEqualTo("ok");

            guard.attempts("whisper", 1_000, 30, 800);
            guard.attempts("webspeech", 2_000, 10, 900);
            List<JsonNode> runs = guard.runUntil(2, e -> e.path("outcome").asText().equals("rollback"));

            JsonNode state = guard.rollout().state();
            assertThat(state.path("status").asText()).isEqualTo("ROLLED_BACK");
            JsonNode errors = GuardHarness.rule(runs.get(runs.size() - 1), "error_rate", "ABSOLUTE");
            assertThat(errors.at("/verdict/verdict").asText()).isEqualTo("FAIL");
            assertThat(errors.path("acted").asBoolean()).isTrue();
            for (TestApp app : List.of(first, second)) {
                Eventually.await(Duration.ofSeconds(1), "every session on webspeech on " + app.baseUrl(),
                        () -> SESSIONS.stream().allMatch(s -> GuardHarness.provider(app, s).equals("webspeech")));
            }
            JsonNode audit = guard.rollout().audit();
            List<JsonNode> rollbacks = stream(audit).filter(a -> a.path("action").asText().equals("rollout.rollback"))
                    .toList();
            assertThat(rollbacks).hasSize(1);
            JsonNode rollback = rollbacks.get(0);
            assertThat(rollback.path("actor").asText()).isEqualTo("guard");
            assertThat(rollback.path("reason").asText()).contains("error_rate").contains("FAIL");
            assertThat(rollback.at("/after/rules/0/verdict/verdict").asText()).isEqualTo("FAIL");
            assertThat(rollback.at("/after/signals/providers").isArray()).as("the signals at that moment").isTrue();

            guard.idleRun();
            guard.idleRun();
            assertThat(stream(guard.rollout().audit()).filter(a -> a.path("action").asText()
                    .equals("rollout.rollback"))).as("exactly once").hasSize(1);
            assertThat(guard.rollout().count("SELECT count(*) FROM notification_outbox WHERE kind = 'rollout.rollback'"))
                    .isEqualTo(1);
            assertThat(webhook.deliveries()).as("nothing delivered while the webhook is down").isEmpty();
            assertThat(webhook.requests()).as("but tried").isNotEmpty();

            webhook.answer(200);
            Eventually.await(Duration.ofSeconds(30), "the rollback delivered once the webhook is back", () -> {
                clock.advance(Duration.ofSeconds(10)); // past the retries' backoff
                return rollbackDeliveries(webhook).size() == 1;
            });
            for (int i = 0; i < 5; i++) {
                guard.idleRun();
            }
            List<NotifierTest.Received> delivered = rollbackDeliveries(webhook);
            assertThat(delivered).as("exactly one delivery of the rollback").hasSize(1);
            JsonNode body = delivered.get(0).json();
            assertThat(body.path("actor").asText()).isEqualTo("guard");
            assertThat(body.path("text").asText()).contains("rollback").contains("error_rate");
            assertThat(delivered.get(0).idempotencyKey()).isEqualTo(body.path("idempotencyKey").asText());
        }
    }

    private static List<NotifierTest.Received> rollbackDeliveries(NotifierTest.Receiver webhook) {
        return webhook.deliveries().stream()
                .filter(r -> r.json().path("action").asText().equals("rollout.rollback")).toList();
    }

    @Test
    void twentyRequestsAtFiftyPercentErrorsAreBelowTheMinimumSamplesSoNoDataAndNothingActs() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            GuardHarness guard = new GuardHarness(clock, app);
            guard.toCanary();
            guard.attempts("whisper", 20, 10, 500);
            guard.run();
            JsonNode evaluation = guard.run();
            assertThat(evaluation.path("outcome").asText()).isEqualTo("ok");
            JsonNode errors = GuardHarness.rule(evaluation, "error_rate", "ABSOLUTE");
            assertThat(errors.at("/verdict/verdict").asText()).isEqualTo("NO_DATA");
            assertThat(errors.at("/verdict/samples").asLong()).isEqualTo(20);
            JsonNode view = guard.rollout().state();
            assertThat(view.path("status").asText()).isEqualTo("ACTIVE");
            assertThat(GuardHarness.rule(view, "error_rate", "ABSOLUTE").at("/verdict/verdict").asText())
                    .isEqualTo("NO_DATA");
            assertThat(view.at("/guard/lastRunAt").asText()).isEqualTo(evaluation.path("at").asText());

            // The history pages newest first, is filtered by outcome, and refuses what it cannot answer.
            List<JsonNode> all = guard.evaluations("span=1h");
            assertThat(all).hasSizeGreaterThanOrEqualTo(2);
            JsonNode page = json(guard.rollout().admin().get(RolloutApi.ROLLOUT + "/evaluations?limit=1"));
            assertThat(page.at("/evaluations/0/id").asLong()).isEqualTo(all.get(0).path("id").asLong());
            long next = page.path("next").asLong();
            JsonNode older = json(guard.rollout().admin().get(RolloutApi.ROLLOUT + "/evaluations?limit=1&before=" + next));
            assertThat(older.at("/evaluations/0/id").asLong()).isEqualTo(all.get(1).path("id").asLong());
            assertThat(guard.evaluations("outcome=rollback")).isEmpty();
            for (String bad : List.of("span=8d", "span=soon", "outcome=nope", "limit=ten", "before=-1")) {
                assertThat(guard.rollout().admin().get(RolloutApi.ROLLOUT + "/evaluations?" + bad).statusCode())
                        .as(bad).isEqualTo(400);
            }
            assertThat(app.get(RolloutApi.ROLLOUT + "/evaluations").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void evaluationsAreKeptSevenDaysAndThenPruned() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            GuardHarness guard = new GuardHarness(clock, app);
            JsonNode old = guard.run();
            guard.run();
            clock.advance(Duration.ofDays(6));
            JsonNode sixDaysLater = guard.run();
            assertThat(guard.rollout().count("SELECT count(*) FROM rollout_evaluations WHERE id = "
                    + old.path("id").asLong())).as("6 days old: kept").isEqualTo(1);
            clock.advance(Duration.ofDays(1).plusHours(1));
            guard.run();
            RolloutApi rollout = guard.rollout();
            Eventually.await(Duration.ofSeconds(20), "evaluations older than 7 days pruned", () -> rollout.count(
                    "SELECT count(*) FROM rollout_evaluations WHERE id < " + sixDaysLater.path("id").asLong()) == 0);
            assertThat(rollout.count("SELECT count(*) FROM rollout_evaluations")).isEqualTo(2);
        }
    }

    @Test
    void aP95OfSixSecondsPausesAndDoesNotRollBack() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            GuardHarness guard = new GuardHarness(clock, app);
            guard.toCanary();
            guard.attempts("whisper", 300, 0, 6_000);
            guard.attempts("webspeech", 1_000, 5, 900);
            guard.runUntil(2, e -> e.path("outcome").asText().equals("pause"));
            guard.run();
            guard.run();
            JsonNode state = guard.rollout().state();
            assertThat(state.path("status").asText()).isEqualTo("PAUSED");
            assertThat(GuardHarness.rule(state, "slow_share", null).at("/verdict/verdict").asText()).isEqualTo("FAIL");
            assertThat(stream(guard.rollout().audit()).map(a -> a.path("action").asText()))
                    .contains("rollout.pause").doesNotContain("rollout.rollback");
            assertThat(guard.evaluations("outcome=pause")).hasSize(1);
        }
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }
}
