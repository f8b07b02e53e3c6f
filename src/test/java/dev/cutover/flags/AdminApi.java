package dev.cutover.flags;

import dev.cutover.testing.TestApp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Admin API calls against a running {@link TestApp}, authenticated with one secret. */
record AdminApi(TestApp app, String secret) {
    static final String FLAG = "/api/v1/flags/transcription-provider";

    HttpResponse<String> get(String path) {
        return app.send(request(path).GET().build());
    }

    HttpResponse<String> patch(String path, String json) {
        return app.send(request(path).method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpResponse<String> post(String path, String json) {
        return app.send(request(path).POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpResponse<String> delete(String path) {
        return app.send(request(path).DELETE().build());
    }

    HttpResponse<String> setPercentage(String percentage, long expectedVersion) {
        return patch(FLAG, "{\"percentage\": " + percentage + ", \"expectedVersion\": " + expectedVersion + "}");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(app.uri(path))
                .header("Authorization", "Bearer " + secret)
                .header("Content-Type", "application/json");
    }
}
