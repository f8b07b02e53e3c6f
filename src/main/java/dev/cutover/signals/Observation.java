package dev.cutover.signals;

import java.time.Instant;
import java.util.Optional;

/**
 * One thing that happened, as the signal windows count it: an attempt's outcome (from the service or from a
 * browser), or an exposure (a session learned its provider). Attributed to the window of {@code at}, the server's
 * clock at receipt.
 *
 * @param cacheHit present when a cache lookup was made (server side)
 */
public record Observation(Instant at, SignalKey key, Outcome outcome, Optional<String> errorCode, long latencyMs,
                          long audioMs, long engineMs, Optional<Boolean> cacheHit) {

    /** How an attempt ended (or that this is an exposure). */
    public enum Outcome {
        OK, FAILURE, EMPTY, NO_SPEECH, ABORTED,
        /** Whisper failed and the client switched to webspeech: a failure of whisper. */
        FALLBACK,
        /** The caller's mistake (bad upload): not an attempt, not a failure. */
        CLIENT_ERROR,
        /** A session learned its provider from an override or a rollback, not from the split. */
        EXPOSURE,
        /** A session learned its provider from the percentage split: what the sample-ratio check counts. */
        SPLIT_EXPOSURE
    }

    /** An exposure; {@code split} when the session got its provider from the percentage split (reason SPLIT). */
    public static Observation exposure(Instant at, SignalKey key, boolean split) {
        return new Observation(at, key, split ? Outcome.SPLIT_EXPOSURE : Outcome.EXPOSURE, Optional.empty(), 0, 0, 0,
                Optional.empty());
    }
}
