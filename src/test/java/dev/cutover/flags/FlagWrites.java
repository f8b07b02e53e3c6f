package dev.cutover.flags;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.TestApp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Changes the flag of a test app the way an engineer does: through the admin API with the app's admin token
 * ({@link #ADMIN_TOKEN}, given to the app as ADMIN_TOKEN). Each call returns the flag's new version.
 */
final class FlagWrites {
    static final String ADMIN_TOKEN = "ofrep-test-admin-secret";
    private static final String FLAG = "/api/v1/flags/" + FlagSnapshot.FLAG_KEY;

    private final TestApp app;

    private FlagWrites(TestApp app) {
        this.app = app;
    }

    static FlagWrites on(TestApp app) {
        return new FlagWrites(app);
    }

    long set(String percentage, FlagStatus status) {
        long current = OfrepRoutesTest.json(send(HttpRequest.newBuilder(app.uri(FLAG)).GET(), 200)).get("version").asLong();
        String body = "{\"percentage\":" + percentage + ",\"status\":\"" + status.name() + "\",\"expectedVersion\":"
                + current + ",\"reason\":\"ofrep test\"}";
        return version(send(HttpRequest.newBuilder(app.uri(FLAG)).method("PATCH", HttpRequest.BodyPublishers.ofString(body)), 200));
    }

    long allow(OverrideSubject subject, String id) {
        String body = "{\"list\":\"allow\",\"subject\":\"" + subject.name().toLowerCase() + "\",\"id\":\"" + id + "\"}";
        return version(send(HttpRequest.newBuilder(app.uri(FLAG + "/overrides")).POST(HttpRequest.BodyPublishers.ofString(body)), 201));
    }

    private String send(HttpRequest.Builder request, int expectedStatus) {
        HttpResponse<String> response = app.send(request.header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json").build());
        if (response.statusCode() != expectedStatus) {
            throw new AssertionError("Admin API answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static long version(String body) {
        JsonNode json = OfrepRoutesTest.json(body);
        return json.get("version").asLong();
    }
}
