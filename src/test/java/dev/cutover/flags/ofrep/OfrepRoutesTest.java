package dev.cutover.flags.ofrep;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.flags.FlagSnapshot;
import dev.cutover.flags.FlagStatus;
import dev.cutover.flags.OverrideSubject;
import dev.cutover.flags.StickyBucketing;
import dev.cutover.testing.HttpTestClient;
import dev.cutover.testing.TestApp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OfrepRoutesTest {
    private static final String SINGLE = "/ofrep/v1/evaluate/flags/transcription-provider";
    private static final String BULK = "/ofrep/v1/evaluate/flags";

    private static TestApp app;
    private static long version;

    @BeforeAll
    static void startAppAt50PercentWithOneAllowlistedUser() {
        app = TestApp.builder().env("ADMIN_TOKEN", FlagWrites.ADMIN_TOKEN).start();
        FlagWrites flags = FlagWrites.on(app);
        flags.set("50.00", FlagStatus.ACTIVE);
        version = flags.allow(OverrideSubject.USER, "dev-alice");
        app.awaitAssignment("sessionId=probe", version, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stopApp() {
        app.close();
    }

    @Test
    void aSingleFlagEvaluationHasTheProtocolShapeAndAgreesWithTheAssignmentApi() {
        HttpResponse<String> response = app.post(SINGLE, "{\"context\":{\"targetingKey\":\"session-1\",\"plan\":\"free\"}}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = json(response.body());
        JsonNode assignment = json(app.get("/api/v1/assignment?sessionId=session-1").body());
        assertThat(fieldNames(body)).containsExactly("key", "value", "reason", "variant", "metadata");
        assertThat(body.get("key").asText()).isEqualTo("transcription-provider");
        assertThat(body.get("value").asText()).isEqualTo(assignment.get("provider").asText()).isIn("webspeech", "whisper");
        assertThat(body.get("variant").asText()).isEqualTo(body.get("value").asText());
        assertThat(body.get("reason").asText()).isEqualTo("SPLIT");
        JsonNode metadata = body.get("metadata");
        assertThat(metadata.get("bucket").asInt()).isEqualTo(StickyBucketing.bucketOf(FlagSnapshot.FLAG_KEY, "session-1"));
        assertThat(metadata.get("percentage").decimalValue()).isEqualByComparingTo("50");
        assertThat(metadata.get("version").asLong()).isEqualTo(version);
        assertThat(metadata.get("assignmentReason").asText()).isEqualTo("SPLIT");
        metadata.fields().forEachRemaining(f -> assertThat(f.getValue().isValueNode()).as(f.getKey()).isTrue());
    }

    @Test
    void theUserIdIsTheStickyIdAndAnAllowlistedUserGetsWhisperAsATargetingMatch() {
        JsonNode body = json(app.post(SINGLE, "{\"context\":{\"targetingKey\":\"any-session\",\"userId\":\"dev-alice\"}}").body());

        assertThat(body.get("value").asText()).isEqualTo("whisper");
        assertThat(body.get("reason").asText()).isEqualTo("TARGETING_MATCH");
        assertThat(body.get("metadata").get("assignmentReason").asText()).isEqualTo("ALLOWLIST");
        assertThat(body.get("metadata").get("bucket").asInt()).isEqualTo(StickyBucketing.bucketOf(FlagSnapshot.FLAG_KEY, "dev-alice"));
    }

    @Test
    void theBulkEvaluationListsTheFlagAndAdvertisesTheEventStream() {
        HttpResponse<String> response = app.post(BULK, "{\"context\":{\"targetingKey\":\"session-2\"}}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(response.headers().firstValue("ETag")).hasValueSatisfying(v -> assertThat(v).matches("\"[A-Za-z0-9_-]{22}\""));
        JsonNode body = json(response.body());
        assertThat(fieldNames(body)).containsExactly("flags", "eventStreams", "metadata");
        assertThat(body.get("flags")).hasSize(1);
        JsonNode single = json(app.post(SINGLE, "{\"context\":{\"targetingKey\":\"session-2\"}}").body());
        assertThat(body.get("flags").get(0)).isEqualTo(single);
        assertThat(body.get("eventStreams")).isEqualTo(json(
                "[{\"type\":\"sse\",\"endpoint\":{\"requestUri\":\"/ofrep/v1/events\"},\"inactivityDelaySec\":120}]"));
        assertThat(body.get("metadata").get("version").asLong()).isEqualTo(version);
    }

    @Test
    void theSameContextGetsTheSameEtagAndIfNoneMatchThenGets304WithNoBody() {
        String context = "{\"context\":{\"targetingKey\":\"session-3\"}}";
        String etag = app.post(BULK, context).headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> again = app.post(BULK, context, "If-None-Match", etag);
        HttpResponse<String> weakForm = app.post(BULK, context, "If-None-Match", "\"other\", W/" + etag);
        HttpResponse<String> otherContext = app.post(BULK, "{\"context\":{\"targetingKey\":\"session-4\"}}", "If-None-Match", etag);

        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("ETag")).hasValue(etag);
        assertThat(weakForm.statusCode()).isEqualTo(304);
        assertThat(otherContext.statusCode()).isEqualTo(200);
        assertThat(otherContext.headers().firstValue("ETag")).isNotEqualTo(etag);
    }

    @Test
    void malformedJsonIsAParseError() {
        for (String body : List.of("{\"context\":", "not json", "", "{\"context\":{\"targetingKey\":\"a\"}} trailing",
                "[1,2]", "\"just a string\"", "[".repeat(60_000))) {
            assertError(app.post(SINGLE, body), 400, "PARSE_ERROR", true);
            assertError(app.post(BULK, body), 400, "PARSE_ERROR", false);
        }
    }

    @Test
    void aMissingTargetingKeyIsRefusedAsTargetingKeyMissing() {
        for (String body : List.of("{}", "{\"context\":null}", "{\"context\":{}}", "{\"context\":{\"targetingKey\":\"\"}}",
                "{\"context\":{\"userId\":\"dev-alice\"}}")) {
            assertError(app.post(SINGLE, body), 400, "TARGETING_KEY_MISSING", true);
            assertError(app.post(BULK, body), 400, "TARGETING_KEY_MISSING", false);
        }
    }

    @Test
    void anInvalidContextIsRefusedAsInvalidContext() {
        for (String body : List.of("{\"context\":\"session-1\"}", "{\"context\":[]}", "{\"context\":{\"targetingKey\":42}}",
                "{\"context\":{\"targetingKey\":{\"id\":1}}}", "{\"context\":{\"targetingKey\":\"" + "k".repeat(257) + "\"}}",
                "{\"context\":{\"targetingKey\":\"s\",\"userId\":7}}",
                "{\"context\":{\"targetingKey\":\"s\",\"userId\":\"" + "u".repeat(257) + "\"}}")) {
            assertError(app.post(SINGLE, body), 400, "INVALID_CONTEXT", true);
            assertError(app.post(BULK, body), 400, "INVALID_CONTEXT", false);
        }
        assertThat(app.post(SINGLE, "{\"context\":{\"targetingKey\":\"" + "k".repeat(256) + "\"}}").statusCode()).isEqualTo(200);
    }

    @Test
    void anUnknownFlagIsFlagNotFound() {
        HttpResponse<String> response = app.post("/ofrep/v1/evaluate/flags/dark-mode", "{\"context\":{\"targetingKey\":\"s\"}}");

        assertError(response, 404, "FLAG_NOT_FOUND", true);
        assertThat(json(response.body()).get("key").asText()).isEqualTo("dark-mode");
    }

    @Test
    void otherMethodsAnswer405WithAJsonErrorAndTheAllowedMethod() {
        for (String path : List.of(SINGLE, BULK)) {
            for (String method : List.of("GET", "PUT", "PATCH", "DELETE")) {
                HttpResponse<String> response = app.send(HttpRequest.newBuilder(app.uri(path))
                        .method(method, HttpRequest.BodyPublishers.ofString("{}")).build());
                assertThat(response.statusCode()).as(method + " " + path).isEqualTo(405);
                assertThat(response.headers().firstValue("Allow")).hasValue("POST");
                assertThat(json(response.body()).get("error").asText()).isEqualTo("method_not_allowed");
            }
        }
        HttpResponse<String> postToStream = app.send(HttpRequest.newBuilder(app.uri("/ofrep/v1/events"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(postToStream.statusCode()).isEqualTo(405);
        assertThat(postToStream.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void oddInputNeverCausesAServerError() {
        List<String> bodies = List.of("{\"context\":{\"targetingKey\":\"\\u0000\\uD83D\\uDE00\"}}", "null", "0",
                "{\"context\":{\"targetingKey\":\"s\",\"userId\":null}}", "{\"context\":{\"targetingKey\":\"s\",\"n\":1e999999}}",
                "{\"context\":{\"targetingKey\":\"s\"},\"context\":{}}", "\uFEFF{}", "{\"a\":" + "{\"a\":".repeat(5000),
                "{\"context\":{\"targetingKey\":\"\\uD800\"}}");
        for (String body : bodies) {
            for (String path : List.of(SINGLE, BULK, "/ofrep/v1/evaluate/flags/%00", "/ofrep/v1/evaluate/flags/" + "x".repeat(2000))) {
                HttpResponse<String> response = path.contains("%00")
                        ? postOnItsOwnConnection(path, body) : app.post(path, body);
                assertThat(response.statusCode()).as(path + " " + body.substring(0, Math.min(40, body.length()))).isBetween(200, 499);
                assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            }
        }
    }

    @Test
    void aBodyLargerThanTheRequestLimitIsRefusedWithAJsonError() {
        String huge = "{\"context\":{\"targetingKey\":\"s\",\"padding\":\"" + "x".repeat(2_000_000) + "\"}}";

        for (String path : List.of(SINGLE, BULK)) {
            HttpResponse<String> response = app.post(path, huge);
            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        }
    }

    private static void assertError(HttpResponse<String> response, int status, String code, boolean withKey) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = json(response.body());
        assertThat(body.get("errorCode").asText()).isEqualTo(code);
        assertThat(body.get("errorDetails").asText()).isNotBlank();
        assertThat(body.has("key")).isEqualTo(withKey);
    }

    /** Jetty closes the connection after refusing a malformed URI, so such a request must not share the client's pool. */
    private static HttpResponse<String> postOnItsOwnConnection(String path, String body) {
        return HttpTestClient.sendOnItsOwnConnection(HttpTestClient.postJson(app.uri(path), body).build());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
