package dev.cutover.apidocs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.App;
import dev.cutover.flags.AssignmentRoutes;
import dev.cutover.http.UiRoutes;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.HttpTestClient;
import dev.cutover.testing.MultipartBody;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.Uploads;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps openapi.json honest: every route the app serves is in it and everything in it is served (both ways), real
 * answers of the public routes and the main admin routes conform to its schemas, and /docs shows it.
 *
 * <p>What counts as a route: the endpoints registered with Javalin, the routes the request edge answers itself
 * (assignment, GET and HEAD) and the trees of static files (GET on their hosted path). Javalin answers HEAD for every
 * GET and OPTIONS without registering either, so only HEAD routes of their own (assignment's) are documented. The
 * handlers OFREP registers only to answer other methods with its own 405 are not routes: they are listed below, and
 * each must still answer 405, so the list cannot hide a real one.
 */
class OpenApiDocumentTest {
    private static final String API_KEY = "test-api-key";
    private static final String ADMIN_SECRET = "docs-secret";
    private static final Set<String> METHOD_REFUSALS = Set.of(
            "GET /ofrep/v1/evaluate/flags", "PUT /ofrep/v1/evaluate/flags", "PATCH /ofrep/v1/evaluate/flags",
            "DELETE /ofrep/v1/evaluate/flags", "GET /ofrep/v1/evaluate/flags/{key}", "PUT /ofrep/v1/evaluate/flags/{key}",
            "PATCH /ofrep/v1/evaluate/flags/{key}", "DELETE /ofrep/v1/evaluate/flags/{key}",
            "POST /ofrep/v1/events", "PUT /ofrep/v1/events", "PATCH /ofrep/v1/events", "DELETE /ofrep/v1/events");
    private static final Pattern PATH_PARAM = Pattern.compile("<([^>]+)>");

    private static TestApp app;
    private static AdminApi admin;
    private static final OpenApiDocument DOCUMENT = OpenApiDocument.fromClasspath();

    @BeforeAll
    static void start() {
        app = TestApp.builder().env("ADMIN_TOKEN", "docs:" + ADMIN_SECRET).env("WHISPER_API_KEY", API_KEY).start();
        admin = new AdminApi(app, ADMIN_SECRET);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void everyServedRouteIsDocumentedAndEveryDocumentedRouteIsServed() {
        assertThat(differences(servedRoutes(), DOCUMENT.operations())).isEmpty();
    }

    @Test
    void theComparisonNamesARouteMissingFromTheDocumentAndADocumentedRouteThatDoesNotExist() {
        Set<String> served = Set.of("GET /stats", "POST /api/v1/new-thing");
        Set<String> documented = Set.of("GET /stats", "DELETE /api/v1/gone");
        assertThat(differences(served, documented)).containsExactly(
                "served but not in openapi.json: POST /api/v1/new-thing",
                "in openapi.json but not served: DELETE /api/v1/gone");
    }

    @Test
    void theHandlersThatOnlyRefuseAMethodAnswer405() {
        for (String refusal : METHOD_REFUSALS) {
            String[] parts = refusal.split(" ", 2);
            String path = parts[1].replace("{key}", "transcription-provider");
            HttpResponse<String> response = app.send(HttpRequest.newBuilder(app.uri(path))
                    .header("Content-Type", "application/json")
                    .method(parts[0], HttpRequest.BodyPublishers.ofString("{}")).build());
            assertThat(response.statusCode()).as(refusal).isEqualTo(405);
            assertThat(response.headers().firstValue("Allow")).as(refusal).isPresent();
        }
    }

    @Test
    void thePublicRoutesAnswerAsTheirSchemasSay() {
        List<String> problems = new ArrayList<>();
        problems.addAll(DOCUMENT.check("get", "/api/v1/assignment", app.get("/api/v1/assignment?sessionId=s-1&userId=u-1")));
        problems.addAll(DOCUMENT.check("get", "/api/v1/assignment", app.get("/api/v1/assignment")));
        String context = "{\"context\": {\"targetingKey\": \"s-1\"}}";
        problems.addAll(DOCUMENT.check("post", "/ofrep/v1/evaluate/flags/{key}",
                app.post("/ofrep/v1/evaluate/flags/transcription-provider", context)));
        problems.addAll(DOCUMENT.check("post", "/ofrep/v1/evaluate/flags/{key}", app.post("/ofrep/v1/evaluate/flags/nope", context)));
        problems.addAll(DOCUMENT.check("post", "/ofrep/v1/evaluate/flags/{key}",
                app.post("/ofrep/v1/evaluate/flags/transcription-provider", "{}")));
        problems.addAll(DOCUMENT.check("post", "/ofrep/v1/evaluate/flags", app.post("/ofrep/v1/evaluate/flags", context)));
        problems.addAll(DOCUMENT.check("post", "/ofrep/v1/evaluate/flags", app.post("/ofrep/v1/evaluate/flags", "[]")));
        problems.addAll(DOCUMENT.check("get", "/ofrep/v1/events", app.get("/ofrep/v1/events")));
        problems.addAll(DOCUMENT.check("post", "/api/v1/events", app.post("/api/v1/events", "{\"batchId\": \"b-1\", \"events\": ["
                + "{\"type\": \"attempt\", \"sessionId\": \"s-1\", \"provider\": \"whisper\", \"outcome\": \"ok\", \"latencyMs\": 840, \"audioMs\": 3000},"
                + "{\"type\": \"exposure\", \"sessionId\": \"s-1\", \"provider\": \"webspeech\", \"reason\": \"SPLIT\"}]}")));
        problems.addAll(DOCUMENT.check("post", "/api/v1/events", app.post("/api/v1/events", "{\"events\": [{\"type\": \"click\"}]}")));
        problems.addAll(DOCUMENT.check("get", "/health", app.get("/health")));
        problems.addAll(DOCUMENT.check("get", "/health", admin.get("/health")));
        problems.addAll(DOCUMENT.check("get", "/openapi.json", app.get("/openapi.json")));

        byte[] clip = Uploads.freshWav(1.0);
        problems.addAll(DOCUMENT.check("post", "/transcribe",
                app.send(Uploads.transcribeRequest(app, clip).header("X-API-Key", API_KEY).build())));
        problems.addAll(DOCUMENT.check("post", "/transcribe", app.send(Uploads.transcribeRequest(app, clip).build())));
        problems.addAll(DOCUMENT.check("post", "/v1/audio/transcriptions", openAi(clip, "json", API_KEY)));
        problems.addAll(DOCUMENT.check("post", "/v1/audio/transcriptions", openAi(clip, "verbose_json", API_KEY)));
        problems.addAll(DOCUMENT.check("post", "/v1/audio/transcriptions", openAi(clip, "json", "wrong-key")));
        problems.addAll(DOCUMENT.check("post", "/v1/audio/transcriptions", openAi(clip, "yaml", API_KEY)));
        problems.addAll(DOCUMENT.check("get", "/stats", app.get("/stats")));
        assertThat(problems).isEmpty();
    }

    @Test
    void theMainAdminRoutesAnswerAsTheirSchemasSay() {
        List<String> problems = new ArrayList<>();
        problems.addAll(DOCUMENT.check("get", "/api/v1/rollout", app.get("/api/v1/rollout")));
        problems.addAll(DOCUMENT.check("get", "/api/v1/rollout", admin.get("/api/v1/rollout")));
        HttpResponse<String> plan = admin.get("/api/v1/rollout/plan");
        problems.addAll(DOCUMENT.check("get", "/api/v1/rollout/plan", plan));
        long planVersion = HttpTestClient.json(plan).path("planVersion").asLong();
        problems.addAll(DOCUMENT.check("put", "/api/v1/rollout/plan", admin.put("/api/v1/rollout/plan",
                "{\"expectedVersion\": " + planVersion + ", \"reason\": \"docs test\", \"plan\": "
                        + HttpTestClient.json(plan).path("plan") + "}")));
        problems.addAll(DOCUMENT.check("put", "/api/v1/rollout/plan", admin.put("/api/v1/rollout/plan",
                "{\"expectedVersion\": " + planVersion + ", \"plan\": {\"phases\": []}}")));
        problems.addAll(DOCUMENT.check("post", "/api/v1/rollout/advance", admin.transition("advance", "docs test")));
        long version = HttpTestClient.json(admin.get("/api/v1/rollout")).path("version").asLong();
        problems.addAll(DOCUMENT.check("post", "/api/v1/rollout/advance", admin.post("/api/v1/rollout/advance",
                "{\"expectedVersion\": " + version + ", \"reason\": \"docs test\", \"force\": true}")));
        // In developer-testing, with criteria and rules judged.
        problems.addAll(DOCUMENT.check("get", "/api/v1/rollout", admin.get("/api/v1/rollout")));
        problems.addAll(DOCUMENT.check("post", "/api/v1/rollout/pause", admin.transition("pause", "docs test")));
        problems.addAll(DOCUMENT.check("post", "/api/v1/rollout/pause", admin.post("/api/v1/rollout/pause",
                "{\"expectedVersion\": 1, \"reason\": \"stale\"}")));
        problems.addAll(DOCUMENT.check("post", "/api/v1/rollout/resume", admin.transition("resume", "docs test")));
        problems.addAll(DOCUMENT.check("get", "/api/v1/rollout/evaluations", admin.get("/api/v1/rollout/evaluations?limit=5")));
        problems.addAll(DOCUMENT.check("post", "/api/v1/rollout/plan/simulate", admin.post("/api/v1/rollout/plan/simulate",
                "{\"traffic\": {\"attemptsPerMinute\": 200}, \"hours\": 1, \"runs\": 5, \"seed\": 7}")));
        problems.addAll(DOCUMENT.check("get", "/api/v1/rollout/report", admin.get("/api/v1/rollout/report")));

        String flag = AdminApi.FLAG;
        problems.addAll(DOCUMENT.check("get", "/api/v1/flags/{key}", admin.get(flag)));
        problems.addAll(DOCUMENT.check("get", "/api/v1/flags/{key}", admin.get("/api/v1/flags/nope")));
        problems.addAll(DOCUMENT.check("patch", "/api/v1/flags/{key}", admin.patch(flag, "{\"percentage\": 50}")));
        HttpResponse<String> added = admin.post(flag + "/overrides",
                "{\"list\": \"allow\", \"subject\": \"user\", \"id\": \"dev-42\", \"note\": \"QA laptop\"}");
        problems.addAll(DOCUMENT.check("post", "/api/v1/flags/{key}/overrides", added));
        problems.addAll(DOCUMENT.check("get", "/api/v1/flags/{key}/overrides", admin.get(flag + "/overrides")));
        long id = HttpTestClient.json(added).at("/override/id").asLong();
        problems.addAll(DOCUMENT.check("delete", "/api/v1/flags/{key}/overrides/{id}",
                admin.delete(flag + "/overrides/" + id + "?reason=done")));
        problems.addAll(DOCUMENT.check("get", "/api/v1/audit", admin.get("/api/v1/audit?limit=20")));
        problems.addAll(DOCUMENT.check("get", "/api/v1/signals", admin.get("/api/v1/signals?window=1h&by=cohort")));
        problems.addAll(DOCUMENT.check("get", "/api/v1/signals/series", admin.get("/api/v1/signals/series?metric=p95&span=1h")));
        problems.addAll(DOCUMENT.check("get", "/api/v1/signals/series", admin.get("/api/v1/signals/series")));
        problems.addAll(DOCUMENT.check("get", "/api/v1/instances", admin.get("/api/v1/instances")));
        assertThat(problems).isEmpty();
    }

    @Test
    void theDocumentIsServedPubliclyAndNamesThisVersion() {
        HttpResponse<String> served = app.get("/openapi.json");
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(served.body()).isEqualTo(DOCUMENT.text());
        assertThat(DOCUMENT.root().path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(DOCUMENT.root().at("/info/version").asText()).isEqualTo(App.VERSION);
    }

    @Test
    void theDocsPageIsPublicAndEveryScriptAndStyleItNamesIsServed() {
        for (String path : List.of("/docs", "/docs/")) {
            HttpResponse<String> page = app.get(path);
            assertThat(page.statusCode()).as(path).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(page.headers().firstValue("Content-Security-Policy"))
                    .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline"));
        }
        String html = app.get("/docs/").body();
        assertThat(html).doesNotContain("<script>").doesNotContain("<style");
        Matcher assets = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
        List<String> urls = new ArrayList<>();
        while (assets.find()) {
            urls.add(assets.group(1));
        }
        assertThat(urls).contains("/vendor/swagger-ui/swagger-ui-bundle.js", "/vendor/swagger-ui/swagger-ui.css", "/docs/docs.js");
        for (String url : urls) {
            assertThat(app.get(url).statusCode()).as(url).isEqualTo(200);
        }
        assertThat(app.get("/docs/docs.js").body()).contains("'/openapi.json'");
    }

    private static HttpResponse<String> openAi(byte[] clip, String format, String key) {
        return app.send(MultipartBody.create().file("file", "clip.wav", "audio/wav", clip).field("model", "whisper-1")
                .field("response_format", format).post(app.uri("/v1/audio/transcriptions")).header("X-API-Key", key).build());
    }

    /** Javalin's endpoints, the edge's routes and the static trees, as {@code METHOD path} with {@code {param}}s. */
    private static Set<String> servedRoutes() {
        Set<String> served = new TreeSet<>();
        for (String endpoint : app.javalinEndpoints()) {
            String normalised = PATH_PARAM.matcher(endpoint).replaceAll("{$1}");
            if (!METHOD_REFUSALS.contains(normalised)) {
                served.add(normalised);
            }
        }
        AssignmentRoutes.METHODS.forEach(method -> served.add(method + " " + AssignmentRoutes.PATH));
        UiRoutes.HOSTED_PATHS.forEach(path -> served.add("GET " + path));
        return served;
    }

    private static List<String> differences(Set<String> served, Set<String> documented) {
        List<String> differences = new ArrayList<>();
        new TreeSet<>(served).stream().filter(r -> !documented.contains(r))
                .forEach(r -> differences.add("served but not in openapi.json: " + r));
        new TreeSet<>(documented).stream().filter(r -> !served.contains(r))
                .forEach(r -> differences.add("in openapi.json but not served: " + r));
        return differences;
    }
}
