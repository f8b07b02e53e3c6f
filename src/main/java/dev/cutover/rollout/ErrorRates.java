package dev.cutover.rollout;

/** The true error rate of each provider in a simulated scenario, as fractions (0.005 = 0.5 %). Immutable. */
public record ErrorRates(double whisper, double webspeech) {

    public ErrorRates {
        if (!(whisper >= 0 && whisper <= 1) || !(webspeech >= 0 && webspeech <= 1)) {
            throw new IllegalArgumentException("error rates must be fractions in [0, 1], got " + whisper + " and "
                    + webspeech);
        }
    }
}
