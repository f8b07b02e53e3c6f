package dev.cutover.transcription;

import static dev.cutover.testing.HttpTestClient.json;
import static dev.cutover.testing.Uploads.freshWav;
import static dev.cutover.testing.Uploads.transcribe;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.MultipartBody;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestModels;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without a usable model the service stays up, answers 503 model_not_loaded and /health says why. */
class ModelNotLoadedTest {

    @Test
    void aMissingModelFileLeavesTheServiceUpAnswering503AndHealthNamesTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("ggml-nowhere.bin");
        try (TestApp app = TestApp.builder().env("WHISPER_MODEL", missing.toString()).start()) {
            assertModelNotLoaded(app);
            JsonNode health = json(app.get("/health"));
            assertThat(health.at("/model/reason").asText()).contains("ggml-nowhere.bin");
        }
    }

    @Test
    void aModelWhoseChecksumDoesNotMatchIsNotLoaded(@TempDir Path dir) throws IOException {
        Path model = TestModels.copyOfSmallModel(dir, "ggml-tampered.bin");
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length - 3] ^= 0x5a;
        Files.write(model, bytes);
        try (TestApp app = TestApp.builder().env("WHISPER_MODEL", model.toString()).start()) {
            assertModelNotLoaded(app);
            assertThat(json(app.get("/health")).at("/model/reason").asText().toLowerCase()).contains("sha-256", "sha256").isNotEmpty();
        }
    }

    private static void assertModelNotLoaded(TestApp app) {
        HttpResponse<String> health = app.get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health).at("/model/status").asText()).isEqualTo("DEGRADED");
        assertThat(json(health).at("/model/loaded").asBoolean()).isFalse();

        HttpResponse<String> response = transcribe(app, freshWav(1.0));
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).get("error").asText()).isEqualTo("model_not_loaded");
        assertThat(json(response).get("message").asText())
                .isEqualTo("The speech model is not loaded: " + json(health).at("/model/reason").asText());

        HttpResponse<String> openAi = app.send(MultipartBody.create().field("model", "whisper-1")
                .file("file", "a.wav", "audio/wav", freshWav(1.0)).post(app.uri("/v1/audio/transcriptions")).build());
        assertThat(openAi.statusCode()).isEqualTo(503);
        assertThat(json(openAi).at("/error/type").asText()).isEqualTo("server_error");
        assertThat(json(openAi).at("/error/code").asText()).isEqualTo("model_not_loaded");

        assertThat(app.get("/metrics").body()).contains("cutover_whisper_model_loaded 0.0")
                .contains("outcome=\"model_not_loaded\"");
    }
}
