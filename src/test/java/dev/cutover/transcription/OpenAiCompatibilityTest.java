package dev.cutover.transcription;

import static dev.cutover.testing.HttpTestClient.json;
import static dev.cutover.testing.Uploads.freshWav;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.MultipartBody;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestModels;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * POST /v1/audio/transcriptions with bodies laid out as the official SDKs lay them out: openai-python (httpx: text
 * fields first, then the file with its guessed type, {@code name[]} for arrays) and openai-node (undici FormData:
 * the file first, {@code application/octet-stream} when the type is unknown, a {@code ----formdata-undici-} boundary).
 */
class OpenAiCompatibilityTest {
    private static final String ROUTE = "/v1/audio/transcriptions";
    private static TestApp app;

    @BeforeAll
    static void start() {
        app = TestApp.start();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static MultipartBody pythonSdk(byte[] audio, String... fields) {
        MultipartBody body = new MultipartBody("6b1e2f0a9c3d4e5f8a7b6c5d4e3f2a1b");
        body.field("model", "whisper-1");
        for (int i = 0; i < fields.length; i += 2) {
            body.field(fields[i], fields[i + 1]);
        }
        return body.file("file", "speech.wav", "audio/x-wav", audio);
    }

    private static MultipartBody nodeSdk(byte[] audio, String... fields) {
        MultipartBody body = new MultipartBody("----formdata-undici-038245190187");
        body.file("file", "speech.wav", "application/octet-stream", audio);
        body.field("model", "whisper-1");
        for (int i = 0; i < fields.length; i += 2) {
            body.field(fields[i], fields[i + 1]);
        }
        return body;
    }

    private static HttpResponse<String> post(MultipartBody body) {
        return app.send(body.post(app.uri(ROUTE)).header("Authorization", "Bearer sk-anything").build());
    }

    @Test
    void theDefaultFormatIsJsonWithOnlyTheText() {
        HttpResponse<String> response = post(pythonSdk(freshWav(2.0)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode body = json(response);
        assertThat(body.get("text").asText()).isEqualTo(TestModels.SENTENCE);
        assertThat(body.size()).isEqualTo(1);
    }

    @Test
    void textIsPlainTextWithTheSentence() {
        HttpResponse<String> response = post(nodeSdk(freshWav(2.0), "response_format", "text"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(response.body()).isEqualTo(TestModels.SENTENCE + "\n");
    }

    @Test
    void srtHasNumberedCuesWithCommaMillisecondsInsideTheAudio() {
        HttpResponse<String> response = post(pythonSdk(freshWav(3.0), "response_format", "srt"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        Matcher cue = Pattern.compile("(\\d+)\\n(\\d\\d):(\\d\\d):(\\d\\d),(\\d{3}) --> (\\d\\d):(\\d\\d):(\\d\\d),(\\d{3})\\n(.+)\\n\\n")
                .matcher(response.body());
        List<String> texts = new ArrayList<>();
        int index = 0;
        int end = 0;
        while (cue.find()) {
            assertThat(cue.start()).isEqualTo(end);
            assertThat(Integer.parseInt(cue.group(1))).isEqualTo(++index);
            assertThat(seconds(cue, 6)).isLessThanOrEqualTo(3.0).isGreaterThanOrEqualTo(seconds(cue, 2));
            texts.add(cue.group(10));
            end = cue.end();
        }
        assertThat(end).isEqualTo(response.body().length());
        assertThat(String.join(" ", texts)).isEqualTo(TestModels.SENTENCE);
    }

    @Test
    void vttStartsWithTheHeaderAndUsesDotMilliseconds() {
        HttpResponse<String> response = post(nodeSdk(freshWav(3.0), "response_format", "vtt"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).startsWith("WEBVTT\n\n");
        Matcher cue = Pattern.compile("(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) --> (\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3})\\n(.+)\\n\\n")
                .matcher(response.body());
        List<String> texts = new ArrayList<>();
        while (cue.find()) {
            texts.add(cue.group(9));
        }
        assertThat(String.join(" ", texts)).isEqualTo(TestModels.SENTENCE);
    }

    @Test
    void verboseJsonHasOpenAisFieldsForTheWholeTranscriptAndEachSegment() {
        HttpResponse<String> response = post(pythonSdk(freshWav(2.5), "response_format", "verbose_json",
                "timestamp_granularities[]", "segment", "temperature", "0.0", "language", "en"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("task").asText()).isEqualTo("transcribe");
        assertThat(body.get("language").asText()).isEqualTo("english");
        assertThat(body.get("duration").asDouble()).isCloseTo(2.5, org.assertj.core.data.Offset.offset(0.01));
        assertThat(body.get("text").asText()).isEqualTo(TestModels.SENTENCE);
        assertThat(body.get("segments")).isNotEmpty();
        int id = 0;
        for (JsonNode segment : body.get("segments")) {
            assertThat(segment.get("id").asInt()).isEqualTo(id++);
            for (String field : List.of("seek", "start", "end", "text", "tokens", "temperature", "avg_logprob",
                    "compression_ratio", "no_speech_prob")) {
                assertThat(segment.has(field)).as(field).isTrue();
            }
            assertThat(segment.get("tokens").isArray()).isTrue();
            assertThat(segment.get("end").asDouble()).isLessThanOrEqualTo(2.5);
        }
    }

    @Test
    void numbersArriveAsStringsAndAnyModelNameIsAccepted() {
        MultipartBody body = new MultipartBody("xyz").field("model", "gpt-4o-transcribe").field("temperature", "0.2")
                .file("file", "speech.bin", "application/octet-stream", freshWav(1.5));

        assertThat(post(body).statusCode()).isEqualTo(200);
    }

    @Test
    void wordTimestampsAreRefusedWithAClearMessageInOpenAisErrorShape() {
        HttpResponse<String> response = post(nodeSdk(freshWav(1.0), "response_format", "verbose_json",
                "timestamp_granularities[]", "segment", "timestamp_granularities[]", "word"));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = json(response).get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").asText()).isEqualTo("timestamp_granularities");
        assertThat(error.get("message").asText()).contains("word");
        assertThat(error.has("code")).isTrue();
    }

    @Test
    void anUnknownResponseFormatIsAnInvalidRequestNamingTheParameter() {
        HttpResponse<String> response = post(pythonSdk(freshWav(1.0), "response_format", "xml"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).at("/error/param").asText()).isEqualTo("response_format");
    }

    @Test
    void aMissingFileAndUndecodableAudioAreInvalidRequestsAboutTheFile() {
        HttpResponse<String> missing = post(new MultipartBody("b").field("model", "whisper-1"));
        HttpResponse<String> garbage = post(pythonSdk(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}));

        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).at("/error/param").asText()).isEqualTo("file");
        assertThat(garbage.statusCode()).isBetween(400, 499);
        assertThat(json(garbage).at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(json(garbage).at("/error/param").asText()).isEqualTo("file");
    }

    private static double seconds(Matcher m, int firstGroup) {
        return Integer.parseInt(m.group(firstGroup)) * 3600 + Integer.parseInt(m.group(firstGroup + 1)) * 60
                + Integer.parseInt(m.group(firstGroup + 2)) + Integer.parseInt(m.group(firstGroup + 3)) / 1000.0;
    }
}
