package dev.cutover.signals;

import static dev.cutover.signals.SignalsFleetTest.attempt;
import static dev.cutover.signals.SignalsFleetTest.postEvents;
import static dev.cutover.testing.AdminApi.provider;
import static dev.cutover.signals.SignalsFleetTest.view;
import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.MultipartBody;
import dev.cutover.testing.StoppablePostgres;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestAudio;
import dev.cutover.testing.TestClock;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: PostgreSQL stops for 30 s (of the injected clock) under two instances that keep receiving client events and
 * transcriptions. What must not be lost: any of them, once PostgreSQL is back. Meanwhile /health is DEGRADED and
 * assignment keeps answering.
 */
class SignalsOutageTest {
    @TempDir
    Path postgresData;

    @Test
    void eventsAndTranscriptionsReceivedWhilePostgresIsDownAreAllCountedOnceItIsBack() throws Exception {
        StoppablePostgres postgres = StoppablePostgres.started(postgresData);
        TestClock clock = TestClock.atRoundTime();
        try (TestApp first = TestApp.builder()
                .env("DATABASE_URL", postgres.url())
                .env("ADMIN_TOKEN", "ops:" + SignalsFleetTest.ADMIN).clock(clock).start();
             TestApp second = TestApp.builder().env(first.env()).env("PORT", "0").clock(clock).start()) {
            long events = 0;
            long transcriptions = 0;
            for (int i = 0; i < 4; i++) {
                events += send(i % 2 == 0 ? first : second, "before-" + i);
            }
            transcriptions += transcribe(first);
            clock.advance(Duration.ofSeconds(20));
            long before = events;
            Eventually.await(Duration.ofSeconds(10), "the first windows flushed",
                    () -> provider(view(first, "10m"), "whisper", "client").path("attempts").asLong() == before);

            postgres.stop();
            for (int second30 = 0; second30 < 30; second30++) {
                clock.advance(Duration.ofSeconds(1));
                events += send(second30 % 2 == 0 ? first : second, "during-" + second30);
                if (second30 % 10 == 0) {
                    transcriptions += transcribe(second30 % 20 == 0 ? first : second);
                }
                HttpResponse<String> assignment = first.get("/api/v1/assignment?sessionId=during-" + second30);
                assertThat(assignment.statusCode()).isEqualTo(200);
            }
            for (TestApp app : new TestApp[] {first, second}) {
                JsonNode health = Eventually.await(Duration.ofSeconds(10), "signals waiting in /health",
                        () -> json(app.get("/health")), h -> h.at("/signals/windowsWaiting").asInt() > 0);
                assertThat(health.path("status").asText()).isEqualTo("DEGRADED");
                assertThat(health.at("/signals/status").asText()).isEqualTo("DEGRADED");
                assertThat(health.at("/signals/windowsDropped").asLong()).isZero();
            }

            postgres.start();
            clock.advance(Duration.ofSeconds(20));
            long sent = events;
            long transcribed = transcriptions;
            JsonNode view = Eventually.await(Duration.ofSeconds(30), "everything counted once PostgreSQL is back",
                    () -> viewOrNull(first), v -> v != null && provider(v, "whisper", "client").path("attempts").asLong() == sent
                            && provider(v, "whisper", "server").path("attempts").asLong() == transcribed);
            assertThat(provider(view, "webspeech", "client").path("attempts").asLong()).isEqualTo(sent);
            Eventually.await(Duration.ofSeconds(10), "the signals part of /health UP again",
                    () -> json(second.get("/health")).at("/signals/status").asText().equals("UP"));
        } finally {
            postgres.stop();
        }
    }

    @Test
    void beyondTheBufferTheOldestWaitingWindowsAreDroppedAndThatIsCountedInMetricsAndHealth() throws Exception {
        StoppablePostgres postgres = StoppablePostgres.started(postgresData);
        TestClock clock = TestClock.atRoundTime();
        try (TestApp app = TestApp.builder()
                .env("DATABASE_URL", postgres.url())
                .env("ADMIN_TOKEN", "ops:" + SignalsFleetTest.ADMIN).env("SIGNALS_BUFFER", "30s").clock(clock).start()) {
            postgres.stop();
            for (int second = 0; second < 90; second++) {
                clock.advance(Duration.ofSeconds(1));
                send(app, "long-" + second);
            }
            clock.advance(Duration.ofSeconds(12));
            JsonNode health = Eventually.await(Duration.ofSeconds(10), "windows dropped in /health",
                    () -> json(app.get("/health")), h -> h.at("/signals/windowsDropped").asLong() > 0);
            assertThat(health.at("/signals/status").asText()).isEqualTo("DEGRADED");
            assertThat(health.at("/signals/windowsWaiting").asInt()).as("at most SIGNALS_BUFFER of windows wait").isLessThanOrEqualTo(3);
            assertThat(app.get("/metrics").body()).containsPattern("cutover_signals_windows_dropped [1-9]");

            postgres.start();
            JsonNode view = Eventually.await(Duration.ofSeconds(30), "the windows that waited, flushed",
                    () -> viewOrNull(app), v -> v != null && provider(v, "whisper", "client").path("attempts").asLong() > 0);
            long counted = provider(view, "whisper", "client").path("attempts").asLong();
            assertThat(counted).as("only what fitted in the buffer").isLessThan(90 * 3).isGreaterThanOrEqualTo(2 * 3 * 10L);
        } finally {
            postgres.stop();
        }
    }

    /** The fleet view, or null while PostgreSQL is not answering yet (503). */
    private static JsonNode viewOrNull(TestApp app) {
        HttpResponse<String> response = SignalsFleetTest.admin(app).get("/api/v1/signals?window=10m");
        if (response.statusCode() == 503) {
            return null;
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    /** Sends a batch of 3 whisper and 3 webspeech attempts; returns the whisper attempts accepted. */
    private static long send(TestApp app, String prefix) {
        StringJoiner events = new StringJoiner(",");
        for (int i = 0; i < 3; i++) {
            events.add(attempt(prefix + "-w" + i, "whisper", i == 0 ? "error" : "ok", 500 + i, 1000));
            events.add(attempt(prefix + "-s" + i, "webspeech", "ok", 400 + i, 1000));
        }
        HttpResponse<String> response = postEvents(app, "{\"events\":[" + events + "]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return 3;
    }

    private static long transcribe(TestApp app) {
        HttpResponse<String> response = app.send(MultipartBody.create()
                .file("audio", "a.wav", "audio/wav", TestAudio.toneWav(300 + Math.random() * 500, 1.1, 16_000, 1, TestAudio.Encoding.PCM_S16))
                .post(app.uri("/transcribe")).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return 1;
    }


}
