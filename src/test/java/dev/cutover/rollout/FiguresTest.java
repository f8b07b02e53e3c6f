package dev.cutover.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FiguresTest {
    @Test
    void numbersInSentencesKeepFourSignificantDigitsAndNoExponent() {
        assertThat(Figures.of(0.021093738828834703)).isEqualTo("0.02109");
        assertThat(Figures.of(0.024999999999999998)).isEqualTo("0.025");
        assertThat(Figures.of(16.562424219741715)).isEqualTo("16.56");
        assertThat(Figures.of(500.0)).isEqualTo("500");
        assertThat(Figures.of(0.0)).isEqualTo("0");
        assertThat(Figures.of(-1.0)).isEqualTo("-1");
        assertThat(Figures.of(1e-7)).isEqualTo("0.0000001");
        assertThat(Figures.of(123456.0)).isEqualTo("123500");
        assertThat(Figures.of(Double.NaN)).isEqualTo("NaN");
        assertThat(Figures.of((Double) null)).isEqualTo("null");
    }

    @Test
    void aMeasurementReadsAsValueIntervalAndSamples() {
        assertThat(Figures.measured(0.03, 0.021093738828834703, 0.04250341414758712, 1000))
                .isEqualTo("value 0.03, interval 0.02109 to 0.0425, 1000 samples");
    }
}
