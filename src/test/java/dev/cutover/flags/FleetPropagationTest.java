package dev.cutover.flags;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.db.DatabaseUrl;
import dev.cutover.testing.TestApp;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FleetPropagationTest {

    @Test
    void aChangeMadeOnOneInstanceIsServedByAnotherWithinOneSecond() throws InterruptedException {
        // A long re-read interval proves the change travels by NOTIFY, not by the safety-net poll.
        try (TestApp first = TestApp.builder().env("ADMIN_TOKEN", "ops:fleet-secret").env("FLAG_REFRESH_INTERVAL", "1h").start();
             TestApp second = TestApp.builder().env(first.env()).env("PORT", "0").start()) {
            AdminApi admin = new AdminApi(first, "fleet-secret");
            assertThat(second.get("/api/v1/assignment?sessionId=s-1").body()).contains("\"version\":1,");

            long patchedAt = System.nanoTime();
            assertThat(admin.setPercentage("100", 1).statusCode()).isEqualTo(200);
            String seen = awaitVersion(second, "sessionId=s-1", 2, patchedAt);
            assertThat(seen).contains("\"provider\":\"whisper\"", "\"percentage\":100.00");

            long overrideAt = System.nanoTime();
            assertThat(new AdminApi(second, "fleet-secret").post(AdminApi.FLAG + "/overrides",
                    "{\"list\":\"deny\",\"subject\":\"session\",\"id\":\"s-1\"}").statusCode()).isEqualTo(201);
            assertThat(awaitVersion(first, "sessionId=s-1", 3, overrideAt)).contains("\"reason\":\"DENYLIST\"");
        }
    }

    @Test
    void aChangeThatSentNoNotificationIsPickedUpByThePeriodicReread() throws Exception {
        try (TestApp app = TestApp.builder().env("FLAG_REFRESH_INTERVAL", "1s").start()) {
            execute(app, "UPDATE flags SET percentage = 100, version = version + 1");

            assertThat(awaitVersion(app, "sessionId=s-2", 2, System.nanoTime(), Duration.ofSeconds(5)))
                    .contains("\"provider\":\"whisper\"");
        }
    }

    @Test
    void aListenerWhoseConnectionIsKilledReconnectsAndHearsTheNextChange() throws Exception {
        try (TestApp first = TestApp.builder().env("ADMIN_TOKEN", "ops:fleet-secret").env("FLAG_REFRESH_INTERVAL", "1h").start();
             TestApp second = TestApp.builder().env(first.env()).env("PORT", "0").start()) {
            execute(first, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND application_name = 'cutover-flag-listener'");
            Thread.sleep(1_500);

            long patchedAt = System.nanoTime();
            assertThat(new AdminApi(first, "fleet-secret").setPercentage("100", 1).statusCode()).isEqualTo(200);
            assertThat(awaitVersion(second, "sessionId=s-3", 2, patchedAt)).contains("\"provider\":\"whisper\"");
        }
    }

    private static void execute(TestApp app, String sql) throws SQLException {
        DatabaseUrl url = DatabaseUrl.parse(app.env().get("DATABASE_URL"));
        try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user().orElse("postgres"),
                url.password().orElse(""));
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String awaitVersion(TestApp app, String query, long version, long since) throws InterruptedException {
        return awaitVersion(app, query, version, since, Duration.ofSeconds(1));
    }

    private static String awaitVersion(TestApp app, String query, long version, long since, Duration limit)
            throws InterruptedException {
        String expected = "\"version\":" + version + ",";
        while (System.nanoTime() - since < limit.toNanos()) {
            HttpResponse<String> response = app.get("/api/v1/assignment?" + query);
            if (response.body().contains(expected)) {
                return response.body();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("Version " + version + " was not served within " + limit);
    }
}
