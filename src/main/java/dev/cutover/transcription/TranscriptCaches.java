package dev.cutover.transcription;

import java.time.Duration;
import java.util.Optional;

/** Chooses the transcript cache: Redis when REDIS_URL is set, otherwise a bounded in-process cache. */
public final class TranscriptCaches {
    static final long IN_PROCESS_MAX_ENTRIES = 10_000;

    private TranscriptCaches() {
    }

    /** Never fails because Redis is down: the Redis cache connects in the background. */
    public static TranscriptCache open(Optional<String> redisUrl, Duration ttl, Duration redisTimeout) {
        return redisUrl.<TranscriptCache>map(url -> new RedisTranscriptCache(url, ttl, redisTimeout))
                .orElseGet(() -> new InProcessTranscriptCache(IN_PROCESS_MAX_ENTRIES, ttl));
    }
}
