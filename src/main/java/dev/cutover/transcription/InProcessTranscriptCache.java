package dev.cutover.transcription;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;

/** The cache when no REDIS_URL is set: bounded by entry count and TTL, held in this JVM. Thread-safe (Caffeine). */
final class InProcessTranscriptCache implements TranscriptCache {
    private final Cache<CacheKey, Transcript> entries;

    InProcessTranscriptCache(long maximumEntries, Duration ttl) {
        this.entries = Caffeine.newBuilder().maximumSize(maximumEntries).expireAfterWrite(ttl).build();
    }

    @Override
    public Optional<Transcript> find(CacheKey key) {
        return Optional.ofNullable(entries.getIfPresent(key));
    }

    @Override
    public void store(CacheKey key, Transcript transcript) {
        entries.put(key, transcript);
    }

    @Override
    public CacheState state() {
        return new CacheState("in-process", true, entries.estimatedSize());
    }

    @Override
    public void close() {
        entries.invalidateAll();
    }
}
