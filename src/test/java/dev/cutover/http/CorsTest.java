package dev.cutover.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.HttpTestClient;
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

    /** Every class of route: the public ones browsers call, and the ones that must never answer CORS. */
    private static final List<String> PUBLIC = List.of("/api/v1/assignment?sessionId=s", "/ofrep/v1/evaluate/flags",
            "/ofrep/v1/evaluate/flags/transcription-provider", "/ofrep/v1/events", "/api/v1/events");
    private static final List<String> NOT_PUBLIC = List.of("/api/v1/flags/transcription-provider",
            "/api/v1/flags/transcription-provider/overrides", "/api/v1/flags/transcription-provider/overrides/1",
            "/api/v1/audit", "/api/v1/signals", "/api/v1/signals/series", "/api/v1/instances", "/transcribe", "/v1/audio/transcriptions", "/metrics", "/health", "/stats",
            "/no/such/path", "/api/v1/assignmentx", "/admin/", "/admin/app.js", "/demo/", "/client/cutover-client.js",
            "/vendor/uplot/dist/uPlot.esm.js", "/api/v1/rollout", "/api/v1/rollout/plan/simulate");

    @Test
    void preflightsFromAnAllowedOriginAreAnsweredForThePublicRoutesOnlyWithoutCredentialsOrWriteMethods() {
        for (String path : PUBLIC) {
            HttpResponse<String> response = preflight(app, path, APP_ORIGIN, "POST", "content-type,if-none-match");

            assertThat(response.statusCode()).as(path).isEqualTo(204);
            assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).as(path).hasValue(APP_ORIGIN);
            assertThat(response.headers().firstValue("Vary")).as(path).hasValue("Origin");
            assertThat(list(response, "Access-Control-Allow-Methods")).as(path).contains("get", "post", "options")
                    .doesNotContain("patch", "delete", "put");
            assertThat(list(response, "Access-Control-Allow-Headers")).as(path).contains("content-type", "if-none-match")
                    .doesNotContain("authorization", "x-api-key");
            assertThat(response.headers().firstValue("Access-Control-Max-Age")).as(path).isPresent();
        }
        for (String path : NOT_PUBLIC) {
            for (String method : List.of("GET", "POST", "PATCH", "DELETE")) {
                HttpResponse<String> response = preflight(app, path, APP_ORIGIN, method, "authorization,content-type");

                assertThat(response.statusCode()).as(method + " " + path).isNotEqualTo(204).isNotEqualTo(200);
                assertThat(response.headers().map().keySet()).as(method + " " + path)
                        .noneMatch(name -> name.toLowerCase(Locale.ROOT).startsWith("access-control-"));
            }
        }
    }

    @Test
    void requestsFromAnAllowedOriginGetCorsHeadersOnThePublicRoutesOnlyAndVaryOriginAlways() {
        for (String path : PUBLIC) {
            HttpResponse<?> withOrigin = headersOf(get(path).header("Origin", APP_ORIGIN).build());
            HttpResponse<?> without = headersOf(get(path).build());
            HttpResponse<?> otherOrigin = headersOf(get(path).header("Origin", "https://evil.example.net").build());

            assertThat(withOrigin.headers().firstValue("Access-Control-Allow-Origin")).as(path).hasValue(APP_ORIGIN);
            for (HttpResponse<?> response : List.of(withOrigin, without, otherOrigin)) {
                assertThat(response.headers().allValues("Vary")).as(path).contains("Origin");
            }
            assertThat(otherOrigin.headers().firstValue("Access-Control-Allow-Origin")).as(path).isEmpty();
        }
        for (String path : NOT_PUBLIC) {
            HttpResponse<String> response = app.send(get(path).header("Origin", APP_ORIGIN).build());

            assertThat(response.headers().map().keySet()).as(path)
                    .noneMatch(name -> name.toLowerCase(Locale.ROOT).startsWith("access-control-"));
        }
    }

    /** The status and headers only, so the event stream (which never ends) can be asked too. */
    private static HttpResponse<?> headersOf(HttpRequest request) {
        try {
            HttpResponse<java.io.InputStream> response = HttpTestClient.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
            response.body().close();
            return response;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(app.uri(path)).timeout(java.time.Duration.ofSeconds(5)).GET();
    }

    @Test
    void actualRequestsFromAnAllowedOriginMayReadTheEtag() {
        HttpResponse<String> response = app.post("/ofrep/v1/evaluate/flags", "{\"context\":{\"targetingKey\":\"s\"}}",
                "Origin", APP_ORIGIN);

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
