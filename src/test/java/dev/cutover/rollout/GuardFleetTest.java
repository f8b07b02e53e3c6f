package dev.cutover.rollout;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The guard across instances: one guards, another takes over when it dies, and a restart of all loses nothing. */
class GuardFleetTest {
    /** The backend holding the guard's session-level advisory lock. */
    private static final String HOLDER = "SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            + "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'cutover-guard-lock' "
            + "AND a.datname = current_database()";

    @Test
    void whenTheGuardingInstanceDiesAnotherGuardsWithinTwoIntervalsAndActsOnce() {
        TestClock clock = TestClock.atRoundTime();
        try (NotifierTest.Receiver webhook = NotifierTest.Receiver.start(clock);
             TestApp first = TestApp.builder().env("ADMIN_TOKEN", "ops:" + RolloutApi.ADMIN)
                     .env("EVENTS_RATE_LIMIT", "0").env("ALERT_WEBHOOK_URL", webhook.url()).clock(clock).start();
             TestApp second = RolloutApi.second(first, clock)) {
            GuardHarness guard = new GuardHarness(clock, first, second);
            guard.toCanary();
            guard.run();
            TestApp guarding = guard.guarding();
            TestApp survivor = guarding == first ? second : first;
            String survivorId = instanceId(survivor);
            assertThat(guard.latest().path("instanceId").asText()).isNotEqualTo(survivorId);

            guarding.close(); // its session ends, and the advisory lock with it
            guard.forget(guarding);
            guard.attempts("whisper", 600, 60, 700);
            List<JsonNode> runs = guard.runUntil(2, e -> e.path("instanceId").asText().equals(survivorId)
                    && e.path("outcome").asText().equals("rollback"));
            assertThat(runs.size()).as("taken over within 2 intervals").isLessThanOrEqualTo(2);
            guard.idleRun();
            guard.idleRun();

            RolloutApi rollout = RolloutApi.of(survivor);
            assertThat(rollout.state().path("status").asText()).isEqualTo("ROLLED_BACK");
            assertThat(rollout.count("SELECT count(*) FROM audit_log WHERE action = 'rollout.rollback'")).isEqualTo(1);
            assertThat(rollout.count("SELECT count(*) FROM notification_outbox WHERE kind = 'rollout.rollback'"))
                    .isEqualTo(1);
            assertThat(rollout.count("SELECT count(*) FROM rollout_evaluations WHERE outcome = 'rollback'"))
                    .isEqualTo(1);
            dev.cutover.testing.Eventually.await(java.time.Duration.ofSeconds(10), "the rollback delivered",
                    () -> rollbackDeliveries(webhook) >= 1);
            guard.idleRun();
            assertThat(rollbackDeliveries(webhook)).as("one notification").isEqualTo(1);
        }
    }

    @Test
    void whenTheGuardsSessionIsCutAnInstanceGuardsAgainAndNeverTwoAtOnce() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp first = RolloutApi.start(clock); TestApp second = RolloutApi.second(first, clock)) {
            GuardHarness guard = new GuardHarness(clock, first, second);
            guard.toCanary();
            guard.run();
            RolloutApi rollout = guard.rollout();
            for (int cut = 0; cut < 3; cut++) {
                long holder = rollout.count(HOLDER);
                assertThat(holder).as("a session holds the guard's lock").isPositive();
                assertThat(rollout.count("SELECT count(pg_terminate_backend(" + holder + "))")).isEqualTo(1);
                // pg_terminate_backend only signals: wait until the session has ended (a run that began before
                // that may still finish; its transition would be refused by the rollout's version check).
                dev.cutover.testing.Eventually.await(java.time.Duration.ofSeconds(10), "the lock's session gone",
                        () -> rollout.count("SELECT count(*) FROM pg_stat_activity WHERE pid = " + holder) == 0);
                guard.runUntil(3, e -> true);
                guard.run();
            }
            assertThat(rollout.count("SELECT count(*) FROM (SELECT at FROM rollout_evaluations GROUP BY at "
                    + "HAVING count(*) > 1) twice")).as("no run judged by two instances").isZero();
            assertThat(rollout.count("SELECT count(*) FROM (" + HOLDER + ") holders")).as("one holder").isEqualTo(1);
            assertThat(rollout.count("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                    + "'cutover-guard-lock' AND datname = current_database()")).as("one session per instance, kept open")
                    .isEqualTo(2);
            assertThat(rollout.state().path("status").asText()).isEqualTo("ACTIVE");
        }
    }

    @Test
    void restartingEveryInstanceKeepsPlanStateAuditVerdictsOutboxSignalsAndTheDetectorsMemory() {
        TestClock clock = TestClock.atRoundTime();
        Map<String, String> env;
        long auditRows;
        long evaluations;
        long outbox;
        long whisperAttempts;
        long samplesBefore;
        String planBefore;
        JsonNode stateBefore;
        try (TestApp first = RolloutApi.start(clock); TestApp second = RolloutApi.second(first, clock)) {
            env = first.env();
            GuardHarness guard = new GuardHarness(clock, first, second);
            guard.toCanary();
            guard.attempts("whisper", 200, 0, 700);
            guard.attempts("webspeech", 800, 4, 900);
            guard.run();
            JsonNode evaluation = guard.run();
            samplesBefore = GuardHarness.rule(evaluation, "error_rate", "ABSOLUTE").at("/verdict/samples").asLong();
            assertThat(samplesBefore).isEqualTo(200);
            RolloutApi rollout = guard.rollout();
            rollout.ok("pause", false);
            planBefore = json(rollout.admin().get(RolloutApi.ROLLOUT + "/plan")).toString();
            stateBefore = rollout.state();
            auditRows = rollout.count("SELECT count(*) FROM audit_log");
            evaluations = rollout.count("SELECT count(*) FROM rollout_evaluations");
            outbox = rollout.count("SELECT count(*) FROM notification_outbox");
            whisperAttempts = whisperClientAttempts(first);
            assertThat(whisperAttempts).isEqualTo(200);
        }
        try (TestApp first = TestApp.builder().env(env).env("PORT", "0").clock(clock).start();
             TestApp second = RolloutApi.second(first, clock)) {
            RolloutApi rollout = RolloutApi.of(second);
            assertThat(json(rollout.admin().get(RolloutApi.ROLLOUT + "/plan")).toString()).isEqualTo(planBefore);
            JsonNode state = rollout.state();
            for (String field : List.of("status", "version", "planVersion", "enteredAt", "phase")) {
                assertThat(state.path(field)).as(field).isEqualTo(stateBefore.path(field));
            }
            assertThat(rollout.count("SELECT count(*) FROM audit_log")).isEqualTo(auditRows);
            assertThat(rollout.count("SELECT count(*) FROM rollout_evaluations")).isGreaterThanOrEqualTo(evaluations);
            assertThat(rollout.count("SELECT count(*) FROM notification_outbox")).isEqualTo(outbox);
            assertThat(whisperClientAttempts(second)).isEqualTo(whisperAttempts);

            // The detectors go on from where they were: paused is still judged (a pause must not hide a rollback).
            GuardHarness guard = new GuardHarness(clock, first, second);
            guard.attempts("whisper", 100, 0, 700);
            guard.run();
            JsonNode evaluation = guard.run();
            assertThat(GuardHarness.rule(evaluation, "error_rate", "ABSOLUTE").at("/verdict/samples").asLong())
                    .isEqualTo(samplesBefore + 100);
        }
    }

    private static long rollbackDeliveries(NotifierTest.Receiver webhook) {
        return webhook.deliveries().stream()
                .filter(r -> r.json().path("action").asText().equals("rollout.rollback")).count();
    }

    private static String instanceId(TestApp app) {
        return json(app.get("/health")).at("/signals/instanceId").asText();
    }

    private static long whisperClientAttempts(TestApp app) {
        return AdminApi.provider(RolloutApi.of(app).admin().signals("24h"), "whisper", "client").path("attempts").asLong();
    }
}
