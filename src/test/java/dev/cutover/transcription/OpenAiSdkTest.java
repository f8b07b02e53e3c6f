package dev.cutover.transcription;

import static dev.cutover.testing.HttpTestClient.json;
import static dev.cutover.testing.Uploads.freshWav;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.NodePackages;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official openai Node SDK (pinned in src/test/node/openai-sdk) pointed at the running app: every response
 * format parses, word timestamps raise BadRequestError with the parameter named, and a wrong key raises
 * AuthenticationError.
 */
class OpenAiSdkTest {
    private static final String KEY = "sk-cutover-test";

    @Test
    void theOfficialNodeSdkTranscribesInEveryFormatAndRaisesTheRightErrors(@TempDir Path dir) throws Exception {
        Path audio = dir.resolve("speech.wav");
        Files.write(audio, freshWav(2.0));
        try (TestApp app = TestApp.builder().env("WHISPER_API_KEY", KEY).start()) {
            JsonNode result = runSdk(app.baseUrl() + "/v1", audio);

            String sentence = TestModels.SENTENCE;
            assertThat(result.at("/json/text").asText()).isEqualTo(sentence);
            assertThat(result.get("text").asText()).isEqualTo(sentence + "\n");
            assertThat(result.get("srt").asText()).startsWith("1\n00:00:00,000 --> ").contains(sentence);
            assertThat(result.get("vtt").asText()).startsWith("WEBVTT\n\n00:00:00.000 --> ").contains(sentence);
            assertThat(result.at("/verbose_json/task").asText()).isEqualTo("transcribe");
            assertThat(result.at("/verbose_json/language").asText()).isEqualTo("english");
            assertThat(result.at("/verbose_json/segments/0/text").asText().strip()).isEqualTo(sentence);
            assertThat(result.at("/word/className").asText()).isEqualTo("BadRequestError");
            assertThat(result.at("/word/param").asText()).isEqualTo("timestamp_granularities");
            assertThat(result.at("/wrongKey/className").asText()).isEqualTo("AuthenticationError");
            assertThat(result.at("/wrongKey/status").asInt()).isEqualTo(401);
        }
    }

    private static JsonNode runSdk(String baseUrl, Path audio) throws IOException, InterruptedException {
        Path sdk = NodePackages.installed("openai-sdk", "openai");
        Process node = new ProcessBuilder(List.of("node", "check.mjs", baseUrl, KEY, audio.toAbsolutePath().toString()))
                .directory(sdk.toFile()).redirectErrorStream(true).start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        String lastLine = output.strip().lines().reduce((a, b) -> b).orElse("");
        return json(lastLine);
    }
}
