package dev.cutover.transcription.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.http.ApiError;
import dev.cutover.testing.TestAudio;
import dev.cutover.testing.TestAudio.Encoding;
import org.junit.jupiter.api.Test;

class AudioLimitsTest {
    private final UploadAudioDecoder decoder = new UploadAudioDecoder(new AudioLimits(1 << 20, 5));

    @Test
    void anEmptyUploadIsAudioEmpty() {
        assertError(new byte[0], 400, "audio_empty");
        assertError(null, 400, "audio_empty");
    }

    @Test
    void anUploadOverTheByteLimitIsTooLargeBeforeAnyDecoding() {
        assertError(new byte[(1 << 20) + 1], 413, "audio_too_large");
    }

    @Test
    void aWavLongerThanTheLimitIsTooLong() {
        assertError(TestAudio.toneWav(440, 5.01, 8_000, 1, Encoding.PCM_S16), 413, "audio_too_long");
    }

    @Test
    void aWavExactlyAtTheLimitIsAccepted() {
        assertThat(decoder.decode(TestAudio.toneWav(440, 5, 8_000, 1, Encoding.PCM_S16)).durationSec())
                .isEqualTo(5.0);
    }

    @Test
    void aDataChunkWithoutACompleteFrameIsAudioEmpty() {
        byte[] wav = TestAudio.wav(TestAudio.fmtChunk(Encoding.PCM_S24, 2, 16_000, false), new byte[5]);
        assertError(wav, 400, "audio_empty");
    }

    @Test
    void nanAndInfiniteFloatSamplesAreRejected() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] samples = TestAudio.tone(440, 1, 16_000, 0.5);
            samples[1234] = bad;
            assertError(TestAudio.wav(samples, 16_000, 2, Encoding.FLOAT32, false), 400, "audio_non_finite");
            assertError(TestAudio.wav(samples, 16_000, 1, Encoding.FLOAT64, false), 400, "audio_non_finite");
        }
    }

    @Test
    void unknownBytesAreUnsupportedWithTheListOfFormats() {
        ApiError error = decodeError("hello, this is text, not audio".getBytes());
        assertThat(error.status()).isEqualTo(415);
        assertThat(error.code()).isEqualTo("unsupported_audio_format");
        assertThat(error.getMessage()).contains("WAV", "Ogg", "WebM", "MP3", "M4A", "FLAC");
    }

    private void assertError(byte[] upload, int status, String code) {
        ApiError error = decodeError(upload);
        assertThat(error.status()).as(error.getMessage()).isEqualTo(status);
        assertThat(error.code()).isEqualTo(code);
    }

    private ApiError decodeError(byte[] upload) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> decoder.decode(upload));
        assertThat(thrown).isInstanceOf(ApiError.class);
        return (ApiError) thrown;
    }
}
