package dev.cutover.transcription;

import static dev.cutover.testing.HttpTestClient.json;
import static dev.cutover.testing.Uploads.freshWav;
import static dev.cutover.testing.Uploads.transcribeRequest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.AdminApi;
import dev.cutover.testing.MultipartBody;
import dev.cutover.testing.TestApp;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A client holding a stale assignment learns at once: a transcription for a session that is not assigned whisper
 * (X-Session-Id) is refused with 409 provider_not_assigned, before its upload is read, on both routes.
 */
class ProviderEnforcementTest {

    @Test
    void aSessionNotAssignedWhisperIsRefusedAndOneAssignedWhisperIsTranscribed() {
        try (TestApp app = TestApp.builder().env("ADMIN_TOKEN", "ops:enforce").start()) {
            AdminApi admin = new AdminApi(app, "enforce");
            byte[] audio = freshWav(1.0);

            HttpResponse<String> atZero = app.send(transcribeRequest(app, audio).header("X-Session-Id", "s-1").build());
            assertThat(atZero.statusCode()).as(atZero.body()).isEqualTo(409);
            assertThat(json(atZero).path("error").asText()).isEqualTo("provider_not_assigned");
            assertThat(json(atZero).path("provider").asText()).isEqualTo("webspeech");
            assertThat(app.send(transcribeRequest(app, audio).build()).statusCode())
                    .as("without X-Session-Id nothing is enforced").isEqualTo(200);

            assertThat(admin.setPercentage("100").statusCode()).isEqualTo(200);
            app.awaitAssignment("sessionId=s-1", 2, Duration.ofSeconds(5));
            assertThat(app.send(transcribeRequest(app, audio).header("X-Session-Id", "s-1").build()).statusCode()).isEqualTo(200);

            assertThat(admin.transition("rollback", "test").statusCode()).isEqualTo(200);
            app.awaitAssignment("sessionId=s-1", 3, Duration.ofSeconds(5));
            HttpResponse<String> rolledBack = app.send(transcribeRequest(app, audio).header("X-Session-Id", "s-1").build());
            assertThat(rolledBack.statusCode()).isEqualTo(409);
            assertThat(json(rolledBack).path("reason").asText()).isEqualTo("ROLLED_BACK");
            HttpResponse<String> openAi = app.send(MultipartBody.create().field("model", "whisper-1")
                    .file("file", "a.wav", "audio/wav", audio).post(app.uri("/v1/audio/transcriptions"))
                    .header("X-Session-Id", "s-1").header("X-User-Id", "u-1").build());
            assertThat(openAi.statusCode()).isEqualTo(409);
            assertThat(json(openAi).at("/error/code").asText()).isEqualTo("provider_not_assigned");
        }
    }
}
