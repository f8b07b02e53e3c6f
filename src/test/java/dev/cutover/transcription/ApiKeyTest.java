package dev.cutover.transcription;

import static dev.cutover.testing.HttpTestClient.json;
import static dev.cutover.testing.Uploads.freshWav;
import static dev.cutover.testing.Uploads.transcribeRequest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.TestApp;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** WHISPER_API_KEY set: only requests that carry it are transcribed. */
class ApiKeyTest {
    private static final String KEY = "test-key-0f3a9c";
    private static TestApp app;

    @BeforeAll
    static void start() {
        app = TestApp.builder().env("WHISPER_API_KEY", KEY).start();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aRequestWithoutTheKeyIsA401JsonError() {
        HttpResponse<String> response = app.send(transcribeRequest(app, freshWav(1.0)).build());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).get("error").asText()).isEqualTo("missing_api_key");
    }

    @Test
    void manyRefusedUploadsInARowOnOneKeptAliveConnectionAllGetTheirAnswer() {
        byte[] audio = freshWav(1.0);
        for (int i = 0; i < 100; i++) {
            assertThat(app.send(transcribeRequest(app, audio).build()).statusCode()).isEqualTo(401);
        }
        assertThat(app.send(transcribeRequest(app, audio).header("X-API-Key", KEY).build()).statusCode()).isEqualTo(200);
    }

    @Test
    void aWrongKeyIsA401JsonError() {
        HttpResponse<String> response = app.send(transcribeRequest(app, freshWav(1.0)).header("X-API-Key", KEY + "x").build());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).get("error").asText()).isEqualTo("invalid_api_key");
    }

    @Test
    void theKeyIsAcceptedInXApiKeyAndAsABearerToken() {
        assertThat(app.send(transcribeRequest(app, freshWav(1.0)).header("X-API-Key", KEY).build()).statusCode())
                .isEqualTo(200);
        assertThat(app.send(transcribeRequest(app, freshWav(1.0)).header("Authorization", "Bearer " + KEY).build())
                .statusCode()).isEqualTo(200);
    }

    @Test
    void theOpenAiRouteAnswersAMissingKeyInOpenAisErrorShape() {
        HttpResponse<String> response = app.send(dev.cutover.testing.MultipartBody.create()
                .field("model", "whisper-1").file("file", "a.wav", "audio/wav", freshWav(1.0))
                .post(app.uri("/v1/audio/transcriptions")).header("Authorization", "Bearer wrong").build());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).at("/error/type").asText()).isEqualTo("authentication_error");
        assertThat(json(response).at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(json(response).at("/error/message").asText()).isNotBlank();
    }

    @Test
    void healthSaysTheKeyIsRequired() {
        assertThat(json(app.get("/health")).at("/transcription/apiKeyRequired").asBoolean()).isTrue();
    }
}
