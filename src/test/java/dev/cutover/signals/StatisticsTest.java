package dev.cutover.signals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cutover.signals.Statistics.Interval;
import dev.cutover.signals.Statistics.SrmResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatisticsTest {

    private static final double FOUR_DECIMALS = 1e-4;

    // Expected values: Newcombe 1998 (Stat. Med. 17:857) Table I, method 3, where the case
    // is there; the others worked out by hand from Wilson's formula with z = 1.959964,
    // written down as literals, not recomputed with the code under test.
    @ParameterizedTest(name = "{0}/{1} -> [{2}, {3}]")
    @CsvSource({
        "0,   10,   0.0000, 0.2775",
        "5,   10,   0.2366, 0.7634",
        "10,  10,   0.7225, 1.0000",
        "1,   100,  0.0018, 0.0545",
        "50,  1000, 0.0381, 0.0653",
        "81,  263,  0.2553, 0.3662",
        "15,  148,  0.0624, 0.1605",
        "0,   20,   0.0000, 0.1611",
        "1,   29,   0.0061, 0.1718",
    })
    void wilsonAt95PercentMatchesPublishedValues(long x, long n, double lower, double upper) {
        Interval interval = Statistics.wilson(x, n, 0.95);

        assertThat(interval.lower()).isCloseTo(lower, within(FOUR_DECIMALS));
        assertThat(interval.upper()).isCloseTo(upper, within(FOUR_DECIMALS));
    }

    @Test
    void wilsonBoundsAreExactlyZeroAndOneAtTheEdges() {
        assertThat(Statistics.wilson(0, 10, 0.95).lower()).isEqualTo(0.0);
        assertThat(Statistics.wilson(10, 10, 0.95).upper()).isEqualTo(1.0);
        assertThat(Statistics.wilson(0, 1_000_000_000L, 0.999999).lower()).isEqualTo(0.0);
    }

    @Test
    void wilsonAtOtherConfidencesMatchesHandComputedValues() {
        // z = 1.644854 (90 %) and 2.575829 (99 %).
        assertThat(Statistics.wilson(5, 10, 0.90).lower()).isCloseTo(0.2693, within(FOUR_DECIMALS));
        assertThat(Statistics.wilson(5, 10, 0.90).upper()).isCloseTo(0.7307, within(FOUR_DECIMALS));
        assertThat(Statistics.wilson(50, 1000, 0.99).lower()).isCloseTo(0.0350, within(FOUR_DECIMALS));
        assertThat(Statistics.wilson(50, 1000, 0.99).upper()).isCloseTo(0.0709, within(FOUR_DECIMALS));
    }

    @Test
    void wilsonWithNoTrialsKnowsNothing() {
        assertThat(Statistics.wilson(0, 0, 0.95)).isEqualTo(new Interval(0.0, 1.0));
    }

    @Test
    void wilsonAlwaysContainsThePointEstimateAndStaysWithinZeroAndOne() {
        for (long n : new long[] {1, 2, 3, 7, 10, 29, 100, 1000, 12_345}) {
            for (long x = 0; x <= n; x += Math.max(1, n / 50)) {
                for (double confidence : new double[] {0.5, 0.8, 0.95, 0.99, 0.999999}) {
                    Interval interval = Statistics.wilson(x, n, confidence);
                    assertThat(interval.lower()).as("%d/%d at %s", x, n, confidence).isBetween(0.0, 1.0);
                    assertThat(interval.upper()).as("%d/%d at %s", x, n, confidence).isBetween(0.0, 1.0);
                    assertThat(interval.contains((double) x / n)).as("%d/%d at %s", x, n, confidence).isTrue();
                }
            }
        }
    }

    @Test
    void wilsonWidensAsConfidenceGrows() {
        double[] confidences = {0.5, 0.8, 0.9, 0.95, 0.99, 0.999};
        for (long[] counts : new long[][] {{0, 10}, {3, 10}, {1, 100}, {500, 1000}, {999, 1000}}) {
            double previous = 0.0;
            for (double confidence : confidences) {
                double width = Statistics.wilson(counts[0], counts[1], confidence).width();
                assertThat(width).as("%d/%d at %s", counts[0], counts[1], confidence).isGreaterThan(previous);
                previous = width;
            }
        }
    }

    @Test
    void wilsonNarrowsAsTrialsGrowAtAFixedProportion() {
        for (double p : new double[] {0.0, 0.01, 0.2, 0.5, 1.0}) {
            double previous = Double.POSITIVE_INFINITY;
            for (long n = 100; n <= 1_000_000; n *= 10) {
                double width = Statistics.wilson(Math.round(p * n), n, 0.95).width();
                assertThat(width).as("p=%s n=%d", p, n).isLessThan(previous);
                previous = width;
            }
        }
    }

    // Newcombe 1998 (Stat. Med. 17:873) Table II, method 10, examples (a) to (h).
    @ParameterizedTest(name = "{0}/{1} - {2}/{3} -> [{4}, {5}]")
    @CsvSource({
        "56, 70, 48, 80,  0.0524, 0.3339",
        "9,  10, 3,  10,  0.1705, 0.8090",
        "6,  7,  2,  7,   0.0582, 0.8062",
        "5,  56, 0,  29, -0.0381, 0.1926",
        "0,  10, 0,  20, -0.1611, 0.2775",
        "0,  10, 0,  10, -0.2775, 0.2775",
        "10, 10, 0,  20,  0.6791, 1.0000",
        "10, 10, 0,  10,  0.6075, 1.0000",
    })
    void newcombeDifferenceMatchesPublishedTable(long x1, long n1, long x2, long n2, double lower, double upper) {
        Interval interval = Statistics.newcombeDifference(x1, n1, x2, n2, 0.95);

        assertThat(interval.lower()).isCloseTo(lower, within(FOUR_DECIMALS));
        assertThat(interval.upper()).isCloseTo(upper, within(FOUR_DECIMALS));
    }

    @Test
    void newcombeDifferenceWithAnEmptySampleKnowsNothing() {
        assertThat(Statistics.newcombeDifference(0, 0, 5, 10, 0.95)).isEqualTo(new Interval(-1.0, 1.0));
        assertThat(Statistics.newcombeDifference(5, 10, 0, 0, 0.95)).isEqualTo(new Interval(-1.0, 1.0));
        assertThat(Statistics.newcombeDifference(0, 0, 0, 0, 0.95)).isEqualTo(new Interval(-1.0, 1.0));
    }

    @Test
    void newcombeDifferenceAlwaysContainsTheObservedDifferenceAndStaysWithinMinusOneAndOne() {
        long[] sizes = {1, 2, 7, 10, 29, 100, 1000};
        for (long n1 : sizes) {
            for (long n2 : sizes) {
                for (long x1 = 0; x1 <= n1; x1 += Math.max(1, n1 / 10)) {
                    for (long x2 = 0; x2 <= n2; x2 += Math.max(1, n2 / 10)) {
                        Interval interval = Statistics.newcombeDifference(x1, n1, x2, n2, 0.95);
                        double d = (double) x1 / n1 - (double) x2 / n2;
                        String label = x1 + "/" + n1 + " - " + x2 + "/" + n2;
                        assertThat(interval.contains(d)).as(label).isTrue();
                        assertThat(interval.lower()).as(label).isBetween(-1.0, 1.0);
                        assertThat(interval.upper()).as(label).isBetween(-1.0, 1.0);
                    }
                }
            }
        }
    }

    @Test
    void newcombeDifferenceIsAntisymmetricInItsTwoSamples() {
        Interval forward = Statistics.newcombeDifference(56, 70, 48, 80, 0.95);
        Interval backward = Statistics.newcombeDifference(48, 80, 56, 70, 0.95);

        assertThat(backward.lower()).isCloseTo(-forward.upper(), within(1e-12));
        assertThat(backward.upper()).isCloseTo(-forward.lower(), within(1e-12));
    }

    @Test
    void anEvenSplitAgainstAnEvenExpectationIsNoMismatch() {
        SrmResult result = Statistics.sampleRatioMismatch(5000, 5000, 0.5);

        assertThat(result.chiSquared()).isEqualTo(0.0);
        assertThat(result.pValue()).isGreaterThan(0.99);
    }

    @Test
    void fourtySevenHundredAgainstFiftyThreeHundredIsAMismatch() {
        SrmResult result = Statistics.sampleRatioMismatch(4700, 5300, 0.5);

        // chi^2 = 2 * 300^2 / 5000 = 36; P(chi^2_1 >= 36) = erfc(sqrt(18)) = 1.97e-9.
        assertThat(result.chiSquared()).isCloseTo(36.0, within(1e-9));
        assertThat(result.pValue()).isLessThan(0.001);
        assertThat(result.pValue()).isCloseTo(1.9732e-9, within(1e-12));
    }

    @Test
    void aTenPercentCanaryGettingTenPercentIsNoMismatch() {
        SrmResult result = Statistics.sampleRatioMismatch(1000, 9000, 0.10);

        assertThat(result.pValue()).isGreaterThan(0.99);
    }

    @Test
    void aSmallDeviationGivesTheHandComputedPValue() {
        // 5100 vs 4900 at 0.5: chi^2 = 2 * 100^2 / 5000 = 4; P(chi^2_1 >= 4) = 0.0455.
        SrmResult result = Statistics.sampleRatioMismatch(5100, 4900, 0.5);

        assertThat(result.chiSquared()).isCloseTo(4.0, within(1e-9));
        assertThat(result.pValue()).isCloseTo(0.0455, within(FOUR_DECIMALS));
    }

    @Test
    void allTrafficExpectedOnOneSideIsAMismatchAsSoonAsTheOtherSideSeesAnySession() {
        assertThat(Statistics.sampleRatioMismatch(0, 500, 0.0).pValue()).isEqualTo(1.0);
        assertThat(Statistics.sampleRatioMismatch(1, 500, 0.0).pValue()).isEqualTo(0.0);
        assertThat(Statistics.sampleRatioMismatch(500, 0, 1.0).pValue()).isEqualTo(1.0);
        assertThat(Statistics.sampleRatioMismatch(500, 1, 1.0).pValue()).isEqualTo(0.0);
    }

    @Test
    void noObservationsIsNoMismatch() {
        assertThat(Statistics.sampleRatioMismatch(0, 0, 0.25)).isEqualTo(new SrmResult(0.0, 1.0));
        assertThat(Statistics.sampleRatioMismatch(0, 0, 0.0)).isEqualTo(new SrmResult(0.0, 1.0));
    }

    @Test
    void proportionIsZeroWithoutTrials() {
        assertThat(Statistics.proportion(0, 0)).isEqualTo(0.0);
        assertThat(Statistics.proportion(1, 4)).isEqualTo(0.25);
    }

    @Test
    void impossibleInputsAreRefused() {
        assertThatThrownBy(() -> Statistics.wilson(11, 10, 0.95)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Statistics.wilson(-1, 10, 0.95)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Statistics.wilson(1, 10, 1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Statistics.wilson(1, 10, 0.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Statistics.wilson(1, 10, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Statistics.newcombeDifference(1, 10, 3, 2, 0.95))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Statistics.sampleRatioMismatch(-1, 10, 0.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Statistics.sampleRatioMismatch(1, 10, 1.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Statistics.proportion(2, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
