package dev.cutover.flags;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.StoppablePostgres;
import dev.cutover.testing.TestApp;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: PostgreSQL stops under a running app, then comes back on the same port with the same data.
 * Load: assignment requests and admin writes throughout. Must not be lost: assignment answers (from the last
 * snapshot), every committed change, and the one-write-one-audit-row rule (a refused write leaves nothing behind).
 */
class PostgresOutageTest {
    @TempDir
    Path postgresData;

    @Test
    void whilePostgresIsDownAssignmentServesTheSnapshotHealthIsDegradedAndWritesAnswer503UntilItReturns()
            throws Exception {
        StoppablePostgres postgres = StoppablePostgres.started(postgresData);
        try (TestApp app = TestApp.builder()
                .env("DATABASE_URL", postgres.url())
                .env("ADMIN_TOKEN", "ops:outage-secret")
                .env("FLAG_REFRESH_INTERVAL", "1s")
                .start()) {
            AdminApi admin = new AdminApi(app, "outage-secret");
            assertThat(admin.setPercentage("100").statusCode()).isEqualTo(200);
            String before = app.awaitAssignment("sessionId=s-9", 2, Duration.ofSeconds(2));

            postgres.stop();

            HttpResponse<String> health = Eventually.await(Duration.ofSeconds(10), "/health DEGRADED",
                    () -> app.get("/health"), r -> r.body().contains("\"status\":\"DEGRADED\""));
            assertThat(health.statusCode()).isEqualTo(200);
            JsonNode flags = json(health).path("flags");
            assertThat(flags.path("status").asText()).isEqualTo("DEGRADED");
            assertThat(flags.path("snapshotVersion").asLong()).isEqualTo(2);
            assertThat(flags.path("lastRefreshError").isNull()).isFalse();

            for (int i = 0; i < 20; i++) {
                HttpResponse<String> assignment = app.get("/api/v1/assignment?sessionId=s-9");
                assertThat(assignment.statusCode()).isEqualTo(200);
                assertThat(assignment.body()).isEqualTo(before);
            }
            assertUnavailable(admin.setPercentage("50"));
            assertUnavailable(admin.transition("rollback", "outage"));
            assertUnavailable(admin.post(AdminApi.FLAG + "/overrides", "{\"list\":\"allow\",\"subject\":\"user\",\"id\":\"u\"}"));
            assertUnavailable(admin.get(AdminApi.FLAG));
            assertUnavailable(admin.get("/api/v1/audit"));

            postgres.start();

            HttpResponse<String> write = Eventually.await(Duration.ofSeconds(15), "a write that is not refused with 503",
                    () -> admin.setPercentage("50"), r -> r.statusCode() != 503);
            assertThat(write.statusCode()).as(write.body()).isEqualTo(200);
            assertThat(json(admin.get(AdminApi.FLAG)).path("version").asLong()).isEqualTo(3);
            JsonNode audit = json(admin.get("/api/v1/audit"));
            assertThat(audit.path("events")).hasSize(2);
            for (JsonNode event : audit.path("events")) {
                assertThat(event.path("action").asText()).isEqualTo("rollout.plan");
            }
            Eventually.await(Duration.ofSeconds(10), "/health UP", () -> app.get("/health").body(),
                    body -> body.startsWith("{\"status\":\"UP\""));
            assertThat(app.awaitAssignment("sessionId=s-9", 3, Duration.ofSeconds(2))).contains("\"percentage\":50.00");
        } finally {
            postgres.stop();
        }
    }

    @Test
    void anInstanceStartedWhilePostgresIsDownAnswersTheDefaultUntilItCanLoadTheFlag() throws Exception {
        StoppablePostgres postgres = StoppablePostgres.at(postgresData);
        try (TestApp app = TestApp.builder()
                .env("DATABASE_URL", postgres.url())
                .env("ADMIN_TOKEN", "ops:outage-secret")
                .start()) {
            HttpResponse<String> assignment = app.get("/api/v1/assignment?sessionId=s-1");
            assertThat(assignment.statusCode()).isEqualTo(200);
            assertThat(assignment.body()).contains("\"provider\":\"webspeech\"", "\"reason\":\"DEFAULT\"");
            HttpResponse<String> health = app.get("/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(json(health).path("flags").path("status").asText()).isEqualTo("DOWN");
            assertUnavailable(new AdminApi(app, "outage-secret").setPercentage("10"));

            postgres.start();
            try {
                String loaded = Eventually.await(Duration.ofSeconds(15), "the flag loaded from PostgreSQL",
                        () -> app.get("/api/v1/assignment?sessionId=s-1").body(),
                        body -> body.contains("\"reason\":\"SPLIT\""));
                assertThat(loaded).contains("\"version\":1,", "\"status\":\"ACTIVE\"");
                assertThat(app.get("/health").statusCode()).isEqualTo(200);
            } finally {
                postgres.stop();
            }
        }
    }

    private static void assertUnavailable(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(json(response).path("error").asText()).isEqualTo("database_unavailable");
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
    }


}
