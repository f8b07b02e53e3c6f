package dev.cutover.signals;

import java.time.Duration;
import java.util.Optional;

/**
 * The one definition of the real-time factor: time inside the speech engine over the length of the audio. Used by
 * the transcription response, /stats, /metrics and the signal windows alike. Undefined (empty) when the engine did
 * not run (a cache hit, a failure before the engine) or the audio has no length. Stateless.
 */
public final class RealTimeFactor {
    private RealTimeFactor() {
    }

    public static Optional<Double> of(Duration engineTime, double audioSeconds) {
        if (audioSeconds <= 0 || engineTime.isZero() || engineTime.isNegative()) {
            return Optional.empty();
        }
        return Optional.of(engineTime.toNanos() / 1e9 / audioSeconds);
    }
}
