package dev.cutover.transcription.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cutover.http.ApiError;
import dev.cutover.testing.TestAudio;
import dev.cutover.testing.TestAudio.Encoding;
import dev.cutover.transcription.AudioClip;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class WavDecodingTest {
    private final UploadAudioDecoder decoder = new UploadAudioDecoder(new AudioLimits(25L << 20, 600));

    static List<Arguments> rateChannelEncoding() {
        List<Arguments> cases = new ArrayList<>();
        for (int rate : new int[] {8_000, 16_000, 44_100, 48_000}) {
            for (int channels : new int[] {1, 2}) {
                for (Encoding encoding : Encoding.values()) {
                    cases.add(Arguments.of(rate, channels, encoding));
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} Hz, {1} channel(s), {2}")
    @MethodSource("rateChannelEncoding")
    void everyPcmAndFloatLayoutDecodesToSixteenKilohertzWithDurationAndPitchKept(int rate, int channels,
            Encoding encoding) {
        byte[] wav = TestAudio.toneWav(1000, 1.5, rate, channels, encoding);

        AudioClip clip = decoder.decode(wav);

        assertThat(clip.samples().length).isCloseTo(24_000, within(1));
        assertThat(TestAudio.toneFrequency(clip.samples(), AudioClip.SAMPLE_RATE)).isCloseTo(1000, within(5.0));
        assertThat(TestAudio.middleRms(clip.samples())).isCloseTo(0.5 / Math.sqrt(2), within(0.02));
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void waveFormatExtensibleIsDecodedLikeTheSubformat(Encoding encoding) {
        byte[] wav = TestAudio.wav(TestAudio.tone(440, 1, 48_000, 0.5), 48_000, 2, encoding, true);

        AudioClip clip = decoder.decode(wav);

        assertThat(clip.samples().length).isEqualTo(16_000);
        assertThat(TestAudio.toneFrequency(clip.samples(), AudioClip.SAMPLE_RATE)).isCloseTo(440, within(3.0));
    }

    @Test
    void stereoIsDownMixedByAveragingTheChannels() {
        float[] left = TestAudio.tone(500, 1, 16_000, 0.8);
        ByteBuffer data = ByteBuffer.allocate(left.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float l : left) {
            data.putShort((short) Math.round(l * 32767)).putShort((short) 0);
        }
        byte[] wav = TestAudio.wav(TestAudio.fmtChunk(Encoding.PCM_S16, 2, 16_000, false), data.array());

        AudioClip clip = decoder.decode(wav);

        assertThat(TestAudio.middleRms(clip.samples())).isCloseTo(0.4 / Math.sqrt(2), within(0.01));
    }

    @Test
    void chunksInAnyOrderWithOddSizesAndUnknownChunksAreWalked() {
        float[] tone = TestAudio.tone(1000, 1, 16_000, 0.5);
        byte[] data = TestAudio.wav(tone, 16_000, 1, Encoding.PCM_U8, false);
        byte[] dataBody = Arrays.copyOfRange(data, 44, data.length - 1); // odd length: 15,999 frames
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'});
        TestAudio.chunk(out, "LIST", "INFOISFT\u0005\0\0\0test".getBytes(StandardCharsets.US_ASCII));
        TestAudio.chunk(out, "data", dataBody);
        TestAudio.chunk(out, "junk", new byte[3]);
        TestAudio.chunk(out, "fmt ", TestAudio.fmtChunk(Encoding.PCM_U8, 1, 16_000, false));

        AudioClip clip = decoder.decode(out.toByteArray());

        assertThat(clip.samples().length).isEqualTo(15_999);
        assertThat(TestAudio.toneFrequency(clip.samples(), AudioClip.SAMPLE_RATE)).isCloseTo(1000, within(5.0));
    }

    @Test
    void anOddChunkWithoutItsPadByteDoesNotHideTheChunksAfterIt() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'});
        TestAudio.chunk(out, "fmt ", TestAudio.fmtChunk(Encoding.PCM_S16, 1, 16_000, false));
        out.writeBytes(new byte[] {'I', 'D', '3', ' ', 3, 0, 0, 0, 1, 2, 3}); // odd size, pad byte missing
        byte[] wav = TestAudio.toneWav(1000, 1, 16_000, 1, Encoding.PCM_S16);
        out.write(wav, 36, wav.length - 36); // the data chunk

        AudioClip clip = decoder.decode(out.toByteArray());

        assertThat(clip.samples().length).isEqualTo(16_000);
    }

    @Test
    void aStreamingDataSizeOfAllOnesIsClampedToTheBytesPresent() {
        byte[] wav = TestAudio.toneWav(1000, 1, 16_000, 1, Encoding.PCM_S16);
        wav[40] = wav[41] = wav[42] = wav[43] = (byte) 0xFF;
        wav[4] = wav[5] = wav[6] = wav[7] = (byte) 0xFF;

        assertThat(decoder.decode(wav).samples().length).isEqualTo(16_000);
    }

    @Test
    void rf64WithAStreamingDataSizeIsAccepted() {
        byte[] wav = TestAudio.toneWav(1000, 1, 16_000, 1, Encoding.PCM_S16);
        wav[0] = 'R';
        wav[1] = 'F';
        wav[2] = '6';
        wav[3] = '4';
        wav[40] = wav[41] = wav[42] = wav[43] = (byte) 0xFF;

        assertThat(decoder.decode(wav).samples().length).isEqualTo(16_000);
    }

    @Test
    void aMissingFmtChunkIsReportedByName() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'});
        TestAudio.chunk(out, "data", new byte[100]);

        assertThatThrownBy(() -> decoder.decode(out.toByteArray()))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("audio_undecodable");
                    assertThat(e.getMessage()).contains("WAV fmt chunk missing");
                });
    }

    @Test
    void anMpegEncodedWavIsRejectedNamingTheEncoding() {
        byte[] fmt = TestAudio.fmtChunk(Encoding.PCM_S16, 1, 16_000, false);
        fmt[0] = 0x55;
        byte[] wav = TestAudio.wav(fmt, new byte[100]);

        assertThatThrownBy(() -> decoder.decode(wav))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo("audio_undecodable");
                    assertThat(e.getMessage()).contains("unsupported WAV encoding 85 (MPEG)");
                });
    }

    @Test
    void loudFloatSamplesAreClampedToUnitRange() {
        float[] loud = TestAudio.tone(200, 1, 16_000, 3.0);
        AudioClip clip = decoder.decode(TestAudio.wav(loud, 16_000, 1, Encoding.FLOAT32, false));

        float max = 0;
        for (float s : clip.samples()) {
            max = Math.max(max, Math.abs(s));
        }
        assertThat(max).isEqualTo(1f);
    }
}
