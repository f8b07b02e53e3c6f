package dev.cutover.flags;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.db.DatabaseUrl;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestApp;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetPropagationTest {

    @Test
    void aChangeMadeOnOneInstanceIsServedByAnotherWithinOneSecond() {
        // A long re-read interval proves the change travels by NOTIFY, not by the safety-net poll.
        try (TestApp first = TestApp.builder().env("ADMIN_TOKEN", "ops:fleet-secret").env("FLAG_REFRESH_INTERVAL", "1h").start();
             TestApp second = TestApp.builder().env(first.env()).env("PORT", "0").start()) {
            AdminApi admin = new AdminApi(first, "fleet-secret");
            assertThat(second.get("/api/v1/assignment?sessionId=s-1").body()).contains("\"version\":1,");

            assertThat(admin.setPercentage("100").statusCode()).isEqualTo(200);
            // The change is made when the rollout plan's PUT answers (after its commit); the other instance's clock
            // starts then.
            long changedAt = System.nanoTime();
            String seen = awaitVersion(second, "sessionId=s-1", 2, changedAt);
            assertThat(seen).contains("\"provider\":\"whisper\"", "\"percentage\":100.00");

            assertThat(new AdminApi(second, "fleet-secret").post(AdminApi.FLAG + "/overrides",
                    "{\"list\":\"deny\",\"subject\":\"session\",\"id\":\"s-1\"}").statusCode()).isEqualTo(201);
            long overrideAt = System.nanoTime();
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
            List<Integer> killed = query(first, LISTENERS);
            assertThat(killed).hasSize(2);
            execute(first, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND application_name = 'cutover-flag-listener'");
            awaitListeners(first, killed);

            assertThat(new AdminApi(first, "fleet-secret").setPercentage("100").statusCode()).isEqualTo(200);
            long changedAt = System.nanoTime();
            assertThat(awaitVersion(second, "sessionId=s-3", 2, changedAt)).contains("\"provider\":\"whisper\"");
        }
    }

    private static final String LISTENERS = "SELECT pid FROM pg_stat_activity"
            + " WHERE datname = current_database() AND application_name = 'cutover-flag-listener'";

    /** Waits until two listener connections other than the killed ones are LISTENing again. */
    private static void awaitListeners(TestApp app, List<Integer> killed) {
        Eventually.assertEventually(Duration.ofSeconds(10), () -> assertThat(query(app, LISTENERS))
                .as("the flag listeners, reconnected").hasSize(2).doesNotContainAnyElementsOf(killed));
    }

    private static List<Integer> query(TestApp app, String sql) throws SQLException {
        DatabaseUrl url = DatabaseUrl.parse(app.env().get("DATABASE_URL"));
        try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user().orElse("postgres"),
                url.password().orElse(""));
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            List<Integer> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getInt(1));
            }
            return values;
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

    private static String awaitVersion(TestApp app, String query, long version, long since) {
        return awaitVersion(app, query, version, since, Duration.ofSeconds(1));
    }

    /** The assignment at {@code version} within {@code limit} of {@code since}; if it comes later, how much later. */
    private static String awaitVersion(TestApp app, String query, long version, long since, Duration limit) {
        try {
            return app.awaitAssignment(query, version, limit.minusNanos(System.nanoTime() - since));
        } catch (AssertionError notInTime) {
            String late = app.awaitAssignment(query, version, Duration.ofSeconds(5));
            throw new AssertionError("Version " + version + " was not served within " + limit + "; it came "
                    + (System.nanoTime() - since) / 1_000_000 + " ms after: " + late, notInTime);
        }
    }
}
