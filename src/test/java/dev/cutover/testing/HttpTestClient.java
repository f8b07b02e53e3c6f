package dev.cutover.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.http.JsonMapping;
import java.net.http.HttpResponse;

/**
 * What tests use to talk HTTP to the app beyond {@link TestApp#get} and {@link TestApp#send}, in one place: reading
 * JSON answers with the app's own Jackson configuration.
 */
public final class HttpTestClient {
    private static final ObjectMapper JSON = JsonMapping.objectMapper();

    private HttpTestClient() {
    }

    /** The response body as a JSON tree; an AssertionError showing the status and body when it is not JSON. */
    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new AssertionError("Not JSON (" + response.statusCode() + "): " + response.body(), e);
        }
    }

    /** Text (a body, an event's data, a line a client printed) as a JSON tree; an AssertionError when it is not JSON. */
    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError("Not JSON: " + text, e);
        }
    }
}
