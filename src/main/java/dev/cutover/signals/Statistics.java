package dev.cutover.signals;

import org.apache.commons.statistics.distribution.ChiSquaredDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * Fixed-sample statistics for the fleet view of the rollout: intervals for a
 * proportion and for a difference of two proportions, and the sample-ratio
 * check. Pure functions of counts.
 *
 * <p>These are fixed-sample procedures: an interval is valid for one look at
 * the data. A rule evaluated again and again over the same stream (the guard)
 * needs a sequential method on top; see GUARD_NOTES.
 *
 * <p>Thread-safe: stateless, and the distributions it holds are immutable.
 */
public final class Statistics {

    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);
    private static final ChiSquaredDistribution CHI_SQUARED_1 = ChiSquaredDistribution.of(1);

    private Statistics() {
    }

    /** A closed interval {@code [lower, upper]}. */
    public record Interval(double lower, double upper) {

        public Interval {
            if (Double.isNaN(lower) || Double.isNaN(upper) || lower > upper) {
                throw new IllegalArgumentException("not an interval: [" + lower + ", " + upper + "]");
            }
        }

        /** Whether {@code value} lies in the interval, bounds included. */
        public boolean contains(double value) {
            return lower <= value && value <= upper;
        }

        public double width() {
            return upper - lower;
        }
    }

    /**
     * A sample-ratio check: Pearson's statistic and its p-value (the chance of a
     * split at least this far from the expected one if assignment is working).
     */
    public record SrmResult(double chiSquared, double pValue) {
    }

    /**
     * The observed proportion {@code x / n}, or 0 when there were no trials.
     *
     * @throws IllegalArgumentException unless {@code 0 <= x <= n}
     */
    public static double proportion(long x, long n) {
        checkCounts(x, n);
        return n == 0 ? 0.0 : (double) x / n;
    }

    /**
     * Wilson score interval for a binomial proportion.
     *
     * <p>Reference: E. B. Wilson, "Probable inference, the law of succession, and
     * statistical inference", J. Am. Stat. Assoc. 22 (1927) 209–212; method 3 in
     * R. G. Newcombe, "Two-sided confidence intervals for the single proportion:
     * comparison of seven methods", Stat. Med. 17 (1998) 857–872.
     *
     * <p>With z the standard normal quantile at {@code 1 − (1 − confidence)/2}
     * and p = x/n: centre (p + z²/2n) / (1 + z²/n), half-width
     * z/(1 + z²/n) · √(p(1 − p)/n + z²/4n²). No trials → [0, 1]; 0 successes
     * give a lower bound of exactly 0 and n successes an upper bound of exactly 1.
     *
     * @param confidence two-sided confidence level, strictly between 0 and 1 (e.g. 0.95)
     * @throws IllegalArgumentException unless {@code 0 <= successes <= trials} and the
     *     confidence is in (0, 1)
     */
    public static Interval wilson(long successes, long trials, double confidence) {
        checkCounts(successes, trials);
        double z = zFor(confidence);
        if (trials == 0) {
            return new Interval(0.0, 1.0);
        }
        double n = trials;
        double p = (double) successes / trials;
        double z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denominator;
        double halfWidth = z / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        // At the edges the formula's bound is exactly 0 or 1; rounding must not move it.
        double lower = successes == 0 ? 0.0 : clamp(centre - halfWidth, 0.0, p);
        double upper = successes == trials ? 1.0 : clamp(centre + halfWidth, p, 1.0);
        return new Interval(lower, upper);
    }

    /**
     * Interval for the difference p1 − p2 of two independent proportions by
     * Newcombe's hybrid score method (square-and-add of two Wilson intervals).
     *
     * <p>Reference: R. G. Newcombe, "Interval estimation for the difference between
     * independent proportions: comparison of eleven methods", Stat. Med. 17 (1998)
     * 873–890, method 10.
     *
     * <p>With Wilson intervals (l1, u1) and (l2, u2) and d = p1 − p2:
     * lower = d − √((p1 − l1)² + (u2 − p2)²), upper = d + √((u1 − p1)² + (p2 − l2)²).
     * If either sample is empty nothing is known about the difference: [−1, 1].
     *
     * @param confidence two-sided confidence level, strictly between 0 and 1
     * @throws IllegalArgumentException unless {@code 0 <= x1 <= n1}, {@code 0 <= x2 <= n2}
     *     and the confidence is in (0, 1)
     */
    public static Interval newcombeDifference(long x1, long n1, long x2, long n2, double confidence) {
        checkCounts(x1, n1);
        checkCounts(x2, n2);
        zFor(confidence);
        if (n1 == 0 || n2 == 0) {
            return new Interval(-1.0, 1.0);
        }
        double p1 = (double) x1 / n1;
        double p2 = (double) x2 / n2;
        Interval w1 = wilson(x1, n1, confidence);
        Interval w2 = wilson(x2, n2, confidence);
        double d = p1 - p2;
        double lower = d - Math.hypot(p1 - w1.lower(), w2.upper() - p2);
        double upper = d + Math.hypot(w1.upper() - p1, p2 - w2.lower());
        return new Interval(clamp(lower, -1.0, d), clamp(upper, d, 1.0));
    }

    /**
     * Sample-ratio mismatch: Pearson's chi-squared goodness-of-fit test, one degree
     * of freedom, of the observed split against the expected share of side A.
     *
     * <p>Reference: K. Pearson, "On the criterion that a given system of deviations
     * from the probable in the case of a correlated system of variables is such that
     * it can be reasonably supposed to have arisen from random sampling", Phil. Mag.
     * (5) 50 (1900) 157–175; applied to online
     * experiments in A. Fabijan et al., "Diagnosing Sample Ratio Mismatch in Online
     * Controlled Experiments", KDD 2019.
     *
     * <p>χ² = (a − E_a)²/E_a + (b − E_b)²/E_b with E_a = N·share, E_b = N·(1 − share);
     * p = P(χ²₁ ≥ χ²). No observations → χ² = 0, p = 1. A share of 0 or 1 (all traffic
     * expected on one side) → p = 1 when the other side saw nothing, else χ² = ∞ and
     * p = 0: one session on the wrong side is a certain mismatch.
     *
     * @param expectedShareA the share of observations expected on side A, in [0, 1]
     * @throws IllegalArgumentException if a count is negative or the share is outside [0, 1]
     */
    public static SrmResult sampleRatioMismatch(long observedA, long observedB, double expectedShareA) {
        if (observedA < 0 || observedB < 0) {
            throw new IllegalArgumentException(
                    "observed counts must be >= 0, got " + observedA + " and " + observedB);
        }
        if (!(expectedShareA >= 0.0 && expectedShareA <= 1.0)) {
            throw new IllegalArgumentException("expectedShareA must be in [0, 1], got " + expectedShareA);
        }
        double total = (double) observedA + observedB;
        if (total == 0) {
            return new SrmResult(0.0, 1.0);
        }
        if (expectedShareA == 0.0 || expectedShareA == 1.0) {
            long unexpected = expectedShareA == 0.0 ? observedA : observedB;
            return unexpected == 0
                    ? new SrmResult(0.0, 1.0)
                    : new SrmResult(Double.POSITIVE_INFINITY, 0.0);
        }
        double expectedA = total * expectedShareA;
        double expectedB = total * (1 - expectedShareA);
        double deviationA = observedA - expectedA;
        double deviationB = observedB - expectedB;
        double chiSquared = deviationA * deviationA / expectedA + deviationB * deviationB / expectedB;
        return new SrmResult(chiSquared, CHI_SQUARED_1.survivalProbability(chiSquared));
    }

    private static double zFor(double confidence) {
        if (!(confidence > 0.0 && confidence < 1.0)) {
            throw new IllegalArgumentException("confidence must be strictly between 0 and 1, got " + confidence);
        }
        // The upper quantile taken from the survival side keeps precision for confidences near 1.
        return STANDARD_NORMAL.inverseSurvivalProbability((1 - confidence) / 2);
    }

    private static void checkCounts(long successes, long trials) {
        if (trials < 0 || successes < 0 || successes > trials) {
            throw new IllegalArgumentException(
                    "need 0 <= successes <= trials, got " + successes + " of " + trials);
        }
    }

    private static double clamp(double value, double min, double max) {
        return Math.max(min, Math.min(max, value));
    }
}
