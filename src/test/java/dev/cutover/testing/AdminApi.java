package dev.cutover.testing;

import static dev.cutover.testing.HttpTestClient.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.StringJoiner;

/**
 * Admin API calls against a running {@link TestApp}, authenticated with one secret. The flag's percentage and status
 * are the rollout's to set, so {@link #setPercentage} and {@link #transition} go through {@code /api/v1/rollout}, as an
 * engineer would.
 */
public record AdminApi(TestApp app, String secret) {
    public static final String FLAG = "/api/v1/flags/transcription-provider";
    public static final String ROLLOUT = "/api/v1/rollout";

    public HttpResponse<String> get(String path) {
        return app.send(request(path).GET().build());
    }

    public HttpResponse<String> patch(String path, String json) {
        return app.send(request(path).method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> post(String path, String json) {
        return app.send(request(path).POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> put(String path, String json) {
        return app.send(request(path).PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> delete(String path) {
        return app.send(request(path).DELETE().build());
    }

    /** {@code GET /api/v1/signals?window=…}: the fleet's signals over {@code window}; AssertionError unless 200. */
    public JsonNode signals(String window) {
        HttpResponse<String> response = get("/api/v1/signals?window=" + window);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /api/v1/signals?window=" + window + ": " + response.statusCode() + " "
                    + response.body());
        }
        return json(response);
    }

    /** The {@code provider}/{@code source} row of a signals view (every view has all four); AssertionError if absent. */
    public static JsonNode provider(JsonNode signalsView, String provider, String source) {
        for (JsonNode p : signalsView.path("providers")) {
            if (p.path("provider").asText().equals(provider) && p.path("source").asText().equals(source)) {
                return p;
            }
        }
        throw new AssertionError("no " + provider + "/" + source + " in " + signalsView);
    }

    /**
     * Puts the flag at {@code percentage} (a JSON number) through the rollout plan: {@link #planAt} the current phase,
     * against the plan's current version. The flag moves in the PUT's transaction, with one audit row
     * ({@code rollout.plan}) and its version one up, unless it is there already or the rollout is rolled back (0 %
     * until resumed). Returns the PUT's answer, or the refused read that kept it from being sent (503 while
     * PostgreSQL is down).
     */
    public HttpResponse<String> setPercentage(String percentage) {
        HttpResponse<String> read = get(ROLLOUT);
        if (read.statusCode() != 200) {
            return read;
        }
        JsonNode rollout = json(read);
        return putPlan(planAt(percentage, rollout.at("/phase/index").asInt()), rollout.path("planVersion").asLong(),
                "test: whisper at " + percentage + " %");
    }

    /** {@code PUT /api/v1/rollout/plan} of {@code planJson} against {@code expectedPlanVersion}. */
    public HttpResponse<String> putPlan(String planJson, long expectedPlanVersion, String reason) {
        return put(ROLLOUT + "/plan", "{\"expectedVersion\": " + expectedPlanVersion + ", \"reason\": \"" + reason
                + "\", \"plan\": " + planJson + "}");
    }

    /**
     * A valid plan whose phases up to {@code currentPhase} are at {@code percentage}, then one at 100 %; no criteria or
     * rules, so no guard acts on it.
     */
    public static String planAt(String percentage, int currentPhase) {
        StringJoiner phases = new StringJoiner(", ");
        for (int i = 0; i <= currentPhase; i++) {
            phases.add(phase("test-" + i, percentage));
        }
        phases.add(phase("full", "100"));
        return "{\"phases\": [" + phases + "], \"autopilot\": false}";
    }

    /**
     * {@code POST /api/v1/rollout/{action}} (pause, resume, rollback, advance, complete) at the rollout's current
     * version; the answer, or the refused read of that version.
     */
    public HttpResponse<String> transition(String action, String reason) {
        HttpResponse<String> read = get(ROLLOUT);
        if (read.statusCode() != 200) {
            return read;
        }
        return post(ROLLOUT + "/" + action, "{\"expectedVersion\": " + json(read).path("version").asLong()
                + ", \"reason\": \"" + reason + "\"}");
    }

    private static String phase(String name, String percentage) {
        return "{\"name\": \"" + name + "\", \"whisperPercent\": " + percentage + ", \"minimumSoak\": \"0s\", "
                + "\"manual\": false, \"criteria\": [], \"rules\": []}";
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(app.uri(path))
                .header("Authorization", "Bearer " + secret)
                .header("Content-Type", "application/json");
    }
}
