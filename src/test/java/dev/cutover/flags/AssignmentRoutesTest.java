package dev.cutover.flags;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.HttpTestClient;
import dev.cutover.testing.TestApp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AssignmentRoutesTest {
    private static TestApp app;

    @BeforeAll
    static void startApp() {
        app = TestApp.start();
    }

    @AfterAll
    static void stopApp() {
        app.close();
    }

    @Test
    void aFreshDatabaseAssignsEverySessionToWebspeechByTheSplitAtZeroPercent() {
        HttpResponse<String> response = app.get("/api/v1/assignment?sessionId=abc123");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        int bucket = StickyBucketing.bucketOf(FlagSnapshot.FLAG_KEY, "abc123");
        assertThat(response.body()).isEqualTo("{\"flag\":\"transcription-provider\",\"provider\":\"webspeech\","
                + "\"reason\":\"SPLIT\",\"percentage\":0.00,\"bucket\":" + bucket + ",\"version\":1,\"status\":\"ACTIVE\"}");
    }

    @Test
    void theUserIdIsTheStickyIdWhenGivenAndMayComeAlone() {
        HttpResponse<String> withBoth = app.get("/api/v1/assignment?sessionId=s-1&userId=u-42");
        HttpResponse<String> userOnly = app.get("/api/v1/assignment?userId=u-42");

        int bucket = StickyBucketing.bucketOf(FlagSnapshot.FLAG_KEY, "u-42");
        assertThat(withBoth.statusCode()).isEqualTo(200);
        assertThat(userOnly.statusCode()).isEqualTo(200);
        assertThat(withBoth.body()).contains("\"bucket\":" + bucket + ",");
        assertThat(userOnly.body()).isEqualTo(withBoth.body());
    }

    @Test
    void percentEncodedIdsAreDecodedBeforeBucketing() {
        HttpResponse<String> response = app.get("/api/v1/assignment?sessionId=caf%C3%A9+1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"bucket\":" + StickyBucketing.bucketOf(FlagSnapshot.FLAG_KEY, "café 1") + ",");
    }

    @Test
    void aRequestWithNeitherIdIsRefusedWithAJsonError() {
        assertBadRequest(app.get("/api/v1/assignment"), "missing_id");
        assertBadRequest(app.get("/api/v1/assignment?sessionId=&userId="), "missing_id");
        assertBadRequest(app.get("/api/v1/assignment?other=1"), "missing_id");
    }

    @Test
    void idsLongerThan256CharactersAreRefused() {
        assertThat(app.get("/api/v1/assignment?sessionId=" + "s".repeat(256)).statusCode()).isEqualTo(200);
        assertBadRequest(app.get("/api/v1/assignment?sessionId=" + "s".repeat(257)), "id_too_long");
        assertBadRequest(app.get("/api/v1/assignment?sessionId=a&userId=" + "u".repeat(257)), "id_too_long");
        assertBadRequest(app.get("/api/v1/assignment?sessionId=" + "%41".repeat(1000)), "id_too_long");
    }

    @Test
    void aUriTooLongForTheServerIsStillAnsweredWithAJsonError() {
        HttpResponse<String> response = app.get("/api/v1/assignment?sessionId=" + "s".repeat(20_000));

        assertThat(response.statusCode()).isEqualTo(414);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(response.body()).contains("\"error\":\"uri_too_long\"");
    }

    @Test
    void invalidUtf8InTheQueryIsRefusedNotReplaced() {
        assertBadRequest(app.get("/api/v1/assignment?sessionId=%C3%28"), "invalid_encoding");
        assertBadRequest(app.get("/api/v1/assignment?sessionId=%FF"), "invalid_encoding");
    }

    @Test
    void malformedPercentEscapesAreRefusedWithAJsonError() {
        for (String query : List.of("sessionId=abc%2", "userId=%ZZ", "sessionId=%", "sessionId=%E2%82")) {
            // java.net.URI refuses malformed escapes, so these requests are written by hand.
            HttpResponse<String> response = HttpTestClient.raw(app.port(), "GET /api/v1/assignment?" + query
                    + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(response.body()).as(query).contains("\"error\":\"invalid_encoding\"");
        }
    }

    @Test
    void otherMethodsOnTheAssignmentAnswer405WithAJsonError() {
        HttpResponse<String> response = app.send(HttpRequest.newBuilder(app.uri("/api/v1/assignment?sessionId=a"))
                .DELETE().build());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.body()).contains("\"error\":\"method_not_allowed\"");
    }

    private static void assertBadRequest(HttpResponse<String> response, String code) {
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(response.body()).contains("\"error\":\"" + code + "\"");
    }
}
