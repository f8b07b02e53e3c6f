package dev.cutover.transcription;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CacheKeyTest {
    private static final AudioClip CLIP = new AudioClip(new float[] {0.1f, -0.2f, 0.3f});

    @Test
    void theSameSamplesModelAndOptionsGiveTheSameKey() {
        assertThat(CacheKey.of(new AudioClip(CLIP.samples().clone()), "m", TranscribeOptions.DEFAULTS))
                .isEqualTo(CacheKey.of(CLIP, "m", TranscribeOptions.DEFAULTS));
    }

    @Test
    void anyDifferenceInSamplesModelOrOptionsGivesADifferentKey() {
        CacheKey base = CacheKey.of(CLIP, "m", TranscribeOptions.DEFAULTS);

        assertThat(CacheKey.of(new AudioClip(new float[] {0.1f, -0.2f, 0.30001f}), "m", TranscribeOptions.DEFAULTS)).isNotEqualTo(base);
        assertThat(CacheKey.of(new AudioClip(new float[] {0.1f, -0.2f, 0.3f, 0f}), "m", TranscribeOptions.DEFAULTS)).isNotEqualTo(base);
        assertThat(CacheKey.of(CLIP, "other", TranscribeOptions.DEFAULTS)).isNotEqualTo(base);
        assertThat(CacheKey.of(CLIP, "m", new TranscribeOptions(Optional.of("de"), Optional.empty(), 0f))).isNotEqualTo(base);
        assertThat(CacheKey.of(CLIP, "m", new TranscribeOptions(Optional.empty(), Optional.of("names"), 0f))).isNotEqualTo(base);
        assertThat(CacheKey.of(CLIP, "m", new TranscribeOptions(Optional.empty(), Optional.empty(), 0.2f))).isNotEqualTo(base);
    }

    @Test
    void optionsCannotBeShiftedBetweenFieldsToCollide() {
        CacheKey languageHoldsIt = CacheKey.of(CLIP, "m", new TranscribeOptions(Optional.of("en"), Optional.of(""), 0f));
        CacheKey promptHoldsIt = CacheKey.of(CLIP, "m", new TranscribeOptions(Optional.of(""), Optional.of("en"), 0f));

        assertThat(languageHoldsIt).isNotEqualTo(promptHoldsIt);
        assertThat(languageHoldsIt.sha256Hex()).hasSize(64);
    }
}
