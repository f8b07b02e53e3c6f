package dev.cutover.transcription.whisper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgmlModelWriterTest {
    @TempDir
    Path dir;

    @Test
    void melFiltersMatchLibrosaSlaneyFilters() {
        float[][] filters = MelFilters.slaney(80);

        assertThat(filters).hasNumberOfRows(80);
        assertThat(filters[0]).hasSize(201);
        // Reference values from librosa.filters.mel(sr=16000, n_fft=400, n_mels=80) (whisper's mel_filters.npz).
        assertThat(filters[0][1]).isEqualTo(0.024862595f);
        assertThat(filters[40][42]).isEqualTo(0.0054111f, within(1e-7f));
        assertThat(filters[79][195]).isEqualTo(0.0022437952f, within(1e-9f));
        for (float[] row : filters) {
            int nonZero = 0;
            for (float weight : row) {
                assertThat(weight).isGreaterThanOrEqualTo(0f);
                nonZero += weight > 0 ? 1 : 0;
            }
            assertThat(nonZero).as("every filter covers some bins").isPositive();
        }
    }

    @Test
    void aWrittenModelPassesTheLoaderChecksAndCarriesItsChecksum() throws Exception {
        ScriptedSentence sentence = ScriptedSentence.of("hello   world hello");
        GgmlModelWriter.WrittenModel written = GgmlModelWriter.write(dir.resolve("ggml-hello.bin"),
                ModelDimensions.small(sentence.script().length), sentence);

        ModelFileCheck.ModelInfo info = ModelFileCheck.inspect(written.file());
        assertThat(info.dims().textState()).isEqualTo(16);
        assertThat(info.vocabularyEntries()).isEqualTo(3);
        assertThat(info.tensors()).isEqualTo(TensorLayout.of(info.dims()).size());
        assertThat(written.sha256()).isEqualTo(DigestUtils.sha256Hex(Files.readAllBytes(written.file())));
        assertThat(Files.readString(dir.resolve("ggml-hello.bin.sha256"), StandardCharsets.US_ASCII))
                .isEqualTo(written.sha256() + "  ggml-hello.bin\n");
        assertThat(dir.resolve("ggml-hello.bin.partial")).doesNotExist();
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(written.file())).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(head.getInt(0)).isEqualTo(0x67676d6c);
        assertThat(head.getInt(4)).isEqualTo(51864);
        assertThat(head.getInt(44)).isEqualTo(1);
    }

    @Test
    void theScriptSaysTheSentenceBetweenWindowTimestamps() {
        ScriptedSentence sentence = ScriptedSentence.of(" hello world hello ");

        assertThat(sentence.expectedText()).isEqualTo("hello world hello");
        assertThat(sentence.vocabulary()).containsExactly(" ", " hello", " world");
        assertThat(sentence.script()).containsExactly(50363, 1, 2, 1, 50363 + 1500, 50256);
    }

    @Test
    void theTinyPresetHasTheRealTinyTensorSet() {
        assertThat(TensorLayout.of(ModelDimensions.tiny())).hasSize(167);
    }

    @Test
    void sentencesTooLongForTheModelOrWithUnsupportedCharactersAreRefused() {
        ScriptedSentence long64 = ScriptedSentence.of("word ".repeat(70));
        assertThatThrownBy(() -> GgmlModelWriter.write(dir.resolve("x.bin"), ModelDimensions.small(16), long64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
        assertThatThrownBy(() -> ScriptedSentence.of("smile \uD83D\uDE00"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScriptedSentence.of("   ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void halfFloatsRoundTripTheValuesTheWriterUses() {
        for (float value : new float[] {0f, 1f, 4f, 100f, -2.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f}) {
            assertThat(HalfFloat.toFloat(HalfFloat.fromFloat(value))).isEqualTo(value);
        }
        assertThat(HalfFloat.fromFloat(1f)).isEqualTo((short) 0x3c00);
        assertThat(HalfFloat.fromFloat(4f)).isEqualTo((short) 0x4400);
        assertThat(HalfFloat.toFloat(HalfFloat.fromFloat(1e6f))).isInfinite();
    }
}
