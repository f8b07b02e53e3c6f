package dev.cutover.rollout;

/**
 * A success criterion judged: the verdict, the measured value with its interval, the threshold and the samples.
 * For proportions the value is the rate (for a relative criterion whisper's minus webspeech's, with the margin as
 * threshold) and the interval 95 % Wilson (Newcombe for a difference); for rtf, counts and srm (whose value is the
 * p-value) there is no interval and both bounds equal the value. Immutable.
 */
public record CriterionVerdict(Verdict verdict, double value, double lower, double upper, double threshold,
                               long samples) {
}
