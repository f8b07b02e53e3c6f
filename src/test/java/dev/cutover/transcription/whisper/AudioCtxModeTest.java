package dev.cutover.transcription.whisper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AudioCtxModeTest {
    @Test
    void autoEncodesTheClipPlusAMarginAndFullAlwaysEncodesThirtySeconds() {
        assertThat(AudioCtxMode.AUTO.audioCtxFor(3, 1500)).isEqualTo(150 + 64);
        assertThat(AudioCtxMode.AUTO.audioCtxFor(10, 1500)).isEqualTo(500 + 64);
        assertThat(AudioCtxMode.AUTO.audioCtxFor(6, 1500)).isEqualTo(300 + 64);
        assertThat(AudioCtxMode.AUTO.audioCtxFor(28.9, 1500)).as("margin reaches the full window").isZero();
        assertThat(AudioCtxMode.AUTO.audioCtxFor(45, 1500)).isZero();
        assertThat(AudioCtxMode.FULL.audioCtxFor(3, 1500)).isZero();
    }

    @Test
    void onlyAutoAndFullAreAccepted() {
        assertThat(AudioCtxMode.parse(" Auto ")).isEqualTo(AudioCtxMode.AUTO);
        assertThat(AudioCtxMode.parse("full")).isEqualTo(AudioCtxMode.FULL);
        assertThatThrownBy(() -> AudioCtxMode.parse("768")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("WHISPER_AUDIO_CTX=768").hasMessageContaining("'auto'");
    }
}
