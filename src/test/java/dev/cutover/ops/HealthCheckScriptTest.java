package dev.cutover.ops;

import static dev.cutover.ops.CronScript.HEALTH_CHECK;
import static dev.cutover.ops.CronScript.env;
import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.db.DatabaseUrl;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/health_check.sh against the real service, run as cron runs it: quiet while healthy, one line and exit 1 from
 * the third failed check in a row, and at once for an instance whose heartbeat stopped.
 */
class HealthCheckScriptTest {
    private static final String SECRET = "cron-secret";
    private static final String ADMIN_TOKEN = "ui:other-secret,cron:" + SECRET;

    @TempDir
    Path state;

    @BeforeEach
    void toolsPresent() {
        CronScript.assumeToolsPresent();
    }

    @Test
    void aHealthyServiceWithLiveInstancesIsQuietAndExitsZero() {
        // No ADMIN_TOKEN: the service keeps the token it generated in DATA_DIR/admin-token, and cron reads it there.
        try (TestApp app = TestApp.start()) {
            Map<String, String> env = checking(app.baseUrl());
            env.remove("ADMIN_TOKEN");
            env.put("ADMIN_TOKEN_FILE", Path.of(app.env().get("DATA_DIR"), "admin-token").toString());

            CronScript.Run run = HEALTH_CHECK.run(env);

            assertThat(run).isEqualTo(new CronScript.Run(0, ""));
        }
    }

    @Test
    void onlyTheThirdFailedCheckInARowAlertsAndOneGoodCheckResetsTheCount() throws IOException {
        String down = CronScript.closedUrl();
        try (TestApp app = TestApp.builder().env("ADMIN_TOKEN", ADMIN_TOKEN).start()) {
            assertThat(HEALTH_CHECK.run(checking(down))).isEqualTo(new CronScript.Run(0, ""));
            assertThat(HEALTH_CHECK.run(checking(down))).isEqualTo(new CronScript.Run(0, ""));
            assertThat(HEALTH_CHECK.run(checking(down))).isEqualTo(new CronScript.Run(1,
                    "health_check: DOWN 3 checks running: connection refused (" + down + "/health)\n"));
            assertThat(HEALTH_CHECK.run(checking(down))).isEqualTo(new CronScript.Run(1,
                    "health_check: DOWN 4 checks running: connection refused (" + down + "/health)\n"));

            // The same state file, a service that answers: the count starts again from nothing.
            assertThat(HEALTH_CHECK.run(checking(app.baseUrl()))).isEqualTo(new CronScript.Run(0, ""));
            assertThat(Files.readString(state.resolve("count")).trim()).isEqualTo("0");
            assertThat(HEALTH_CHECK.run(checking(down))).isEqualTo(new CronScript.Run(0, ""));
            assertThat(HEALTH_CHECK.run(checking(down))).isEqualTo(new CronScript.Run(0, ""));
        }
    }

    @Test
    void anInstanceWhoseHeartbeatStoppedIsNamedAtTheFirstRunUnlessANewerInstanceReplacedIt() {
        TestClock clock = TestClock.atRoundTime();
        Instant started = clock.instant();
        try (TestApp app = TestApp.builder().env("ADMIN_TOKEN", ADMIN_TOKEN).clock(clock).start()) {
            AdminApi admin = new AdminApi(app, SECRET);
            Instant now = clock.advance(Duration.ofHours(1));
            Eventually.await(Duration.ofSeconds(10), "this instance's heartbeat at the moved clock",
                    () -> json(admin.get("/api/v1/instances")).path("instances"),
                    instances -> instances.size() == 1 && lastSeen(instances.get(0)).equals(now));
            // Quiet for 10 minutes, started after this instance did: nothing replaced it (a crash, a hang).
            heartbeat(app, "web-2-\u001b[2J\u0007dead", now.minus(Duration.ofMinutes(50)), now.minus(Duration.ofMinutes(10)));
            // Quiet since just before this instance started: a restart replaced it.
            heartbeat(app, "web-1-before-restart", started.minus(Duration.ofHours(1)), started.minus(Duration.ofMinutes(1)));
            // Quiet for 40 minutes, beyond INSTANCE_FORGET_AFTER: retired long ago.
            heartbeat(app, "web-3-retired", started, now.minus(Duration.ofMinutes(40)));

            CronScript.Run run = HEALTH_CHECK.run(checking(app.baseUrl()));

            assertThat(run).isEqualTo(new CronScript.Run(1, "health_check: STALE instance(s): web-2-[2Jdead silent 10m0s ("
                    + app.baseUrl() + "/api/v1/instances)\n"));

            heartbeat(app, "web-2-\u001b[2J\u0007dead", now.minus(Duration.ofMinutes(50)), now);
            assertThat(HEALTH_CHECK.run(checking(app.baseUrl()))).isEqualTo(new CronScript.Run(0, ""));
        }
    }

    @Test
    void aRefusedAdminTokenIsAConfigurationErrorNotAnAlert() {
        try (TestApp app = TestApp.builder().env("ADMIN_TOKEN", ADMIN_TOKEN).start()) {
            Map<String, String> env = checking(app.baseUrl());
            env.put("ADMIN_TOKEN", "not-the-secret");

            CronScript.Run run = HEALTH_CHECK.run(env);

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.output()).startsWith("health_check: the admin token was refused (HTTP 401)").hasLineCount(1);
        }
    }

    private Map<String, String> checking(String url) {
        return env("CUTOVER_URL", url, "ADMIN_TOKEN", ADMIN_TOKEN, "HEALTH_STATE_FILE", state.resolve("count").toString(),
                "HEALTH_TIMEOUT", "5s");
    }

    private static Instant lastSeen(JsonNode instance) {
        return Instant.parse(instance.path("lastSeen").asText());
    }

    /** Writes another instance's heartbeat row, as that instance would have. */
    private static void heartbeat(TestApp app, String id, Instant startedAt, Instant lastSeen) {
        DatabaseUrl url = DatabaseUrl.parse(app.env().get("DATABASE_URL"));
        try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user().orElse("postgres"), url.password().orElse(""));
             PreparedStatement s = c.prepareStatement("""
                     INSERT INTO instances (id, version, started_at, last_seen, model_loaded, busy_workers, queue_depth)
                     VALUES (?, 'test', ?, ?, true, 0, 0)
                     ON CONFLICT (id) DO UPDATE SET started_at = EXCLUDED.started_at, last_seen = EXCLUDED.last_seen""")) {
            s.setString(1, id);
            s.setTimestamp(2, Timestamp.from(startedAt));
            s.setTimestamp(3, Timestamp.from(lastSeen));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
