package dev.cutover.transcription;

import static dev.cutover.testing.HttpTestClient.json;
import static dev.cutover.testing.Uploads.freshWav;
import static dev.cutover.testing.Uploads.transcribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.MultipartBody;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestAudio;
import dev.cutover.testing.TestModels;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** POST /transcribe against the real app, the real whisper-jni and the scripted test model. */
class TranscribeEndpointTest {
    private static TestApp app;

    @BeforeAll
    static void start() {
        app = TestApp.start();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @ParameterizedTest(name = "{0} Hz, {1} channel(s), {2}")
    @CsvSource({
            "8000, 1, PCM_S16", "8000, 2, FLOAT32",
            "16000, 1, PCM_S16", "16000, 2, PCM_S16", "16000, 1, FLOAT32",
            "44100, 1, FLOAT32", "44100, 2, PCM_S16",
            "48000, 1, PCM_S16", "48000, 2, FLOAT32"})
    void wavAtEveryCommonRateLayoutAndEncodingIsTranscribedWithinItsDuration(int rate, int channels, TestAudio.Encoding encoding) {
        double seconds = 2.5;
        HttpResponse<String> response = transcribe(app, freshWav(seconds, rate, channels, encoding));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("text").asText()).isEqualTo(TestModels.SENTENCE);
        assertThat(body.get("durationSec").asDouble()).isCloseTo(seconds, org.assertj.core.data.Offset.offset(0.01));
        assertThat(body.get("segments")).isNotEmpty();
        for (JsonNode segment : body.get("segments")) {
            assertThat(segment.get("start").asDouble()).isBetween(0.0, seconds);
            assertThat(segment.get("end").asDouble()).isBetween(segment.get("start").asDouble(), seconds);
        }
        assertThat(body.get("cached").asBoolean()).isFalse();
        assertThat(body.get("model").asText()).isNotBlank();
        assertThat(body.get("processingMs").asLong()).isNotNegative();
        assertThat(body.get("rtf").asDouble()).isNotNegative();
        assertThat(body.has("language")).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"WEBM_OPUS, clip.webm, audio/webm", "MP3, clip.mp3, audio/mpeg"})
    void compressedUploadsMadeByFfmpegAreTranscribed(TestAudio.Compressed format, String filename, String contentType) {
        assumeTrue(TestAudio.ffmpegAvailable() || System.getenv("CI") != null, "ffmpeg is needed to make compressed audio");
        byte[] encoded = TestAudio.encode(freshWav(3.0, 48_000, 1, TestAudio.Encoding.PCM_S16), format);

        HttpResponse<String> response = app.send(MultipartBody.create().file("audio", filename, contentType, encoded)
                .post(app.uri("/transcribe")).build());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response).get("text").asText()).isEqualTo(TestModels.SENTENCE);
        assertThat(json(response).get("durationSec").asDouble()).isBetween(2.9, 3.2);
    }

    @Test
    void theSameAudioTwiceIsAnsweredFromTheCacheTheSecondTime() {
        byte[] audio = freshWav(2.0);

        JsonNode first = json(transcribe(app, audio));
        JsonNode second = json(transcribe(app, audio));

        assertThat(first.get("cached").asBoolean()).isFalse();
        assertThat(second.get("cached").asBoolean()).isTrue();
        assertThat(second.get("text")).isEqualTo(first.get("text"));
        assertThat(second.get("segments")).isEqualTo(first.get("segments"));
    }

    @Test
    void theSameSoundInADifferentFileLayoutIsACacheHitBecauseTheKeyIsTheDecodedAudio() {
        float[] samples = TestAudio.noise(System.nanoTime(), 1.5, 16_000, 0.3);
        byte[] mono = TestAudio.wav(samples, 16_000, 1, TestAudio.Encoding.PCM_S16, false);
        byte[] stereoExtensible = TestAudio.wav(samples, 16_000, 2, TestAudio.Encoding.PCM_S16, true);

        assertThat(json(transcribe(app, mono)).get("cached").asBoolean()).isFalse();
        assertThat(json(transcribe(app, stereoExtensible)).get("cached").asBoolean()).isTrue();
    }

    @Test
    void twoDifferentClipsInARowNeverShareAResult() {
        JsonNode shortClip = json(transcribe(app, freshWav(1.5)));
        JsonNode longClip = json(transcribe(app, freshWav(4.0)));

        assertThat(longClip.get("cached").asBoolean()).isFalse();
        assertThat(shortClip.get("durationSec").asDouble()).isCloseTo(1.5, org.assertj.core.data.Offset.offset(0.01));
        assertThat(longClip.get("durationSec").asDouble()).isCloseTo(4.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(longClip.get("segments")).isNotEqualTo(shortClip.get("segments"));
        for (JsonNode segment : shortClip.get("segments")) {
            assertThat(segment.get("end").asDouble()).isLessThanOrEqualTo(1.5);
        }
    }

    @Test
    void aMissingAudioFieldIsA400ThatNamesTheField() {
        HttpResponse<String> response = app.send(MultipartBody.create()
                .file("file", "clip.wav", "audio/wav", freshWav(1.0)).post(app.uri("/transcribe")).build());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).isEqualTo("missing_field");
        assertThat(json(response).get("message").asText()).contains("'audio'");
    }

    @Test
    void aBodyThatIsNotMultipartIsRefusedWithAJsonError() {
        HttpResponse<String> response = app.send(HttpRequest.newBuilder(app.uri("/transcribe"))
                .header("Content-Type", "audio/wav").POST(HttpRequest.BodyPublishers.ofByteArray(freshWav(1.0))).build());

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).contains("application/json");
        assertThat(json(response).get("message").asText()).contains("multipart/form-data");
    }

    @Test
    void anUploadOverTwentyFiveMebibytesIsA413NotA500() {
        byte[] huge = new byte[26 * 1024 * 1024];
        HttpResponse<String> response = transcribe(app, huge);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(json(response).get("error").asText()).isEqualTo("upload_too_large");
    }

    @Test
    void aChunkedUploadWithoutContentLengthIsCutOffAt25MebibytesWithA413() {
        byte[] body = MultipartBody.create().file("audio", "big.wav", "audio/wav", new byte[27 * 1024 * 1024]).bytes();
        HttpResponse<String> response = app.send(HttpRequest.newBuilder(app.uri("/transcribe"))
                .header("Content-Type", MultipartBody.create().contentType())
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(json(response).get("error").asText()).isEqualTo("upload_too_large");
        assertThat(transcribe(app, freshWav(1.0)).statusCode()).isEqualTo(200);
    }

    @Test
    void withoutAnApiKeyConfiguredTheEndpointIsOpenAndHealthSaysSo() {
        JsonNode health = json(app.get("/health"));

        assertThat(health.at("/transcription/apiKeyRequired").asBoolean()).isFalse();
        assertThat(health.at("/redis/mode").asText()).isIn("in-process", "redis");
        assertThat(transcribe(app, freshWav(1.0)).statusCode()).isEqualTo(200);
    }

    @Test
    void statsAndMetricsCountWhatHappened() {
        byte[] audio = freshWav(1.2);
        transcribe(app, audio);
        transcribe(app, audio);
        transcribe(app, new byte[] {1, 2, 3});

        JsonNode stats = json(app.get("/stats"));
        assertThat(stats.get("total").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(stats.get("successful").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(stats.get("clientErrors").asLong()).as("bad audio is the client's mistake, not a failure").isGreaterThanOrEqualTo(1);
        assertThat(stats.at("/cache/hits").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(stats.at("/latencyMs/p99").asDouble()).isGreaterThanOrEqualTo(stats.at("/latencyMs/p50").asDouble());
        assertThat(stats.at("/rtf/average").asDouble()).isPositive();

        String metrics = app.get("/metrics").body();
        assertThat(metrics).contains("cutover_transcription_requests_total{outcome=\"ok\",route=\"/transcribe\"}");
        assertThat(metrics).contains("cutover_transcription_requests_total{outcome=\"client_error\",route=\"/transcribe\"}");
        assertThat(metrics).contains("cutover_transcription_latency_seconds_bucket");
        assertThat(metrics).contains("cutover_transcription_cache_lookups_total{result=\"hit\"}");
        assertThat(metrics).contains("cutover_whisper_model_loaded 1.0");
        assertThat(metrics).contains("cutover_whisper_queue_depth 0.0", "cutover_whisper_workers_busy 0.0");
        assertThat(metrics).contains("cutover_database_up 1.0");
        assertThat(metrics).contains("cutover_transcription_rtf_count");
    }
}
