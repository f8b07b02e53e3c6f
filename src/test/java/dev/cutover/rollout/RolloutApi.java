package dev.cutover.rollout;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.db.DatabaseUrl;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestClock;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The rollout's admin API against a running {@link TestApp}, for the rollout tests. */
public record RolloutApi(TestApp app, AdminApi admin) {
    public static final String ADMIN = "rollout-admin";
    public static final String ROLLOUT = "/api/v1/rollout";

    public static TestApp start(TestClock clock) {
        return TestApp.builder().env("ADMIN_TOKEN", "ops:" + ADMIN).env("EVENTS_RATE_LIMIT", "0").clock(clock).start();
    }

    /** Another instance on the same database (and clock). */
    public static TestApp second(TestApp first, TestClock clock) {
        return TestApp.builder().env(first.env()).env("PORT", "0").clock(clock).start();
    }

    public static RolloutApi of(TestApp app) {
        return new RolloutApi(app, new AdminApi(app, ADMIN));
    }

    public JsonNode state() {
        HttpResponse<String> response = admin.get(ROLLOUT);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    public long version() {
        return state().path("version").asLong();
    }

    public HttpResponse<String> transition(String action, long expectedVersion, String reason, boolean force) {
        return admin.post(ROLLOUT + "/" + action, "{\"expectedVersion\": " + expectedVersion + ", \"reason\": \""
                + reason + "\"" + (force ? ", \"force\": true" : "") + "}");
    }

    /** The transition at the current version; asserts 200 and returns the new state. */
    public JsonNode ok(String action, boolean force) {
        HttpResponse<String> response = transition(action, version(), "test: " + action, force);
        assertThat(response.statusCode()).as(action + ": " + response.body()).isEqualTo(200);
        return json(response);
    }

    public HttpResponse<String> putPlan(String planJson, long expectedVersion) {
        return app.send(HttpRequest.newBuilder(app.uri(ROLLOUT + "/plan"))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"expectedVersion\": " + expectedVersion
                        + ", \"reason\": \"tuning\", \"plan\": " + planJson + "}"))
                .build());
    }

    public JsonNode flag() {
        return json(admin.get(AdminApi.FLAG));
    }

    public JsonNode audit() {
        return json(admin.get("/api/v1/audit?limit=500")).path("events");
    }

    /** The newest audit row of {@code action}; AssertionError if there is none. */
    public JsonNode lastAudited(String action) {
        for (JsonNode event : audit()) {
            if (event.path("action").asText().equals(action)) {
                return event;
            }
        }
        throw new AssertionError("no " + action + " in the audit log");
    }

    public long count(String sql) {
        DatabaseUrl url = DatabaseUrl.parse(app.env().get("DATABASE_URL"));
        try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user().orElse("postgres"),
                url.password().orElse(""));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
