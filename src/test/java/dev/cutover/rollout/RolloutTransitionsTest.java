package dev.cutover.rollout;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The rollout's state machine over HTTP on real PostgreSQL, time moved by the injected clock: the soak, forcing,
 * optimistic concurrency, rollback reaching every session on every instance, resume, and what each transition writes.
 */
class RolloutTransitionsTest {
    private static final List<String> SESSIONS = IntStream.range(0, 200).mapToObj(i -> "s-" + i).toList();
    private static final String DEVELOPER = "dev-laptop";

    @Test
    void advancingBeforeTheSoakIsRefusedNamingItAndForcingWithAReasonAdvancesAuditedAsForced() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            RolloutApi rollout = RolloutApi.of(app);
            for (String path : List.of(RolloutApi.ROLLOUT, RolloutApi.ROLLOUT + "/plan")) {
                assertThat(app.get(path).statusCode()).as(path + " needs the admin token").isEqualTo(401);
            }
            assertThat(app.post(RolloutApi.ROLLOUT + "/rollback", "{\"expectedVersion\": 1, \"reason\": \"x\"}")
                    .statusCode()).isEqualTo(401);
            JsonNode start = rollout.state();
            assertThat(start.path("status").asText()).isEqualTo("ACTIVE");
            assertThat(start.at("/phase/name").asText()).isEqualTo("baseline");
            assertThat(start.path("minimumSoakSeconds").asLong()).isEqualTo(24 * 3600);
            assertThat(start.path("canAdvance").asBoolean()).isFalse();
            assertThat(start.path("reasons").get(0).asText()).contains("minimumSoak");

            clock.advance(Duration.ofHours(3));
            HttpResponse<String> refused = rollout.transition("advance", start.path("version").asLong(), "looks fine", false);
            assertThat(refused.statusCode()).isEqualTo(409);
            JsonNode error = json(refused);
            assertThat(error.path("error").asText()).isEqualTo("criteria_not_met");
            assertThat(error.path("unmet").get(0).asText()).contains("minimumSoak").contains("3h").contains("24h");
            assertThat(rollout.state().path("version").asLong()).as("nothing changed").isEqualTo(start.path("version").asLong());

            HttpResponse<String> noReason = rollout.transition("advance", start.path("version").asLong(), " ", true);
            assertThat(noReason.statusCode()).isEqualTo(400);
            assertThat(json(noReason).path("error").asText()).isEqualTo("missing_reason");

            HttpResponse<String> forced = rollout.transition("advance", start.path("version").asLong(), "dev laptops ready", true);
            assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);
            assertThat(json(forced).at("/phase/name").asText()).isEqualTo("developer-testing");
            JsonNode audited = rollout.audit().get(0);
            assertThat(audited.path("action").asText()).isEqualTo("rollout.advance");
            assertThat(audited.path("actor").asText()).isEqualTo("ops");
            assertThat(audited.path("reason").asText()).isEqualTo("dev laptops ready");
            assertThat(audited.at("/after/forced").asBoolean()).isTrue();
            assertThat(audited.at("/after/unmet/0").asText()).contains("minimumSoak");
            assertThat(audited.at("/before/phaseName").asText()).isEqualTo("baseline");
            assertThat(rollout.count("SELECT count(*) FROM rollout_phases WHERE forced AND phase_name = 'developer-testing'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void onceTheSoakHasElapsedByTheInjectedClockAPhaseWithoutCriteriaAdvances() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            RolloutApi rollout = RolloutApi.of(app);
            clock.advance(Duration.ofHours(24));
            assertThat(rollout.state().path("canAdvance").asBoolean()).isTrue();
            JsonNode next = rollout.ok("advance", false);
            assertThat(next.at("/phase/name").asText()).isEqualTo("developer-testing");
            assertThat(rollout.audit().get(0).at("/after/forced").asBoolean()).isFalse();

            // Developer testing has criteria; with no signals at all they are not PASS, soak or no soak.
            clock.advance(Duration.ofHours(48));
            JsonNode noData = rollout.state();
            assertThat(noData.path("soakElapsed").asBoolean()).isTrue();
            assertThat(noData.path("criteria").size()).isEqualTo(noData.at("/plan/phases/1/criteria").size());
            assertThat(noData.at("/criteria/0/verdict/verdict").asText()).isEqualTo("NO_DATA");
            assertThat(noData.path("canAdvance").asBoolean()).isFalse();
            HttpResponse<String> refused = rollout.transition("advance", next.path("version").asLong(), "soaked", false);
            assertThat(refused.statusCode()).isEqualTo(409);
            List<String> unmet = new ArrayList<>();
            json(refused).path("unmet").forEach(u -> unmet.add(u.asText()));
            assertThat(unmet).noneMatch(u -> u.contains("minimumSoak"));
            assertThat(unmet).anyMatch(u -> u.contains("error_rate") && u.contains("NO_DATA"));
            assertThat(unmet).anyMatch(u -> u.contains("attempts") && u.contains("INCONCLUSIVE"));
        }
    }

    @Test
    void twoEngineersAdvancingWithTheSameExpectedVersionGetOne200AndOne409() throws Exception {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp first = RolloutApi.start(clock); TestApp second = RolloutApi.second(first, clock)) {
            long version = RolloutApi.of(first).version();
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (TestApp app : List.of(first, second)) {
                answers.add(CompletableFuture.supplyAsync(() -> {
                    awaitLatch(go);
                    return RolloutApi.of(app).transition("advance", version, "go", true);
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            JsonNode conflict = null;
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                statuses.add(response.statusCode());
                if (response.statusCode() == 409) {
                    conflict = json(response);
                }
            }
            assertThat(statuses).containsExactlyInAnyOrder(200, 409);
            assertThat(conflict.path("error").asText()).isEqualTo("version_conflict");
            assertThat(conflict.path("currentVersion").asLong()).isEqualTo(version + 1);
            JsonNode state = RolloutApi.of(second).state();
            assertThat(state.path("phase").path("index").asInt()).as("advanced once").isEqualTo(1);
            assertThat(RolloutApi.of(first).count("SELECT count(*) FROM audit_log WHERE action = 'rollout.advance'")).isEqualTo(1);
        }
    }

    @Test
    void rollbackGivesEverySessionWebspeechOnBothInstancesWithinOneSecondAndResumeReturnsToThatPhasePaused() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp first = RolloutApi.start(clock); TestApp second = RolloutApi.second(first, clock)) {
            RolloutApi rollout = RolloutApi.of(first);
            assertThat(rollout.admin().post("/api/v1/flags/transcription-provider/overrides",
                    "{\"list\":\"allow\",\"subject\":\"session\",\"id\":\"" + DEVELOPER + "\"}").statusCode()).isEqualTo(201);
            rollout.ok("advance", true);
            JsonNode canary = rollout.ok("advance", true);
            assertThat(canary.at("/phase/name").asText()).isEqualTo("canary");
            long flagVersion = rollout.flag().path("version").asLong();
            assertThat(rollout.flag().path("percentage").decimalValue()).isEqualByComparingTo("10");
            for (TestApp app : List.of(first, second)) {
                app.awaitAssignment("sessionId=" + DEVELOPER, flagVersion, Duration.ofSeconds(5));
                assertThat(whisperSessions(app)).as("some sessions on whisper at 10 %").isNotEmpty();
                assertThat(provider(app, DEVELOPER)).isEqualTo("whisper");
            }

            JsonNode rolledBack = rollout.ok("rollback", false);
            long rolledBackAt = System.nanoTime();
            assertThat(rolledBack.path("status").asText()).isEqualTo("ROLLED_BACK");
            assertThat(rolledBack.path("rolledBackFrom").asInt()).isEqualTo(2);
            for (TestApp app : List.of(first, second)) {
                Duration left = Duration.ofSeconds(1).minusNanos(System.nanoTime() - rolledBackAt);
                Eventually.await(left.isNegative() ? Duration.ZERO : left, "every session on webspeech",
                        () -> whisperSessions(app).isEmpty() && provider(app, DEVELOPER).equals("webspeech"));
            }
            JsonNode developer = json(second.get("/api/v1/assignment?sessionId=" + DEVELOPER));
            assertThat(developer.path("reason").asText()).isEqualTo("ROLLED_BACK");
            assertThat(rollout.flag().path("status").asText()).isEqualTo("ROLLED_BACK");

            JsonNode resumed = rollout.ok("resume", false);
            assertThat(resumed.path("status").asText()).isEqualTo("PAUSED");
            assertThat(resumed.at("/phase/name").asText()).isEqualTo("canary");
            assertThat(rollout.flag().path("status").asText()).isEqualTo("PAUSED");
            assertThat(rollout.flag().path("percentage").decimalValue()).isEqualByComparingTo("10");
            assertThat(rollout.ok("resume", false).path("status").asText()).isEqualTo("ACTIVE");
        }
    }

    @Test
    void rollbackWorksFromEveryPhaseAndEveryTransitionWritesExactlyOneAuditRowAndOneOutboxRow() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            RolloutApi rollout = RolloutApi.of(app);
            int phases = rollout.state().at("/plan/phases").size();
            long transitions = 0;
            for (int phase = 0; phase < phases; phase++) {
                if (phase > 0) {
                    assertWritesOne(rollout, "advance", true, ++transitions);
                }
                assertWritesOne(rollout, "rollback", false, ++transitions);
                assertThat(rollout.flag().path("status").asText()).isEqualTo("ROLLED_BACK");
                assertThat(rollout.flag().path("percentage").decimalValue()).isEqualByComparingTo("0");
                assertWritesOne(rollout, "resume", false, ++transitions);
                assertThat(rollout.state().path("phase").path("index").asInt()).isEqualTo(phase);
                assertWritesOne(rollout, "resume", false, ++transitions);
            }
            HttpResponse<String> pastTheLast = rollout.transition("advance", rollout.version(), "more", true);
            assertThat(pastTheLast.statusCode()).isEqualTo(409);
            assertThat(json(pastTheLast).path("error").asText()).isEqualTo("no_next_phase");

            assertWritesOne(rollout, "pause", false, ++transitions);
            assertWritesOne(rollout, "complete", false, ++transitions);
            assertThat(rollout.state().path("status").asText()).isEqualTo("COMPLETED");
            assertThat(rollout.flag().path("status").asText()).isEqualTo("ACTIVE");
            assertThat(rollout.flag().path("percentage").decimalValue()).isEqualByComparingTo("100");
            HttpResponse<String> afterCompletion = rollout.transition("rollback", rollout.version(), "too late", false);
            assertThat(afterCompletion.statusCode()).isEqualTo(409);
            assertThat(json(afterCompletion).path("error").asText()).isEqualTo("invalid_transition");
            assertThat(rollout.count("SELECT count(*) FROM notification_outbox")).isEqualTo(transitions);
            assertThat(rollout.count("SELECT count(DISTINCT idempotency_key) FROM notification_outbox")).isEqualTo(transitions);
        }
    }

    @Test
    void aStaleExpectedVersionIsRefusedWithTheCurrentVersionAndChangesNothing() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = RolloutApi.start(clock)) {
            RolloutApi rollout = RolloutApi.of(app);
            long version = rollout.version();
            rollout.ok("pause", false);
            HttpResponse<String> stale = rollout.transition("resume", version, "stale", false);
            assertThat(stale.statusCode()).isEqualTo(409);
            assertThat(json(stale).path("error").asText()).isEqualTo("version_conflict");
            assertThat(json(stale).path("currentVersion").asLong()).isEqualTo(version + 1);
            assertThat(rollout.state().path("status").asText()).isEqualTo("PAUSED");
            HttpResponse<String> advancePaused = rollout.transition("advance", version + 1, "paused", true);
            assertThat(json(advancePaused).path("error").asText()).isEqualTo("invalid_transition");
        }
    }

    private static void assertWritesOne(RolloutApi rollout, String action, boolean force, long expectedTransitions) {
        int auditBefore = rollout.audit().size();
        rollout.ok(action, force);
        JsonNode audit = rollout.audit();
        assertThat(audit.size()).as(action + " appends exactly one audit row").isEqualTo(auditBefore + 1);
        assertThat(audit.get(0).path("action").asText()).isEqualTo("rollout." + action);
        assertThat(audit.get(0).path("target").asText()).isEqualTo("rollout");
        assertThat(rollout.count("SELECT count(*) FROM notification_outbox")).as(action + " queues one notification")
                .isEqualTo(expectedTransitions);
    }

    private static List<String> whisperSessions(TestApp app) {
        return SESSIONS.stream().filter(s -> provider(app, s).equals("whisper")).toList();
    }

    private static String provider(TestApp app, String session) {
        return json(app.get("/api/v1/assignment?sessionId=" + session)).path("provider").asText();
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
