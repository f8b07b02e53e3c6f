package dev.cutover.transcription;

import static dev.cutover.testing.HttpTestClient.json;
import static dev.cutover.testing.Uploads.freshWav;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestModels;
import dev.cutover.testing.Uploads;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fault: more simultaneous requests than one worker plus one queue slot can hold. Load: 12 clips of 20 s sent at the
 * same instant, each costing a full 30 s encoder window. Must not be lost: every admitted request completes with the
 * transcript; the excess is refused at once with 503 overloaded and Retry-After, never a hang or a 500.
 */
class OverloadTest {
    private static final int REQUESTS = 12;

    @Test
    void requestsBeyondWorkersAndQueueGet503WithRetryAfterAndTheRestComplete() throws Exception {
        try (TestApp app = TestApp.builder()
                .env("WHISPER_WORKERS", "1").env("WHISPER_QUEUE", "1").env("WHISPER_THREADS", "1")
                .env("WHISPER_AUDIO_CTX", "full").start()) {
            List<byte[]> clips = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                clips.add(freshWav(20.0));
            }
            ExecutorService pool = Executors.newFixedThreadPool(REQUESTS);
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (byte[] clip : clips) {
                answers.add(CompletableFuture.supplyAsync(() -> {
                    awaitQuietly(go);
                    return Uploads.transcribe(app, clip);
                }, pool));
            }
            go.countDown();
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            pool.shutdown();

            int ok = 0;
            int refused = 0;
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                if (response.statusCode() == 200) {
                    ok++;
                    assertThat(json(response).get("text").asText()).isEqualTo(TestModels.SENTENCE);
                } else {
                    refused++;
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
                    assertThat(json(response).get("error").asText()).isEqualTo("overloaded");
                    assertThat(response.headers().firstValue("Retry-After")).hasValueSatisfying(
                            v -> assertThat(Integer.parseInt(v)).isPositive());
                }
            }
            assertThat(ok).as("the worker and the queue slot are always served").isGreaterThanOrEqualTo(2);
            assertThat(refused).as("12 at once cannot fit in 1 worker + 1 queue slot").isPositive();
            assertThat(json(app.get("/stats")).get("failed").asLong()).isEqualTo(refused);
            assertThat(app.get("/metrics").body()).contains("outcome=\"busy\"");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
