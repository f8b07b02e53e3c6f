package dev.cutover.transcription.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cutover.http.ApiError;
import dev.cutover.http.HealthStatus;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestAudio;
import dev.cutover.testing.TestAudio.Compressed;
import dev.cutover.testing.TestAudio.Encoding;
import dev.cutover.transcription.AudioClip;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FfmpegDecodingTest {
    private static final AudioLimits LIMITS = new AudioLimits(25L << 20, 600);
    private static final byte[] THREE_SECONDS_STEREO_48K =
            TestAudio.toneWav(440, 3, 48_000, 2, Encoding.PCM_S16);

    @TempDir
    Path tempDir;

    @BeforeAll
    static void ffmpegIsInstalled() {
        assumeTrue(TestAudio.ffmpegAvailable() || System.getenv("CI") != null,
                "ffmpeg is not installed (apt-get install ffmpeg); CI must have it");
    }

    @ParameterizedTest
    @EnumSource(Compressed.class)
    void eachCompressedFormatDecodesToTheRightDurationAndPitch(Compressed format) {
        byte[] upload = TestAudio.encode(THREE_SECONDS_STEREO_48K, format);

        AudioClip clip = new UploadAudioDecoder(LIMITS).decode(upload);

        assertThat(clip.durationSec()).isCloseTo(3.0, within(0.1));
        assertThat(TestAudio.toneFrequency(clip.samples(), AudioClip.SAMPLE_RATE)).isCloseTo(440, within(5.0));
        assertThat(TestAudio.middleRms(clip.samples())).isCloseTo(0.5 / Math.sqrt(2), within(0.07));
    }

    @Test
    void ffmpegsResamplerIsBandLimitedToo() {
        byte[] tenKilohertz = TestAudio.encode(TestAudio.toneWav(10_000, 2, 48_000, 1, Encoding.PCM_S16),
                Compressed.FLAC);
        byte[] oneKilohertz = TestAudio.encode(TestAudio.toneWav(1_000, 2, 48_000, 1, Encoding.PCM_S16),
                Compressed.FLAC);
        UploadAudioDecoder decoder = new UploadAudioDecoder(LIMITS);

        assertThat(TestAudio.middleRms(decoder.decode(tenKilohertz).samples())).isLessThan(0.05 * 0.5 / Math.sqrt(2));
        assertThat(TestAudio.middleRms(decoder.decode(oneKilohertz).samples()))
                .isCloseTo(0.5 / Math.sqrt(2), within(0.035));
    }

    @Test
    void anMp4WhoseIndexComesLastIsDecodedThoughItCannotBeStreamed() {
        // With the index last, 30 s of AAC already fails to decode from a pipe; it needs a seekable file.
        byte[] wav = TestAudio.toneWav(440, 30, 16_000, 1, Encoding.PCM_S16);
        byte[] m4a = TestAudio.encode(wav, Compressed.M4A);

        AudioClip clip = new UploadAudioDecoder(LIMITS).decode(m4a);

        assertThat(clip.durationSec()).isCloseTo(30, within(0.1));
    }

    @Test
    void compressedAudioLongerThanTheLimitIsRejectedWithoutReadingItAll() {
        byte[] mp3 = TestAudio.encode(TestAudio.toneWav(440, 8, 16_000, 1, Encoding.PCM_S16), Compressed.MP3);

        ApiError error = decodeError(new UploadAudioDecoder(new AudioLimits(25L << 20, 5)), mp3);

        assertThat(error.status()).isEqualTo(413);
        assertThat(error.code()).isEqualTo("audio_too_long");
    }

    @Test
    void garbageBehindOggMagicIsUndecodableWithFfmpegsReason() {
        byte[] upload = new byte[5000];
        new Random(7).nextBytes(upload);
        System.arraycopy("OggS".getBytes(StandardCharsets.US_ASCII), 0, upload, 0, 4);

        ApiError error = decodeError(new UploadAudioDecoder(LIMITS), upload);

        assertThat(error.status()).isEqualTo(400);
        assertThat(error.code()).isIn("audio_undecodable", "audio_empty");
    }

    @Test
    void withoutFfmpegCompressedFormatsAre503ButWavStillWorks() {
        UploadAudioDecoder decoder = new UploadAudioDecoder(LIMITS,
                new FfmpegSettings(tempDir.resolve("no-such-ffmpeg").toString(), Duration.ofSeconds(5), 2,
                        Duration.ofSeconds(1)));
        byte[] flac = TestAudio.encode(THREE_SECONDS_STEREO_48K, Compressed.FLAC);

        ApiError error = decodeError(decoder, flac);

        assertThat(error.status()).isEqualTo(503);
        assertThat(error.code()).isEqualTo("decoder_unavailable");
        assertThat(error.getMessage()).contains("ffmpeg", "WAV");
        assertThat(decoder.compressedFormatsAvailable()).isFalse();
        assertThat(decodeError(decoder, TestAudio.encode(THREE_SECONDS_STEREO_48K, Compressed.M4A)).code())
                .isEqualTo("decoder_unavailable");
        assertThat(decoder.decode(THREE_SECONDS_STEREO_48K).durationSec()).isEqualTo(3.0);
    }

    @Test
    void aDecoderThatHangsIsKilledAtTheTimeoutWithItsChildren() throws IOException {
        Path pidFile = tempDir.resolve("child.pid");
        Path hangingFfmpeg = script("hanging-ffmpeg", "sleep 60 & echo $! > " + pidFile + "; wait");
        UploadAudioDecoder decoder = new UploadAudioDecoder(LIMITS,
                new FfmpegSettings(hangingFfmpeg.toString(), Duration.ofMillis(500), 1, Duration.ZERO));

        long started = System.nanoTime();
        ApiError error = decodeError(decoder, TestAudio.encode(THREE_SECONDS_STEREO_48K, Compressed.OGG_OPUS));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(error.status()).isEqualTo(400);
        assertThat(error.getMessage()).contains("longer than");
        assertThat(elapsedMs).isLessThan(10_000);
        long child = Long.parseLong(Files.readString(pidFile).strip());
        // SIGKILL is asynchronous: give the child a moment to be reaped, far less than its 60 s sleep.
        ProcessHandle.of(child).ifPresent(handle -> handle.onExit().completeOnTimeout(handle, 5, TimeUnit.SECONDS).join());
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void whenEveryDecoderSlotIsTakenTheNextUploadIsBusyWithRetryAfter() throws Exception {
        Path started = tempDir.resolve("started");
        Path slowFfmpeg = script("slow-ffmpeg", "touch " + started + "; sleep 3");
        UploadAudioDecoder decoder = new UploadAudioDecoder(LIMITS,
                new FfmpegSettings(slowFfmpeg.toString(), Duration.ofSeconds(2), 1, Duration.ofMillis(100)));
        byte[] ogg = TestAudio.encode(THREE_SECONDS_STEREO_48K, Compressed.OGG_OPUS);
        CompletableFuture<Throwable> first = CompletableFuture.supplyAsync(() -> catchThrowable(() -> decoder.decode(ogg)));
        Eventually.await(Duration.ofSeconds(10), "the slow ffmpeg started", () -> Files.exists(started));

        ApiError error = decodeError(decoder, ogg);

        assertThat(error.status()).isEqualTo(503);
        assertThat(error.code()).isEqualTo("busy");
        assertThat(error.headers()).containsKey("Retry-After");
        assertThat(first.get(10, TimeUnit.SECONDS)).isInstanceOf(ApiError.class);
    }

    @Test
    void ffmpegRunsWithoutTheServicesEnvironmentVariables() throws IOException {
        Path environment = tempDir.resolve("environment");
        Path envDumpingFfmpeg = script("env-ffmpeg", "env > " + environment + "; exit 1");
        UploadAudioDecoder decoder = new UploadAudioDecoder(LIMITS,
                new FfmpegSettings(envDumpingFfmpeg.toString(), Duration.ofSeconds(5), 1, Duration.ZERO));

        decodeError(decoder, TestAudio.encode(THREE_SECONDS_STEREO_48K, Compressed.MP3));

        List<String> names = Files.readAllLines(environment).stream().map(line -> line.split("=", 2)[0]).toList();
        assertThat(System.getenv()).containsKey("HOME");
        assertThat(names).doesNotContain("HOME").isSubsetOf("PATH", "LANG", "LC_ALL", "TMPDIR", "PWD", "SHLVL", "_");
    }

    @Test
    void healthSaysWhetherCompressedFormatsCanBeDecoded() {
        UploadAudioDecoder working = new UploadAudioDecoder(LIMITS);
        UploadAudioDecoder broken = new UploadAudioDecoder(LIMITS, new FfmpegSettings(
                tempDir.resolve("missing").toString(), Duration.ofSeconds(5), 3, Duration.ZERO));

        assertThat(working.health().report().status()).isEqualTo(HealthStatus.UP);
        assertThat(broken.health().report().status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(broken.health().report().details()).containsEntry("compressed_formats", false)
                .containsEntry("ffmpeg_max", 3);
    }

    @Test
    void manyThreadsShareOneDecoderAndEverySlotIsReturnedAfterSuccessAndFailure() throws Exception {
        UploadAudioDecoder decoder = new UploadAudioDecoder(LIMITS,
                new FfmpegSettings("ffmpeg", Duration.ofSeconds(30), 2, Duration.ofSeconds(60)));
        byte[] ogg = TestAudio.encode(THREE_SECONDS_STEREO_48K, Compressed.OGG_VORBIS);
        byte[] garbage = Arrays.copyOf(ogg, 200);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Double>> results = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                byte[] upload = switch (i % 3) {
                    case 0 -> ogg;
                    case 1 -> THREE_SECONDS_STEREO_48K;
                    default -> garbage;
                };
                results.add(pool.submit(() -> {
                    try {
                        return decoder.decode(upload).durationSec();
                    } catch (ApiError e) {
                        return -e.status() * 1.0;
                    }
                }));
            }
            for (int i = 0; i < results.size(); i++) {
                double outcome = results.get(i).get(60, TimeUnit.SECONDS);
                if (i % 3 == 2) {
                    assertThat(outcome).isEqualTo(-400.0);
                } else {
                    assertThat(outcome).isCloseTo(3.0, within(0.1));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(decoder.health().report().details()).containsEntry("ffmpeg_running", 0);
    }

    @Test
    void anEmptyButValidStreamIsAudioEmpty() {
        byte[] silentFlac = TestAudio.encode(TestAudio.wav(new float[0], 16_000, 1, Encoding.PCM_S16, false),
                Compressed.FLAC);

        ApiError error = decodeError(new UploadAudioDecoder(LIMITS), silentFlac);

        assertThat(error.status()).isEqualTo(400);
        assertThat(error.code()).isEqualTo("audio_empty");
    }

    private Path script(String name, String body) throws IOException {
        Path script = tempDir.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private static ApiError decodeError(UploadAudioDecoder decoder, byte[] upload) {
        Throwable thrown = catchThrowable(() -> decoder.decode(upload));
        assertThat(thrown).as("decoding %s", Arrays.toString(Arrays.copyOf(upload, 8))).isInstanceOf(ApiError.class);
        return (ApiError) thrown;
    }
}
