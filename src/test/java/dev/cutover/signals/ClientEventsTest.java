package dev.cutover.signals;

import static dev.cutover.signals.SignalsFleetTest.admin;
import static dev.cutover.signals.SignalsFleetTest.attempt;
import static dev.cutover.signals.SignalsFleetTest.attempts;
import static dev.cutover.signals.SignalsFleetTest.postEvents;
import static dev.cutover.testing.AdminApi.provider;
import static dev.cutover.signals.SignalsFleetTest.view;
import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.LogCapture;
import dev.cutover.testing.MultipartBody;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestAudio;
import dev.cutover.testing.TestClock;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/** POST /api/v1/events as the internet sends it: bad batches count nothing, floods are limited, retries count once. */
class ClientEventsTest {
    private static final Duration FLUSHED = Duration.ofSeconds(20);

    @Test
    void everyBadBatchIsA4xxJsonErrorAndNothingOfItIsCounted() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = SignalsFleetTest.start(clock)) {
            String good = attempt("g", "whisper", "ok", 100, 1000);
            String many = many(101);
            List<Bad> cases = List.of(
                    new Bad("not JSON", "{events: nope", 400, "malformed_json"),
                    new Bad("not an object", "[1,2,3]", 400, "malformed_json"),
                    new Bad("no events", "{}", 400, "missing_events"),
                    new Bad("101 events", "{\"events\":[" + many + "]}", 413, "too_many_events"),
                    new Bad("10,000 events", "{\"events\":[" + many(10_000) + "]}", 413, "body_too_large"),
                    new Bad("1 MiB body", "{\"events\":[" + good + "],\"pad\":\"" + "x".repeat(1 << 20) + "\"}", 413, "body_too_large"),
                    new Bad("unknown type", "{\"events\":[" + good + ",{\"type\":\"click\",\"sessionId\":\"s\",\"provider\":\"whisper\"}]}", 400, "invalid_event"),
                    new Bad("unknown provider", "{\"events\":[" + good + "," + attempt("s", "siri", "ok", 1, 1) + "]}", 400, "invalid_event"),
                    new Bad("unknown outcome", "{\"events\":[" + good + "," + attempt("s", "whisper", "meh", 1, 1) + "]}", 400, "invalid_event"),
                    new Bad("provider in another case", "{\"events\":[" + attempt("s", "Whisper", "ok", 1, 1) + "]}", 400, "invalid_event"),
                    new Bad("negative latency", "{\"events\":[" + good + "," + attempt("s", "whisper", "ok", -5, 1) + "]}", 400, "invalid_event"),
                    new Bad("NaN latency", "{\"events\":[" + good.replace("\"latencyMs\":100", "\"latencyMs\":NaN") + "]}", 400, "malformed_json"),
                    new Bad("latency as text", "{\"events\":[" + good.replace("\"latencyMs\":100", "\"latencyMs\":\"100\"") + "]}", 400, "invalid_event"),
                    new Bad("latency over an hour", "{\"events\":[" + attempt("s", "whisper", "ok", 3_600_001, 1) + "]}", 400, "invalid_event"),
                    new Bad("huge exponent", "{\"events\":[" + good.replace("\"latencyMs\":100", "\"latencyMs\":1e999999999") + "]}", 400, null),
                    new Bad("sessionId over 256 characters", "{\"events\":[" + attempt("s".repeat(257), "whisper", "ok", 1, 1) + "]}", 400, "invalid_event"),
                    new Bad("batchId over 256 characters", "{\"batchId\":\"" + "b".repeat(257) + "\",\"events\":[" + good + "]}", 400, "invalid_batch_id"),
                    new Bad("lone surrogate", "{\"events\":[" + attempt("s\\ud800", "whisper", "ok", 1, 1) + "]}", 400, "invalid_event"),
                    new Bad("fallback from webspeech", "{\"events\":[" + attempt("s", "webspeech", "fallback", 1, 1) + "]}", 400, "invalid_event"));
            int mark = LogCapture.mark();
            for (Bad bad : cases) {
                long started = System.nanoTime();
                HttpResponse<String> response = postEvents(app, bad.body());
                assertThat(response.statusCode()).as(bad.name() + ": " + response.body()).isEqualTo(bad.status());
                assertThat(response.body().length()).as(bad.name()).isLessThan(4096);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as(bad.name()).isLessThan(Duration.ofSeconds(2));
                if (bad.code() != null) {
                    assertThat(json(response).path("error").asText()).as(bad.name()).isEqualTo(bad.code());
                }
            }
            HttpResponse<String> invalidUtf8 = app.send(HttpRequest.newBuilder(app.uri("/api/v1/events"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(
                            invalidUtf8Batch())).build());
            assertThat(invalidUtf8.statusCode()).isEqualTo(400);
            HttpResponse<String> xml = app.send(HttpRequest.newBuilder(app.uri("/api/v1/events"))
                    .header("Content-Type", "application/xml").POST(HttpRequest.BodyPublishers.ofString("{\"events\":[]}")).build());
            assertThat(xml.statusCode()).isEqualTo(415);

            HttpResponse<String> named = postEvents(app, "{\"events\":[" + good + "," + attempt("s", "whisper", "ok", -1, 1) + "]}");
            assertThat(json(named).path("index").asInt()).isEqualTo(1);
            assertThat(json(named).path("field").asText()).isEqualTo("latencyMs");

            // One good batch after all of that: the only thing counted.
            assertThat(postEvents(app, "{\"events\":[" + good + "]}").statusCode()).isEqualTo(202);
            clock.advance(FLUSHED);
            Eventually.await(Duration.ofSeconds(10), "the good batch flushed", () -> attempts(app, "5m") >= 1);
            assertThat(attempts(app, "5m")).as("nothing of a refused batch is counted").isEqualTo(1);
            assertThat(LogCapture.errorsSince(mark)).isEmpty();
        }
    }

    @Test
    void aClientOverTheRateLimitGets429WithRetryAfterWhileAnotherClientIsStillAccepted() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = TestApp.builder().env("ADMIN_TOKEN", "ops:" + SignalsFleetTest.ADMIN)
                .env("TRUST_PROXY", "true").env("EVENTS_RATE_LIMIT", "20").clock(clock).start()) {
            String batch = "{\"events\":[" + attempt("r", "webspeech", "ok", 10, 10) + "]}";
            List<Integer> statuses = new ArrayList<>();
            HttpResponse<String> limited = null;
            for (int i = 0; i < 150 && limited == null; i++) {
                HttpResponse<String> response = from(app, "203.0.113.7", batch);
                statuses.add(response.statusCode());
                if (response.statusCode() == 429) {
                    limited = response;
                }
            }
            assertThat(limited).as("statuses: %s", statuses).isNotNull();
            assertThat(statuses.stream().filter(s -> s == 202).count()).as("a burst of 100 first").isGreaterThanOrEqualTo(100);
            assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
            assertThat(json(limited).path("error").asText()).isEqualTo("rate_limited");
            assertThat(from(app, "198.51.100.9", batch).statusCode()).as("another client").isEqualTo(202);
        }
    }

    @Test
    void aBatchSentTwiceWithTheSameBatchIdIsCountedOnce() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = SignalsFleetTest.start(clock)) {
            String batch = "{\"batchId\":\"retry-1\",\"events\":[" + attempt("d1", "whisper", "ok", 10, 10) + ","
                    + attempt("d2", "whisper", "error", 10, 10) + "]}";
            HttpResponse<String> first = postEvents(app, batch);
            HttpResponse<String> again = postEvents(app, batch);

            assertThat(json(first).path("accepted").asInt()).isEqualTo(2);
            assertThat(again.statusCode()).isEqualTo(202);
            assertThat(json(again).path("duplicate").asBoolean()).isTrue();
            clock.advance(FLUSHED);
            Eventually.await(Duration.ofSeconds(10), "flushed", () -> attempts(app, "5m") >= 2);
            assertThat(attempts(app, "5m")).isEqualTo(2);
        }
    }

    @Test
    void everyTranscriptionRequestIsRecordedAsWhisperServerWithTheCallersCohort() {
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = SignalsFleetTest.start(clock)) {
            byte[] audio = TestAudio.toneWav(440, 1.3, 16_000, 1, TestAudio.Encoding.PCM_S16);
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> response = app.send(MultipartBody.create().file("audio", "a.wav", "audio/wav", audio)
                        .post(app.uri("/transcribe")).header("Accept-Language", "fr-FR,fr;q=0.9")
                        .header("User-Agent", "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/17.1 Safari/605.1.15").build());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            }
            HttpResponse<String> bad = app.send(MultipartBody.create().file("audio", "a.wav", "audio/wav", new byte[] {1, 2, 3})
                    .post(app.uri("/transcribe")).build());
            assertThat(bad.statusCode()).isBetween(400, 415);
            clock.advance(FLUSHED);

            JsonNode server = Eventually.await(Duration.ofSeconds(10), "the server window flushed",
                    () -> provider(view(app, "5m"), "whisper", "server"), s -> s.path("attempts").asLong() == 2);
            assertThat(server.path("failures").asLong()).isZero();
            assertThat(server.path("clientErrors").asLong()).as("a bad upload is not a failure").isEqualTo(1);
            assertThat(server.path("cacheLookups").asLong()).isEqualTo(2);
            assertThat(server.path("cacheHits").asLong()).isEqualTo(1);
            assertThat(server.at("/rtf/mean").asDouble()).isPositive();
            JsonNode cohorts = json(admin(app).get("/api/v1/signals?window=5m&by=language")).path("cohorts");
            assertThat(cohorts.findValuesAsText("cohort")).contains("fr");
            JsonNode browsers = json(admin(app).get("/api/v1/signals?window=5m&by=browser")).path("cohorts");
            assertThat(browsers.findValuesAsText("cohort")).contains("safari");
        }
    }

    private static HttpResponse<String> from(TestApp app, String client, String body) {
        return app.send(HttpRequest.newBuilder(app.uri("/api/v1/events")).header("Content-Type", "text/plain;charset=UTF-8")
                .header("X-Forwarded-For", client + ", 10.0.0.1").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static String many(int n) {
        StringJoiner events = new StringJoiner(",");
        for (int i = 0; i < n; i++) {
            events.add(attempt("m" + i, "whisper", "ok", 10, 10));
        }
        return events.toString();
    }

    private static byte[] invalidUtf8Batch() {
        byte[] prefix = "{\"events\":[{\"type\":\"attempt\",\"sessionId\":\"".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] suffix = "\",\"provider\":\"whisper\",\"outcome\":\"ok\",\"latencyMs\":1,\"audioMs\":1}]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = new byte[prefix.length + 2 + suffix.length];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        body[prefix.length] = (byte) 0xC3;
        body[prefix.length + 1] = (byte) 0x28; // not a continuation byte
        System.arraycopy(suffix, 0, body, prefix.length + 2, suffix.length);
        return body;
    }

    private record Bad(String name, String body, int status, String code) {
    }
}
