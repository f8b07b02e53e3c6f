package dev.cutover.transcription;

import static dev.cutover.testing.HttpTestClient.json;
import static dev.cutover.testing.Uploads.freshWav;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.MultipartBody;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestAudio;
import dev.cutover.testing.TestModels;
import dev.cutover.testing.Uploads;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Fault: 500 malformed uploads, one after another, through HTTP. Load: every kind of broken WAV and broken multipart
 * body we could think of, varied by a seeded generator. Must not be lost: every answer is a 4xx JSON error, the JVM
 * stays up, and the next good request is transcribed.
 */
class MalformedUploadTest {
    private static final int UPLOADS = 500;

    @Test
    void fiveHundredMalformedUploadsGetOnlyClientErrorsAndTheNextGoodRequestSucceeds() {
        Random random = new Random(20261123);
        byte[] good = freshWav(1.5, 16_000, 1, TestAudio.Encoding.PCM_S16);
        List<Function<Random, Upload>> kinds = kinds(good);
        try (TestApp app = TestApp.start()) {
            List<String> unexpected = new ArrayList<>();
            for (int i = 0; i < UPLOADS; i++) {
                int kind = i % kinds.size();
                Upload upload = kinds.get(kind).apply(random);
                HttpResponse<String> response;
                try {
                    response = app.send(HttpRequest.newBuilder(app.uri("/transcribe"))
                            .header("Content-Type", upload.contentType())
                            .POST(HttpRequest.BodyPublishers.ofByteArray(upload.body())).build());
                } catch (RuntimeException e) {
                    unexpected.add("#" + i + " " + upload.name() + " -> no answer: " + e.getMessage());
                    continue;
                }
                boolean jsonError = response.headers().firstValue("Content-Type").orElse("").contains("application/json")
                        && response.body().contains("\"error\"");
                if (response.statusCode() < 400 || response.statusCode() > 499 || !jsonError) {
                    unexpected.add("#" + i + " " + upload.name() + " -> " + response.statusCode() + " " + response.body());
                }
            }
            assertThat(unexpected).isEmpty();

            HttpResponse<String> after = Uploads.transcribe(app, good);
            assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
            assertThat(json(after).get("text").asText()).isEqualTo(TestModels.SENTENCE);
        }
    }

    private record Upload(String name, String contentType, byte[] body) {
    }

    private static Upload asAudio(String name, byte[] audio) {
        MultipartBody body = MultipartBody.create().file("audio", "clip.wav", "audio/wav", audio);
        return new Upload(name, body.contentType(), body.bytes());
    }

    private static List<Function<Random, Upload>> kinds(byte[] good) {
        List<Function<Random, Upload>> kinds = new ArrayList<>();
        kinds.add(r -> asAudio("truncated header", Arrays.copyOf(good, r.nextInt(44))));
        kinds.add(r -> asAudio("random bytes", randomBytes(r, 1 + r.nextInt(4096))));
        kinds.add(r -> asAudio("RIFF then random bytes", concat("RIFF".getBytes(StandardCharsets.US_ASCII),
                randomBytes(r, r.nextInt(200)))));
        kinds.add(r -> asAudio("fmt chunk claims more bytes than the file has",
                lyingFmtSize(16 + 1 + r.nextInt(1_000_000))));
        kinds.add(r -> asAudio("data chunk claims bytes that are not there", lyingDataSize(r.nextInt(Integer.MAX_VALUE))));
        kinds.add(r -> asAudio("absurd channel count", wavWith(TestAudio.Encoding.PCM_S16,
                r.nextBoolean() ? 0 : 1000 + r.nextInt(64_000), 16_000, new byte[3200])));
        kinds.add(r -> asAudio("zero sample rate", wavWith(TestAudio.Encoding.PCM_S16, 1, 0, new byte[3200])));
        kinds.add(r -> asAudio("negative or absurd sample rate", wavWith(TestAudio.Encoding.PCM_S16, 1,
                r.nextBoolean() ? -r.nextInt(1_000_000) - 1 : 100_000_000 + r.nextInt(1_000_000), new byte[3200])));
        kinds.add(r -> asAudio("NaN and infinite floats", nonFiniteFloats(r)));
        kinds.add(r -> asAudio("empty data chunk", wavWith(TestAudio.Encoding.PCM_S16, 1, 16_000, new byte[0])));
        kinds.add(r -> asAudio("empty upload", new byte[0]));
        kinds.add(r -> {
            MultipartBody body = MultipartBody.create().file(r.nextBoolean() ? "file" : "audo", "clip.wav", "audio/wav", good);
            return new Upload("wrong field name", body.contentType(), body.bytes());
        });
        kinds.add(r -> {
            byte[] body = MultipartBody.create().file("audio", "clip.wav", "audio/wav", good).bytes();
            return new Upload("multipart cut short", MultipartBody.create().contentType(),
                    Arrays.copyOf(body, 20 + r.nextInt(body.length - 40)));
        });
        kinds.add(r -> new Upload("multipart with a boundary that never appears",
                "multipart/form-data; boundary=nothing-matches-this", randomBytes(r, 1 + r.nextInt(2048))));
        kinds.add(r -> new Upload("not multipart at all", "application/octet-stream", good));
        return kinds;
    }

    private static byte[] wavWith(TestAudio.Encoding encoding, int channels, int rate, byte[] data) {
        return TestAudio.wav(TestAudio.fmtChunk(encoding, channels, rate, false), data);
    }

    private static byte[] lyingFmtSize(int declared) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RIFF".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(u32(36));
        out.writeBytes("WAVEfmt ".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(u32(declared));
        out.writeBytes(Arrays.copyOf(TestAudio.fmtChunk(TestAudio.Encoding.PCM_S16, 1, 16_000, false), 16));
        return out.toByteArray();
    }

    private static byte[] lyingDataSize(int declared) {
        byte[] header = wavWith(TestAudio.Encoding.PCM_S16, 1, 16_000, new byte[0]);
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(header.length - 4, declared);
        // At most one byte follows: less than one 16-bit sample frame.
        return concat(header, new byte[declared % 2]);
    }

    private static byte[] nonFiniteFloats(Random r) {
        ByteBuffer data = ByteBuffer.allocate(16_000 * 4).order(ByteOrder.LITTLE_ENDIAN);
        float[] poison = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        int poisonAt = r.nextInt(16_000);
        for (int i = 0; i < 16_000; i++) {
            data.putFloat(i == poisonAt ? poison[r.nextInt(poison.length)] : (float) Math.sin(i / 10.0) * 0.5f);
        }
        return wavWith(TestAudio.Encoding.FLOAT32, 1, 16_000, data.array());
    }

    private static byte[] randomBytes(Random r, int length) {
        byte[] bytes = new byte[length];
        r.nextBytes(bytes);
        return bytes;
    }

    private static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
