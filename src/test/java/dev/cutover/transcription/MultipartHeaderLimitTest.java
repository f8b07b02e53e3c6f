package dev.cutover.transcription;

import static dev.cutover.testing.HttpTestClient.json;
import static dev.cutover.testing.Uploads.freshWav;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.LogCapture;
import dev.cutover.testing.MultipartBody;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.Uploads;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fault: multipart bodies that run into one of Jetty's parser limits other than the upload size (a part with
 * thousands of headers, one endless header, a large text field). Must not be lost: each is told which limit it hit
 * (never "larger than 25 MiB" when it is not), quickly, as a small JSON error, with the connection closed as after any
 * broken multipart body, no ERROR in the log, and the next good upload is transcribed.
 */
class MultipartHeaderLimitTest {
    private static final Duration QUICK = Duration.ofSeconds(2);
    private static final int SMALL_BODY = 4 * 1024;
    private static TestApp app;

    @BeforeAll
    static void startApp() {
        app = TestApp.start();
    }

    @AfterAll
    static void stopApp() {
        app.close();
    }

    @Test
    void aPartWithFiveThousandHeadersIsA400NamingTheHeaderLimitNotA413() {
        StringBuilder headers = new StringBuilder("Content-Disposition: form-data; name=\"audio\"; filename=\"clip.wav\"");
        for (int i = 0; i < 5_000; i++) {
            headers.append("\r\nX-Padding-").append(i).append(": v");
        }
        MultipartBody body = MultipartBody.create().part(headers.toString(), "audio/wav", freshWav(1.0));

        for (String path : new String[] {"/transcribe", "/v1/audio/transcriptions"}) {
            HttpResponse<String> response = assertRefused(body, path, 400);
            String message = path.equals("/transcribe")
                    ? assertError(response, "malformed_multipart")
                    : json(response).at("/error/message").asText();
            assertThat(message).contains("headers", "8192 bytes").doesNotContain("25 MiB");
        }
        assertTheNextGoodUploadIsTranscribed();
    }

    @Test
    void onePartHeaderLongerThanTheLimitIsRefusedTheSameWay() {
        MultipartBody body = MultipartBody.create().part("Content-Disposition: form-data; name=\"audio\"; filename=\""
                + "a".repeat(20_000) + ".wav\"", "audio/wav", freshWav(1.0));

        String message = assertError(assertRefused(body, "/transcribe", 400), "malformed_multipart");
        assertThat(message).contains("headers", "8192 bytes");
        assertTheNextGoodUploadIsTranscribed();
    }

    @Test
    void aLargeTextFieldIsA413NamingTheFieldLimitNotTwentyFiveMebibytes() {
        MultipartBody body = MultipartBody.create().file("audio", "clip.wav", "audio/wav", freshWav(1.0))
                .field("prompt", "x".repeat(2 * 1024 * 1024));

        String message = assertError(assertRefused(body, "/transcribe", 413), "fields_too_large");
        assertThat(message).contains("without a file name").doesNotContain("25 MiB");
        assertTheNextGoodUploadIsTranscribed();
    }

    private static HttpResponse<String> assertRefused(MultipartBody body, String path, int status) {
        int mark = LogCapture.mark();
        long started = System.nanoTime();
        HttpResponse<String> response = app.send(body.post(app.uri(path)).build());
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).contains("application/json");
        assertThat(response.body().getBytes(StandardCharsets.UTF_8).length).isLessThan(SMALL_BODY);
        assertThat(response.headers().firstValue("Connection")).hasValue("close");
        assertThat(took).isLessThan(QUICK);
        assertThat(LogCapture.errorsSince(mark)).isEmpty();
        return response;
    }

    /** Checks the JSON error shape and code; returns the message. */
    private static String assertError(HttpResponse<String> response, String code) {
        JsonNode body = json(response);
        assertThat(body.path("error").asText()).as(response.body()).isEqualTo(code);
        assertThat(body.path("message").asText()).isNotBlank();
        return body.path("message").asText();
    }

    private static void assertTheNextGoodUploadIsTranscribed() {
        HttpResponse<String> after = Uploads.transcribe(app, freshWav(1.0));
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
    }
}
