package dev.cutover.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestApp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CorsTest {
    private static final String APP_ORIGIN = "https://app.example.com";
    private static TestApp app;

    @BeforeAll
    static void startAppAllowingOneOrigin() {
        app = TestApp.builder().env("CUTOVER_CORS_ORIGINS", "https://admin.example.com, " + APP_ORIGIN + "/").start();
    }

    @AfterAll
    static void stopApp() {
        app.close();
    }

    @Test
    void preflightsFromAnAllowedOriginAreAnsweredForTheAssignmentOfrepAndTheEventStream() {
        for (String path : List.of("/api/v1/assignment", "/ofrep/v1/evaluate/flags", "/ofrep/v1/evaluate/flags/transcription-provider",
                "/ofrep/v1/events", "/api/v1/flags/transcription-provider")) {
            HttpResponse<String> response = preflight(app, path, APP_ORIGIN, "POST", "content-type,if-none-match");

            assertThat(response.statusCode()).as(path).isEqualTo(204);
            assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP_ORIGIN);
            assertThat(response.headers().firstValue("Vary")).hasValue("Origin");
            assertThat(list(response, "Access-Control-Allow-Methods")).contains("get", "post", "patch", "options");
            assertThat(list(response, "Access-Control-Allow-Headers"))
                    .contains("content-type", "authorization", "if-none-match", "x-api-key");
            assertThat(response.headers().firstValue("Access-Control-Max-Age")).isPresent();
        }
    }

    @Test
    void actualRequestsFromAnAllowedOriginMayReadTheEtag() {
        HttpResponse<String> response = app.send(HttpRequest.newBuilder(app.uri("/ofrep/v1/evaluate/flags"))
                .header("Origin", APP_ORIGIN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"context\":{\"targetingKey\":\"s\"}}")).build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP_ORIGIN);
        assertThat(list(response, "Access-Control-Expose-Headers")).contains("etag");
        assertThat(response.headers().firstValue("ETag")).isPresent();
    }

    @Test
    void otherOriginsGetNoCorsHeadersAndTheirPreflightsAreRefused() {
        HttpResponse<String> request = app.send(HttpRequest.newBuilder(app.uri("/api/v1/assignment?sessionId=s"))
                .header("Origin", "https://evil.example.net").GET().build());
        HttpResponse<String> preflight = preflight(app, "/ofrep/v1/evaluate/flags", "https://evil.example.net", "POST", "content-type");

        assertThat(request.statusCode()).isEqualTo(200);
        assertThat(request.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(preflight.statusCode()).isEqualTo(403);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(preflight.body()).contains("\"error\":\"cors_origin_not_allowed\"");
    }

    @Test
    void aStarAllowsEveryOriginAndNoSettingSendsNoCorsHeaders() {
        try (TestApp any = TestApp.builder().env("CUTOVER_CORS_ORIGINS", "*").start();
             TestApp none = TestApp.start()) {
            HttpResponse<String> anyPreflight = preflight(any, "/ofrep/v1/evaluate/flags", "http://localhost:5173", "POST", "content-type");
            HttpResponse<String> nonePreflight = preflight(none, "/ofrep/v1/evaluate/flags", "http://localhost:5173", "POST", "content-type");

            assertThat(anyPreflight.statusCode()).isEqualTo(204);
            assertThat(anyPreflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
            assertThat(nonePreflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            assertThat(nonePreflight.statusCode()).isEqualTo(405);
        }
    }

    private static HttpResponse<String> preflight(TestApp target, String path, String origin, String method, String headers) {
        return target.send(HttpRequest.newBuilder(target.uri(path))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", headers)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
    }

    private static List<String> list(HttpResponse<String> response, String header) {
        return Arrays.stream(response.headers().firstValue(header).orElse("").split(","))
                .map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
    }
}
