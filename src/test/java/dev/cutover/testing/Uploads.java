package dev.cutover.testing;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicLong;

/** Audio uploads to the running app: clips no cache has seen, posted to {@code POST /transcribe}. */
public final class Uploads {
    private static final AtomicLong SEEDS = new AtomicLong(System.nanoTime());

    private Uploads() {
    }

    /** A WAV nobody has sent before (seeded noise over a tone), so no cache anywhere can already hold it. */
    public static byte[] freshWav(double seconds, int sampleRate, int channels, TestAudio.Encoding encoding) {
        float[] tone = TestAudio.tone(220, seconds, sampleRate, 0.3);
        float[] noise = TestAudio.noise(SEEDS.incrementAndGet(), seconds, sampleRate, 0.1);
        for (int i = 0; i < tone.length; i++) {
            tone[i] += noise[i];
        }
        return TestAudio.wav(tone, sampleRate, channels, encoding, false);
    }

    public static byte[] freshWav(double seconds) {
        return freshWav(seconds, 16_000, 1, TestAudio.Encoding.PCM_S16);
    }

    public static HttpRequest.Builder transcribeRequest(TestApp app, byte[] audio) {
        return MultipartBody.create().file("audio", "clip.wav", "audio/wav", audio).post(app.uri("/transcribe"));
    }

    public static HttpResponse<String> transcribe(TestApp app, byte[] audio) {
        return app.send(transcribeRequest(app, audio).build());
    }
}
