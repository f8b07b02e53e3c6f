package dev.cutover.rollout;

import dev.cutover.signals.WindowCounts;

/**
 * Events out of trials for one provider and source, the input of every check: failures of attempts, slow attempts
 * of timed attempts, hits of lookups; for rtf engine milliseconds of audio milliseconds; for the counts (exposures,
 * attempts, split exposures for srm) the count as both. Counts are never negative; only rtf's events may exceed its
 * trials (an engine slower than real time). Immutable.
 */
public record Tally(long events, long trials) {
    /** Nothing seen (e.g. webspeech for an absolute rule). */
    public static final Tally NONE = new Tally(0, 0);

    public Tally {
        if (trials < 0 || events < 0) {
            throw new IllegalArgumentException("counts must be >= 0, got " + events + " of " + trials);
        }
    }

    /** Whether this is a proportion's tally (events never more than trials); rtf's engine time may exceed its audio. */
    boolean isProportion() {
        return events <= trials;
    }

    void requireProportion(String what) {
        if (!isProportion()) {
            throw new IllegalArgumentException(what + ": need events <= trials, got " + events + " of " + trials);
        }
    }

    /**
     * What {@code metric} counts in {@code counts} — the one mapping from the signal windows to the checks.
     *
     * @param latencyMs slow_share's threshold (ignored by the other metrics)
     * @throws IllegalArgumentException for whisper_ready, which is not counted in windows (see {@link #readiness})
     */
    public static Tally of(Metric metric, Long latencyMs, WindowCounts counts) {
        return switch (metric) {
            case ERROR_RATE -> new Tally(counts.failures(), counts.attempts());
            case SLOW_SHARE -> new Tally(counts.slowerThan(latencyMs), counts.latencyCount());
            case FALLBACK_RATE -> new Tally(counts.fallbacks(), counts.attempts());
            case CACHE_HIT_RATE -> new Tally(counts.cacheHits(), counts.cacheLookups());
            case RTF -> new Tally(counts.engineMs(), counts.audioMs());
            case SRM -> new Tally(counts.splitExposures(), counts.splitExposures());
            case EXPOSURES -> new Tally(counts.exposures(), counts.exposures());
            case ATTEMPTS -> new Tally(counts.attempts(), counts.attempts());
            case WHISPER_READY -> throw new IllegalArgumentException(
                    "whisper_ready is not counted in signal windows: use Tally.readiness(fleet.whisperReady())");
        };
    }

    /** One guard run's readiness: one trial, an event when no live instance has a loaded model. */
    public static Tally readiness(boolean whisperReady) {
        return new Tally(whisperReady ? 0 : 1, 1);
    }
}
