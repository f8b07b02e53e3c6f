package dev.cutover.testing;

import dev.cutover.transcription.whisper.AudioCtxMode;
import dev.cutover.transcription.whisper.TestModelGenerator;
import dev.cutover.transcription.whisper.WhisperConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Generated whisper test models: a real ggml file that whisper.cpp loads and that transcribes ANY audio as
 * {@link #SENTENCE} (one segment per 30 s window). Generated once per JVM into a temporary directory (with its
 * {@code .sha256}), deleted at exit. Use {@link #env()} to start a {@link TestApp} with it. Thread-safe.
 */
public final class TestModels {
    /** What the small test model says for every clip. */
    public static final String SENTENCE = TestModelGenerator.DEFAULT_SENTENCE;

    private static Path smallModel;
    private static Path directory;

    private TestModels() {
    }

    /** Path of the small (16-wide, 1+1 layer) model; its {@code .sha256} lies beside it. */
    public static synchronized Path smallModel() {
        if (smallModel == null) {
            try {
                directory = Files.createTempDirectory("cutover-models");
                Path model = directory.resolve("ggml-test-small.bin");
                TestModelGenerator.generate(model, "small", SENTENCE);
                Runtime.getRuntime().addShutdownHook(new Thread(TestModels::deleteAll, "delete-test-models"));
                smallModel = model;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return smallModel;
    }

    /** Environment for {@link TestApp.Builder#env(Map)}: the small test model with its checksum file. */
    public static Map<String, String> env() {
        return Map.of("WHISPER_MODEL", smallModel().toString());
    }

    /** A copy of the small model (and its .sha256) in {@code dir}, for tests that damage or rename it. */
    public static Path copyOfSmallModel(Path dir, String fileName) {
        try {
            Path source = smallModel();
            Path target = dir.resolve(fileName);
            Files.copy(source, target);
            Files.writeString(target.resolveSibling(fileName + ".sha256"),
                    Files.readString(source.resolveSibling(source.getFileName() + ".sha256"))
                            .replace(source.getFileName().toString(), fileName));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pool settings for tests: {@code workers} states, 1 thread each, {@code queue} waiting, audio_ctx auto. */
    public static WhisperConfig config(Path model, int workers, int queue) {
        return new WhisperConfig(model, Optional.empty(), workers, 1, queue, Duration.ofSeconds(30),
                AudioCtxMode.AUTO, Path.of("target", "whisper-native"));
    }

    /** Gaussian noise, 16 kHz mono, amplitude about 0.1, reproducible by seed. */
    public static float[] noise(double seconds, long seed) {
        Random random = new Random(seed);
        float[] samples = new float[(int) Math.round(seconds * 16_000)];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (float) Math.max(-1, Math.min(1, random.nextGaussian() * 0.1));
        }
        return samples;
    }

    /** A sine tone at {@code hz}, amplitude 0.5, 16 kHz mono. */
    public static float[] sine(double seconds, double hz) {
        float[] samples = new float[(int) Math.round(seconds * 16_000)];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / 16_000));
        }
        return samples;
    }

    private static void deleteAll() {
        try (var files = Files.list(directory)) {
            files.forEach(file -> file.toFile().delete());
            Files.deleteIfExists(directory);
        } catch (IOException ignored) {
            // best effort at exit
        }
    }
}
