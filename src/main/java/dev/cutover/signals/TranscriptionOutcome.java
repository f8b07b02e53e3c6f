package dev.cutover.signals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One finished transcription request, as every signal consumer sees it.
 *
 * @param at           when the request finished
 * @param route        the route template that served it, e.g. {@code /transcribe} (low cardinality)
 * @param kind         how it ended
 * @param errorCode    the machine error code when it did not end OK
 * @param latency      server time from the start of the request to the answer
 * @param cacheHit     whether the transcript came from the cache
 * @param audioSeconds length of the decoded audio, 0 when it was never decoded
 * @param inference    time spent in the speech engine, zero for cache hits and failures before the engine
 * @param emptyText    an OK transcript with no words in it
 * @param browser      the caller's browser family ({@link SignalKey#browserFamily})
 * @param language     the primary language subtag asked for, or of Accept-Language ({@link SignalKey#primaryLanguage})
 */
public record TranscriptionOutcome(
        Instant at,
        String route,
        OutcomeKind kind,
        Optional<String> errorCode,
        Duration latency,
        boolean cacheHit,
        double audioSeconds,
        Duration inference,
        boolean emptyText,
        String browser,
        String language) {

    /** {@link RealTimeFactor}: present only when the engine ran on audio of positive length. */
    public Optional<Double> realTimeFactor() {
        return cacheHit ? Optional.empty() : RealTimeFactor.of(inference, audioSeconds);
    }
}
