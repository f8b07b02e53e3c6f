package dev.cutover.transcription.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.cutover.testing.TestAudio;
import org.junit.jupiter.api.Test;

class SincResamplerTest {
    private static final double INPUT_RMS = 0.5 / Math.sqrt(2);

    @Test
    void aTenKilohertzToneAt48kHzIsFilteredOutInsteadOfAliasingToSixKilohertz() {
        float[] out = SincResampler.resample(TestAudio.tone(10_000, 2, 48_000, 0.5), 48_000, 16_000);

        assertThat(TestAudio.middleRms(out)).isLessThan(0.05 * INPUT_RMS);
    }

    @Test
    void naiveDecimationWouldHaveAliasedTheSameToneAtFullLevel() {
        float[] in = TestAudio.tone(10_000, 2, 48_000, 0.5);
        float[] decimated = new float[in.length / 3];
        for (int i = 0; i < decimated.length; i++) {
            decimated[i] = in[3 * i];
        }
        assertThat(TestAudio.middleRms(decimated)).isCloseTo(INPUT_RMS, within(0.02));
    }

    @Test
    void justAboveTheNewNyquistIsStronglyAttenuatedFrom44100AndFrom22050() {
        assertThat(TestAudio.middleRms(SincResampler.resample(TestAudio.tone(8_300, 2, 44_100, 0.5), 44_100, 16_000)))
                .isLessThan(0.05 * INPUT_RMS);
        assertThat(TestAudio.middleRms(SincResampler.resample(TestAudio.tone(8_300, 2, 22_050, 0.5), 22_050, 16_000)))
                .isLessThan(0.05 * INPUT_RMS);
    }

    @Test
    void aOneKilohertzToneKeepsItsLevelAndFrequencyWhenDownsampled() {
        for (int rate : new int[] {48_000, 44_100, 32_000, 22_050, 96_000}) {
            float[] out = SincResampler.resample(TestAudio.tone(1_000, 2, rate, 0.5), rate, 16_000);

            assertThat(out.length).isEqualTo(32_000);
            assertThat(TestAudio.middleRms(out)).isCloseTo(INPUT_RMS, within(0.1 * INPUT_RMS));
            assertThat(TestAudio.toneFrequency(out, 16_000)).isCloseTo(1_000, within(2.0));
        }
    }

    @Test
    void speechBandUpToSixKilohertzPassesAtFullLevel() {
        for (double frequency : new double[] {100, 3_000, 6_000}) {
            float[] out = SincResampler.resample(TestAudio.tone(frequency, 2, 48_000, 0.5), 48_000, 16_000);
            assertThat(TestAudio.middleRms(out)).as("%s Hz", frequency).isCloseTo(INPUT_RMS, within(0.05 * INPUT_RMS));
        }
    }

    @Test
    void upsamplingEightKilohertzKeepsAOneKilohertzTone() {
        float[] out = SincResampler.resample(TestAudio.tone(1_000, 2, 8_000, 0.5), 8_000, 16_000);

        assertThat(out.length).isEqualTo(32_000);
        assertThat(TestAudio.middleRms(out)).isCloseTo(INPUT_RMS, within(0.1 * INPUT_RMS));
        assertThat(TestAudio.toneFrequency(out, 16_000)).isCloseTo(1_000, within(2.0));
    }

    @Test
    void theOutputIsNotDelayed() {
        float[] impulse = new float[48_000];
        impulse[24_000] = 1f;
        float[] out = SincResampler.resample(impulse, 48_000, 16_000);
        int peak = 0;
        for (int i = 0; i < out.length; i++) {
            if (Math.abs(out[i]) > Math.abs(out[peak])) {
                peak = i;
            }
        }
        assertThat(peak).isEqualTo(8_000);
    }
}
