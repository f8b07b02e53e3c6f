package dev.cutover.testing;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Admin API calls against a running {@link TestApp}, authenticated with one secret. */
public record AdminApi(TestApp app, String secret) {
    public static final String FLAG = "/api/v1/flags/transcription-provider";

    public HttpResponse<String> get(String path) {
        return app.send(request(path).GET().build());
    }

    public HttpResponse<String> patch(String path, String json) {
        return app.send(request(path).method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> post(String path, String json) {
        return app.send(request(path).POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> delete(String path) {
        return app.send(request(path).DELETE().build());
    }

    public HttpResponse<String> setPercentage(String percentage, long expectedVersion) {
        return patch(FLAG, "{\"percentage\": " + percentage + ", \"expectedVersion\": " + expectedVersion + "}");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(app.uri(path))
                .header("Authorization", "Bearer " + secret)
                .header("Content-Type", "application/json");
    }
}
