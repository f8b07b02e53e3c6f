package dev.cutover.rollout;

/**
 * The arithmetic of the Bernoulli CUSUM the alert rules use (see {@link RuleDetector} for the method and its
 * references): the log-likelihood-ratio weights of "unacceptable" p1 against "acceptable" p0, one guard run's step,
 * and the tuning. Stateless.
 *
 * <p>Tuning, by simulation of the default canary rules at 20 whisper attempts a minute (GuardSimulationTest):
 * p1 has five times the odds of p0 (p0 = 1 % gives p1 ≈ 4.8 %); the alarm level h = 13 keeps a healthy phase
 * (after the head start has drained) from alarming; the head start 7.5 leaves h − 7.5 = 5.5 ≈ ln(1/0.4 %) to climb
 * at the start of a phase, so a whisper broken from the start is caught in minutes. A whisper exactly at the
 * threshold alarms in about 0.4 % of 48-hour phases, at half the threshold practically never.
 */
final class BernoulliCusum {
    static final double ALARM_LEVEL = 13.0;
    static final double HEAD_START = 7.5;
    static final double ODDS_RATIO = 5.0;
    /** Acceptable rates outside this range cannot be told from certainty; such a run is not judged. */
    static final double MIN_ACCEPTABLE = 1e-6;
    static final double MAX_ACCEPTABLE = 0.99;

    private BernoulliCusum() {
    }

    /** The rate with {@link #ODDS_RATIO} times the odds of {@code p0}: what the detector is tuned to catch fast. */
    static double unacceptable(double p0) {
        double odds = ODDS_RATIO * p0 / (1 - p0);
        return odds / (1 + odds);
    }

    /** The weight of one bad event: ln(p1/p0), positive. */
    static double perBad(double p0) {
        return Math.log(unacceptable(p0) / p0);
    }

    /** The weight of one good trial: ln((1 − p1)/(1 − p0)), negative. */
    static double perGood(double p0) {
        return Math.log1p(-unacceptable(p0)) - Math.log1p(-p0);
    }

    /** One guard run: {@code bad} of {@code trials} added with their weights, floored at 0 (Page's reset). */
    static double step(double statistic, long bad, long trials, double perBad, double perGood) {
        return Math.max(0.0, statistic + bad * perBad + (trials - bad) * perGood);
    }

    /** How many bad trials in a row take {@code statistic} to the alarm level. */
    static long badInARowToAlarm(double statistic, double p0) {
        return Math.max(0, (long) Math.ceil((ALARM_LEVEL - statistic) / perBad(p0) - 1e-12));
    }
}
