package dev.cutover.flags.ofrep;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.flags.FlagStatus;
import dev.cutover.testing.TestApp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OfrepEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String BULK = "/ofrep/v1/evaluate/flags";

    private static TestApp app;

    @BeforeAll
    static void startApp() {
        app = TestApp.builder().env("ADMIN_TOKEN", FlagWrites.ADMIN_TOKEN).start();
    }

    @AfterAll
    static void stopApp() {
        app.close();
    }

    @Test
    void anOpenStreamHearsRefetchEvaluationSoonAfterARollbackAndTheNextBulkCallSeesIt() {
        FlagWrites flags = FlagWrites.on(app);
        app.awaitAssignment("sessionId=probe", flags.set("100.00", FlagStatus.ACTIVE), Duration.ofSeconds(10));
        String context = "{\"context\":{\"targetingKey\":\"tab-1\"}}";
        HttpResponse<String> before = app.post(BULK, context);
        assertThat(flagOf(before).get("value").asText()).isEqualTo("whisper");

        try (SseTestClient stream = SseTestClient.connect(app.uri("/ofrep/v1/events"), null)) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            assertThat(stream.response().headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            SseTestClient.Message first = stream.nextEvent(WAIT);

            long changedAt = System.nanoTime();
            long rolledBack = flags.set("100.00", FlagStatus.ROLLED_BACK);
            SseTestClient.Message change = stream.nextEvent(WAIT);
            long millis = (System.nanoTime() - changedAt) / 1_000_000;

            System.out.println("refetchEvaluation arrived " + millis + " ms after the rollback was asked for");
            assertThat(change.event()).isEqualTo("message");
            assertThat(change.id()).startsWith(rolledBack + "-").isNotEqualTo(first.id());
            JsonNode data = json(change.data());
            assertThat(data.get("type").asText()).isEqualTo("refetchEvaluation");
            assertThat(data.get("etag").asText()).isEqualTo("\"" + change.id() + "\"");
            assertThat(data.get("lastModified").isIntegralNumber()).isTrue();
        }
        HttpResponse<String> after = app.post(BULK, context, "If-None-Match", before.headers().firstValue("ETag").orElseThrow());
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(flagOf(after).get("value").asText()).isEqualTo("webspeech");
        assertThat(flagOf(after).get("reason").asText()).isEqualTo("DISABLED");
    }

    @Test
    void aNewStreamIsToldToRefetchAtOnceUnlessItsLastEventIdIsCurrent() {
        String current;
        try (SseTestClient stream = SseTestClient.connect(app.uri("/ofrep/v1/events"), null)) {
            SseTestClient.Message first = stream.next(WAIT);
            assertThat(json(first.data()).get("type").asText()).isEqualTo("refetchEvaluation");
            current = first.id();
        }
        try (SseTestClient upToDate = SseTestClient.connect(app.uri("/ofrep/v1/events"), current)) {
            assertThat(upToDate.next(WAIT).comment()).isEqualTo("keep-alive");
        }
        try (SseTestClient stale = SseTestClient.connect(app.uri("/ofrep/v1/events"), "0-000000000000")) {
            assertThat(stale.next(WAIT).id()).isEqualTo(current);
        }
    }

    @Test
    void theStreamRefusesClientsThatDoNotAcceptEventStreams() {
        HttpResponse<String> response = app.send(HttpRequest.newBuilder(app.uri("/ofrep/v1/events"))
                .header("Accept", "application/json").GET().build());

        assertThat(response.statusCode()).isEqualTo(406);
        assertThat(json(response.body()).get("error").asText()).isEqualTo("not_acceptable");
    }

    private static JsonNode flagOf(HttpResponse<String> bulk) {
        return json(bulk.body()).get("flags").get(0);
    }
}
