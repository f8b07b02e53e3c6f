package dev.cutover.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Builds audio uploads for tests: WAV bytes of a tone or noise at any rate, channel count and encoding, and the same
 * audio encoded by ffmpeg into compressed containers. Also measures decoded samples (RMS, tone frequency).
 */
public final class TestAudio {
    /** How samples are stored in a generated WAV. */
    public enum Encoding {
        PCM_U8(1, 8), PCM_S16(1, 16), PCM_S24(1, 24), PCM_S32(1, 32), FLOAT32(3, 32), FLOAT64(3, 64);

        final int formatTag;
        final int bits;

        Encoding(int formatTag, int bits) {
            this.formatTag = formatTag;
            this.bits = bits;
        }
    }

    /** Compressed formats ffmpeg can produce, with the arguments that produce them. */
    public enum Compressed {
        WEBM_OPUS("webm", "-c:a", "libopus", "-b:a", "32k"),
        OGG_OPUS("ogg", "-c:a", "libopus", "-b:a", "32k"),
        OGG_VORBIS("ogg", "-c:a", "libvorbis", "-q:a", "2"),
        MP3("mp3", "-c:a", "libmp3lame", "-b:a", "64k"),
        M4A("ipod", "-c:a", "aac", "-b:a", "64k"),
        ADTS_AAC("adts", "-c:a", "aac", "-b:a", "64k"),
        FLAC("flac", "-c:a", "flac");

        final String muxer;
        final List<String> codecArgs;

        Compressed(String muxer, String... codecArgs) {
            this.muxer = muxer;
            this.codecArgs = List.of(codecArgs);
        }
    }

    private TestAudio() {
    }

    /** A sine of the given frequency and peak amplitude, one channel. */
    public static float[] tone(double frequencyHz, double seconds, int sampleRate, double amplitude) {
        float[] samples = new float[(int) Math.round(seconds * sampleRate)];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (float) (amplitude * Math.sin(2 * Math.PI * frequencyHz * i / sampleRate));
        }
        return samples;
    }

    /** Uniform white noise in [-amplitude, amplitude] from a seeded generator. */
    public static float[] noise(long seed, double seconds, int sampleRate, double amplitude) {
        Random random = new Random(seed);
        float[] samples = new float[(int) Math.round(seconds * sampleRate)];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (float) (amplitude * (2 * random.nextDouble() - 1));
        }
        return samples;
    }

    /** WAV of a 0.5-amplitude tone copied into every channel. */
    public static byte[] toneWav(double frequencyHz, double seconds, int sampleRate, int channels, Encoding encoding) {
        return wav(tone(frequencyHz, seconds, sampleRate, 0.5), sampleRate, channels, encoding, false);
    }

    /** WAV with {@code mono} copied into each of {@code channels} channels; extensible picks WAVE_FORMAT_EXTENSIBLE. */
    public static byte[] wav(float[] mono, int sampleRate, int channels, Encoding encoding, boolean extensible) {
        int bytesPerSample = encoding.bits / 8;
        int blockAlign = bytesPerSample * channels;
        ByteBuffer data = ByteBuffer.allocate(mono.length * blockAlign).order(ByteOrder.LITTLE_ENDIAN);
        for (float sample : mono) {
            for (int c = 0; c < channels; c++) {
                putSample(data, sample, encoding);
            }
        }
        return wav(fmtChunk(encoding, channels, sampleRate, extensible), data.array());
    }

    /** A RIFF/WAVE file of the given fmt chunk body and data chunk body (sizes written truthfully). */
    public static byte[] wav(byte[] fmtBody, byte[] dataBody) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeAscii(out, "RIFF");
        writeU32(out, 4 + 8 + fmtBody.length + (fmtBody.length & 1) + 8 + dataBody.length + (dataBody.length & 1));
        writeAscii(out, "WAVE");
        chunk(out, "fmt ", fmtBody);
        chunk(out, "data", dataBody);
        return out.toByteArray();
    }

    /** The body of a fmt chunk; with extensible the real tag goes into the sub-format GUID. */
    public static byte[] fmtChunk(Encoding encoding, int channels, int sampleRate, boolean extensible) {
        int bytesPerSample = encoding.bits / 8;
        ByteBuffer fmt = ByteBuffer.allocate(extensible ? 40 : 16).order(ByteOrder.LITTLE_ENDIAN);
        fmt.putShort((short) (extensible ? 0xFFFE : encoding.formatTag));
        fmt.putShort((short) channels);
        fmt.putInt(sampleRate);
        fmt.putInt(sampleRate * channels * bytesPerSample);
        fmt.putShort((short) (channels * bytesPerSample));
        fmt.putShort((short) encoding.bits);
        if (extensible) {
            fmt.putShort((short) 22);
            fmt.putShort((short) encoding.bits);
            fmt.putInt(channels == 2 ? 0x3 : 0);
            fmt.putShort((short) encoding.formatTag);
            fmt.put(new byte[] {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00,
                0x38, (byte) 0x9B, 0x71});
        }
        return fmt.array();
    }

    /** A chunk with id, truthful size, body and the pad byte for odd sizes. */
    public static void chunk(ByteArrayOutputStream out, String id, byte[] body) {
        writeAscii(out, id);
        writeU32(out, body.length);
        out.writeBytes(body);
        if ((body.length & 1) == 1) {
            out.write(0);
        }
    }

    /** Whether an ffmpeg binary runs on this machine. */
    public static boolean ffmpegAvailable() {
        return Machine.runs("ffmpeg", "-hide_banner", "-version");
    }

    /** Encodes a WAV file with ffmpeg (no shell) and returns the compressed bytes. */
    public static byte[] encode(byte[] wav, Compressed format) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("test-audio-");
            Path input = dir.resolve("in.wav");
            Path output = dir.resolve("out.bin");
            Files.write(input, wav);
            List<String> command = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-hide_banner", "-loglevel",
                    "error", "-y", "-i", input.toString(), "-vn"));
            command.addAll(format.codecArgs);
            command.addAll(List.of("-f", format.muxer, output.toString()));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String log;
            try (InputStream stdout = process.getInputStream()) {
                log = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("ffmpeg failed to encode " + format + ": " + log);
            }
            return Files.readAllBytes(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            deleteTree(dir);
        }
    }

    public static double rms(float[] samples, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (double) samples[i] * samples[i];
        }
        return Math.sqrt(sum / Math.max(1, to - from));
    }

    /** RMS of the middle half, away from filter edges and codec priming. */
    public static double middleRms(float[] samples) {
        return rms(samples, samples.length / 4, 3 * samples.length / 4);
    }

    /** Frequency of a pure tone from its zero crossings in the middle half of the clip. */
    public static double toneFrequency(float[] samples, int sampleRate) {
        int from = samples.length / 4;
        int to = 3 * samples.length / 4;
        int firstCrossing = -1;
        int lastCrossing = -1;
        int crossings = 0;
        for (int i = from + 1; i < to; i++) {
            if (samples[i - 1] < 0 && samples[i] >= 0) {
                if (firstCrossing < 0) {
                    firstCrossing = i;
                } else {
                    crossings++;
                }
                lastCrossing = i;
            }
        }
        if (crossings == 0) {
            return 0;
        }
        return crossings * (double) sampleRate / (lastCrossing - firstCrossing);
    }

    private static void putSample(ByteBuffer data, float sample, Encoding encoding) {
        double s = Math.max(-1.0, Math.min(1.0, sample));
        switch (encoding) {
            case PCM_U8 -> data.put((byte) Math.round(s * 127 + 128));
            case PCM_S16 -> data.putShort((short) Math.round(s * 32767));
            case PCM_S24 -> {
                int v = (int) Math.round(s * 8388607);
                data.put((byte) v).put((byte) (v >> 8)).put((byte) (v >> 16));
            }
            case PCM_S32 -> data.putInt((int) Math.round(s * 2147483647.0));
            case FLOAT32 -> data.putFloat(sample);
            case FLOAT64 -> data.putDouble(sample);
        }
    }

    private static void writeAscii(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static void writeU32(ByteArrayOutputStream out, long value) {
        out.write((int) value);
        out.write((int) (value >> 8));
        out.write((int) (value >> 16));
        out.write((int) (value >> 24));
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // leftover temp files are harmless for tests
        }
    }
}
