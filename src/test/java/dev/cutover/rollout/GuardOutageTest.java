package dev.cutover.rollout;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.StoppablePostgres;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: PostgreSQL stops under a guarding app at canary. The guard cannot read the signals, so every rule is
 * NO_DATA and nothing acts — not even "whisper not ready", although no heartbeat reached PostgreSQL meanwhile; when
 * it returns the guard takes its lock again and judges as before.
 */
class GuardOutageTest {
    @TempDir
    Path postgresData;

    @Test
    void whileTheSignalsCannotBeReadEveryRuleIsNoDataAndNothingActs() throws Exception {
        StoppablePostgres postgres = StoppablePostgres.started(postgresData);
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = TestApp.builder()
                .env("DATABASE_URL", postgres.url())
                .env("ADMIN_TOKEN", "ops:" + RolloutApi.ADMIN).env("EVENTS_RATE_LIMIT", "0")
                .clock(clock).start()) {
            GuardHarness guard = new GuardHarness(clock, app);
            guard.toCanary();
            guard.attempts("whisper", 200, 0, 700);
            guard.run();
            assertThat(guard.run().path("outcome").asText()).isEqualTo("ok");

            postgres.stop();
            for (int i = 0; i < 6; i++) {
                clock.advance(GuardHarness.INTERVAL);
                String at = clock.instant().toString();
                Eventually.await(Duration.ofSeconds(20), "the guard reporting NO_DATA at " + at, () -> {
                    JsonNode part = json(app.get("/health")).path("guard");
                    return part.path("verdict").asText().equals("NO_DATA")
                            && part.path("problem").asText().contains("nothing acts");
                });
            }

            postgres.start();
            JsonNode after = Eventually.await(Duration.ofSeconds(30), "a guard run after PostgreSQL returned",
                    () -> {
                        clock.advance(GuardHarness.INTERVAL);
                        try {
                            JsonNode latest = guard.latest();
                            return latest != null && json(app.get("/health")).at("/guard/problem").isMissingNode()
                                    ? latest : null;
                        } catch (AssertionError stillDown) {
                            return null;
                        }
                    }, e -> e != null);
            assertThat(after.path("outcome").asText()).isEqualTo("ok");
            assertThat(GuardHarness.rule(after, "whisper_ready", null).at("/verdict/verdict").asText())
                    .isEqualTo("PASS");
            RolloutApi rollout = guard.rollout();
            assertThat(rollout.state().path("status").asText()).isEqualTo("ACTIVE");
            assertThat(rollout.count("SELECT count(*) FROM rollout_evaluations WHERE outcome <> 'ok'")).isZero();
        } finally {
            postgres.stop();
        }
    }


}
