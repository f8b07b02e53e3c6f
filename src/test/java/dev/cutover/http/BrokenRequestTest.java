package dev.cutover.http;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.HttpTestClient;
import dev.cutover.testing.HttpTestClient.RawResponse;
import dev.cutover.testing.LogCapture;
import dev.cutover.testing.TestApp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests broken at the HTTP level, as an attacker or a flaky network sends them: each is a small JSON 4xx within
 * 2 s, with no ERROR line in the log and nothing stored or changed.
 */
class BrokenRequestTest {
    private static final String TOKEN = "broken-request-admin";
    private static final String OVERRIDES = "/api/v1/flags/transcription-provider/overrides";
    private static final List<String> JSON_POSTS = List.of("/ofrep/v1/evaluate/flags",
            "/ofrep/v1/evaluate/flags/transcription-provider", OVERRIDES);
    private static TestApp app;

    @BeforeAll
    static void startApp() {
        app = TestApp.builder().env("ADMIN_TOKEN", "ops:" + TOKEN).env("WHISPER_API_KEY", "k").start();
    }

    @AfterAll
    static void stopApp() {
        app.close();
    }

    @Test
    void aChunkSizeThatIsNotHexIsA400AndNothingIsStored() {
        for (String path : JSON_POSTS) {
            String before = state();
            int mark = LogCapture.mark();

            RawResponse answer = HttpTestClient.raw(app.port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");

            assertSmallJsonError(answer, path, 400);
            assertThat(LogCapture.errorsSince(mark)).as(path).isEmpty();
            assertThat(state()).as(path).isEqualTo(before);
        }
    }

    @Test
    void aBodyCutOffBeforeItsContentLengthIsA400AndNothingIsStored() {
        for (String path : JSON_POSTS) {
            String before = state();
            int mark = LogCapture.mark();

            RawResponse answer = HttpTestClient.rawHalfClosed(app.port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"context\":{}}");

            assertSmallJsonError(answer, path, 400);
            assertThat(LogCapture.errorsSince(mark)).as(path).isEmpty();
            assertThat(state()).as(path).isEqualTo(before);
        }
    }

    @Test
    void aBodyLargerThanTheJsonLimitIsA413WithoutBeingRead() {
        for (String path : JSON_POSTS) {
            int mark = LogCapture.mark();

            RawResponse answer = HttpTestClient.raw(app.port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 900000000\r\n\r\n{");

            assertSmallJsonError(answer, path, 413);
            assertThat(LogCapture.errorsSince(mark)).as(path).isEmpty();
        }
    }

    @Test
    void headOnAdminRoutesNeedsTheTokenLikeGet() {
        for (String path : List.of("/api/v1/flags/transcription-provider", OVERRIDES, "/api/v1/audit")) {
            HttpResponse<String> anonymous = app.send(HttpRequest.newBuilder(app.uri(path))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
            HttpResponse<String> operator = app.send(HttpRequest.newBuilder(app.uri(path)).header("Authorization", "Bearer " + TOKEN)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());

            assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
            assertThat(anonymous.body()).isEmpty();
            assertThat(operator.statusCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void healthNamesTheModelButShowsItsPathOnlyToOperators() {
        HttpResponse<String> anonymous = app.get("/health");
        HttpResponse<String> operator = new AdminApi(app, TOKEN).get("/health");
        String modelPath = json(operator).path("model").path("path").asText();

        JsonNode model = json(anonymous).path("model");
        assertThat(model.path("name").asText()).isNotBlank();
        assertThat(model.path("loaded").asBoolean()).isTrue();
        assertThat(model.has("path")).isFalse();
        assertThat(modelPath).startsWith("/");
        assertThat(anonymous.body()).doesNotContain(modelPath).doesNotContain("/tmp/");
    }

    private static void assertSmallJsonError(RawResponse answer, String path, int status) {
        assertThat(answer.text()).as(path).startsWith("HTTP/1.1 " + status);
        assertThat(answer.text()).as(path).containsIgnoringCase("content-type: application/json");
        String body = answer.body();
        assertThat(body.length()).as(path).isLessThan(4096);
        assertThat(body).as(path).startsWith("{");
        assertThat(answer.elapsed()).as(path).isLessThan(Duration.ofSeconds(2));
    }

    /** What would change if a broken request were stored: the flag (with its version) and its overrides. */
    private static String state() {
        AdminApi operator = new AdminApi(app, TOKEN);
        return operator.get(AdminApi.FLAG).body() + operator.get("/api/v1/audit?limit=5").body();
    }
}
