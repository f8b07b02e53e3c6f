package dev.cutover.transcription.whisper;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestModels;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelHealthTest {
    @TempDir
    Path dir;

    @Test
    void theAppReportsALoadedModelAsUp() {
        try (TestApp app = TestApp.builder().env(TestModels.env()).start()) {
            HttpResponse<String> response = app.get("/health");
            JsonNode model = json(response).get("model");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(model.get("status").asText()).isEqualTo("UP");
            assertThat(model.get("loaded").asBoolean()).isTrue();
            assertThat(model.get("name").asText()).isEqualTo("ggml-test-small");
            assertThat(model.get("sha256").asText()).isEqualTo("verified");
            assertThat(model.get("systemInfo").asText()).contains("AVX");
            assertThat(model.get("audioCtx").asText()).isEqualTo("auto");
            assertThat(model.has("reason")).isFalse();
            assertThat(app.get("/metrics").body())
                    .contains("cutover_whisper_model_loaded 1.0")
                    .contains("cutover_whisper_workers_busy 0.0")
                    .doesNotContain("\nwhisper_");
        }
    }

    @Test
    void aMissingModelLeavesTheAppUpButDegradedWithWhatToDo() {
        try (TestApp app = TestApp.builder().env("WHISPER_MODEL", dir.resolve("ggml-base.en.bin").toString())
                .start()) {
            HttpResponse<String> response = app.get("/health");
            JsonNode body = json(response);
            JsonNode model = body.get("model");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(body.get("status").asText()).isEqualTo("DEGRADED");
            assertThat(model.get("status").asText()).isEqualTo("DEGRADED");
            assertThat(model.get("loaded").asBoolean()).isFalse();
            assertThat(model.get("reason").asText()).contains("models/download-model.sh base.en");
        }
    }

    @Test
    void anUnknownAudioContextModeStopsStartUpWithAClearMessage() {
        assertThatThrownBy(() -> TestApp.builder()
                        .env(TestModels.env()).env("WHISPER_AUDIO_CTX", "half").start())
                .hasMessageContaining("WHISPER_AUDIO_CTX=half").hasMessageContaining("auto");
    }
}
