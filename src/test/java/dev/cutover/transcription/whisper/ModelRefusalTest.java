package dev.cutover.transcription.whisper;

import static dev.cutover.transcription.whisper.WhisperPoolTest.assertApiError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.LogCapture;
import dev.cutover.testing.TestModels;
import dev.cutover.transcription.AudioClip;
import dev.cutover.transcription.TranscribeOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelRefusalTest {
    private static final int HEADER_END = 4 + 11 * 4;
    private static final int FILTERS_END = HEADER_END + 8 + 80 * 201 * 4;

    @TempDir
    Path dir;

    @Test
    void aChecksumMismatchIsRefusedAndTheModelNeverLoaded() throws IOException {
        Path model = TestModels.copyOfSmallModel(dir, "ggml-tampered.bin");
        Files.writeString(dir.resolve("ggml-tampered.bin.sha256"), "0".repeat(64) + "  ggml-tampered.bin\n");

        try (WhisperPool pool = WhisperPool.open(TestModels.config(model, 1, 0))) {
            assertThat(pool.isLoaded()).isFalse();
            assertThat(pool.checksumStatus()).isEqualTo("mismatch");
            assertThat(pool.notLoadedReason()).hasValueSatisfying(reason -> assertThat(reason)
                    .contains("checksum mismatch").contains("download-model.sh tampered"));
            assertApiError(() -> pool.transcribe(new AudioClip(TestModels.noise(1, 1)), TranscribeOptions.DEFAULTS),
                    503, "model_not_loaded");
        }
    }

    @Test
    void theConfiguredChecksumWinsOverTheFileBesideTheModel() {
        Path model = TestModels.copyOfSmallModel(dir, "ggml-pinned.bin");
        WhisperConfig pinnedElsewhere = TestModels.config(model, 1, 0).withModel(model, Optional.of("ab".repeat(32)));

        try (WhisperPool pool = WhisperPool.open(pinnedElsewhere)) {
            assertThat(pool.isLoaded()).isFalse();
            assertThat(pool.notLoadedReason()).hasValueSatisfying(reason -> assertThat(reason)
                    .contains("checksum mismatch").contains("WHISPER_MODEL_SHA256"));
        }
    }

    @Test
    void theStartUpLogSaysWhichModelLoadedFromWhereAndThatItsChecksumWasVerified() throws IOException {
        Path model = TestModels.copyOfSmallModel(dir, "ggml-logged.bin");
        String sha256 = DigestUtils.sha256Hex(Files.readAllBytes(model));
        int mark = LogCapture.mark();

        try (WhisperPool pool = WhisperPool.open(TestModels.config(model, 1, 0))) {
            assertThat(pool.isLoaded()).isTrue();
            assertThat(LogCapture.linesSince(mark)).anySatisfy(line -> assertThat(line)
                    .contains("Loaded whisper model ggml-logged from " + model.toAbsolutePath().normalize())
                    .contains("SHA-256 " + sha256 + " verified against " + dir.resolve("ggml-logged.bin.sha256")));
        }
    }

    @Test
    void aModelWithoutRecordedChecksumLoadsUnverified() throws IOException {
        Path model = TestModels.copyOfSmallModel(dir, "ggml-unpinned.bin");
        Files.delete(dir.resolve("ggml-unpinned.bin.sha256"));
        int mark = LogCapture.mark();

        try (WhisperPool pool = WhisperPool.open(TestModels.config(model, 1, 0))) {
            assertThat(pool.isLoaded()).isTrue();
            assertThat(LogCapture.linesSince(mark)).anySatisfy(line -> assertThat(line)
                    .contains("Loaded whisper model ggml-unpinned from").contains("unverified"));
            assertThat(pool.checksumStatus()).isEqualTo("unverified");
            assertThat(pool.sha256()).contains(DigestUtils.sha256Hex(Files.readAllBytes(model)));
            assertThat(pool.transcribe(new AudioClip(TestModels.noise(1, 1)), TranscribeOptions.DEFAULTS).text())
                    .isEqualTo(TestModels.SENTENCE);
        }
    }

    @Test
    void anUnreadableChecksumFileIsRefused() throws IOException {
        Path model = TestModels.copyOfSmallModel(dir, "ggml-garbled.bin");
        Files.writeString(dir.resolve("ggml-garbled.bin.sha256"), "not a digest\n");

        try (WhisperPool pool = WhisperPool.open(TestModels.config(model, 1, 0))) {
            assertThat(pool.isLoaded()).isFalse();
            assertThat(pool.notLoadedReason()).hasValueSatisfying(reason -> assertThat(reason).contains("checksum"));
        }
    }

    @Test
    void aMissingModelFileLeavesTheEngineUnloadedWithWhatToDo() {
        try (WhisperPool pool = WhisperPool.open(TestModels.config(dir.resolve("ggml-base.en.bin"), 1, 0))) {
            assertThat(pool.isLoaded()).isFalse();
            assertThat(pool.modelName()).isEqualTo("ggml-base.en");
            assertThat(pool.notLoadedReason()).hasValueSatisfying(reason -> assertThat(reason)
                    .contains("does not exist").contains("run models/download-model.sh base.en"));
            assertApiError(() -> pool.transcribe(new AudioClip(TestModels.noise(1, 1)), TranscribeOptions.DEFAULTS),
                    503, "model_not_loaded");
        }
    }

    static Stream<Arguments> corruptions() {
        return Stream.of(
                Arguments.of("zero bytes", (UnaryOperator<byte[]>) b -> new byte[0], "too short"),
                Arguments.of("bad magic", put(0, 0x12345678), "bad magic"),
                Arguments.of("truncated header", cut(20), "too short"),
                Arguments.of("truncated mel filters", cut(HEADER_END + 100), "truncated"),
                Arguments.of("truncated vocabulary", cut(FILTERS_END + 10), "truncated"),
                Arguments.of("wrong n_vocab", put(4, 50_000), "n_vocab=50000"),
                Arguments.of("large-v3 vocabulary with 80 mels", put(4, 51_866), "n_mels=80"),
                Arguments.of("bad ftype", put(44, 7), "ftype=7"),
                Arguments.of("F32 ftype (aborts in the first convolution)", put(44, 0), "ftype=0"),
                Arguments.of("quantized ftype", put(44, 2008), "ftype=2008"),
                Arguments.of("mismatched states", put(4 + 6 * 4, 32), "differs"),
                Arguments.of("zero heads", put(4 + 3 * 4, 0), "n_audio_head=0"),
                Arguments.of("short audio context", put(4 + 4, 100), "n_audio_ctx=100"),
                Arguments.of("negative layers", put(4 + 4 * 4, -3), "n_audio_layer=-3"),
                Arguments.of("impossible vocabulary count", put(FILTERS_END, 1 << 30), "vocabulary holds"),
                Arguments.of("truncated tensors", (UnaryOperator<byte[]>) b -> Arrays.copyOf(b, b.length - 1000),
                        "truncated"),
                Arguments.of("only the first tensors", (UnaryOperator<byte[]>) b -> Arrays.copyOf(b,
                        b.length / 2), "truncated"),
                Arguments.of("trailing garbage", (UnaryOperator<byte[]>) b -> Arrays.copyOf(b, b.length + 64),
                        "malformed tensor header"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    void corruptFilesAreRefusedBeforeNativeCodeEvenWithAMatchingChecksum(String what, UnaryOperator<byte[]> damage,
            String expectedReason) throws IOException {
        Path model = dir.resolve("ggml-corrupt.bin");
        byte[] damaged = damage.apply(Files.readAllBytes(TestModels.smallModel()));
        Files.write(model, damaged);
        Files.writeString(dir.resolve("ggml-corrupt.bin.sha256"), DigestUtils.sha256Hex(damaged) + "  x\n");

        try (WhisperPool pool = WhisperPool.open(TestModels.config(model, 1, 0))) {
            assertThat(pool.isLoaded()).as(what).isFalse();
            assertThat(pool.checksumStatus()).isEqualTo("verified");
            assertThat(pool.notLoadedReason()).hasValueSatisfying(reason -> assertThat(reason)
                    .contains("not a usable whisper model").contains(expectedReason));
            assertApiError(() -> pool.transcribe(new AudioClip(TestModels.noise(1, 1)), TranscribeOptions.DEFAULTS),
                    503, "model_not_loaded");
        }
    }

    @Test
    void aModelFileWithNoTensorsIsRefused() throws IOException {
        byte[] bytes = Files.readAllBytes(TestModels.smallModel());
        int vocabularyEnd = FILTERS_END + 4;
        int count = ByteBuffer.wrap(bytes, FILTERS_END, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        for (int i = 0; i < count; i++) {
            vocabularyEnd += 4 + ByteBuffer.wrap(bytes, vocabularyEnd, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        }
        Path model = dir.resolve("ggml-empty.bin");
        Files.write(model, Arrays.copyOf(bytes, vocabularyEnd));

        try (WhisperPool pool = WhisperPool.open(TestModels.config(model, 1, 0))) {
            assertThat(pool.notLoadedReason()).hasValueSatisfying(reason -> assertThat(reason)
                    .contains("no tensors"));
        }
    }

    @AfterAll
    static void theProcessStillTranscribesAfterEveryRefusal() {
        try (WhisperPool pool = WhisperPool.open(TestModels.config(TestModels.smallModel(), 1, 0))) {
            assertThat(pool.transcribe(new AudioClip(TestModels.sine(2, 300)), TranscribeOptions.DEFAULTS).text())
                    .isEqualTo(TestModels.SENTENCE);
        }
    }

    private static UnaryOperator<byte[]> put(int offset, int value) {
        return bytes -> {
            byte[] copy = bytes.clone();
            ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
            return copy;
        };
    }

    private static UnaryOperator<byte[]> cut(int length) {
        return bytes -> Arrays.copyOf(bytes, length);
    }
}
