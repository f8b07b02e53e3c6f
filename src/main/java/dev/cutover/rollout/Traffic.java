package dev.cutover.rollout;

import java.math.BigDecimal;

/** Attempts a minute each provider sees, for the simulator. Immutable. */
public record Traffic(double whisperAttemptsPerMinute, double webspeechAttemptsPerMinute) {

    public Traffic {
        if (!(whisperAttemptsPerMinute >= 0 && Double.isFinite(whisperAttemptsPerMinute))
                || !(webspeechAttemptsPerMinute >= 0 && Double.isFinite(webspeechAttemptsPerMinute))) {
            throw new IllegalArgumentException("attempts a minute must be finite and >= 0, got "
                    + whisperAttemptsPerMinute + " and " + webspeechAttemptsPerMinute);
        }
    }

    /** A total split at a phase's percentage: at 10 %, 200 a minute is 20 for whisper and 180 for webspeech. */
    public static Traffic split(double attemptsPerMinute, BigDecimal whisperPercent) {
        double whisper = attemptsPerMinute * whisperPercent.doubleValue() / 100.0;
        return new Traffic(whisper, attemptsPerMinute - whisper);
    }
}
