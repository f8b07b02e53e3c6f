package dev.cutover.transcription;

import java.util.Optional;

/**
 * Finished transcripts by {@link CacheKey}. Implementations are thread-safe and never throw: when their store is
 * unavailable a lookup is a miss and a store is dropped, so no request fails because of the cache.
 */
public interface TranscriptCache extends AutoCloseable {
    Optional<Transcript> find(CacheKey key);

    void store(CacheKey key, Transcript transcript);

    /** What /health and /stats show about the store. */
    CacheState state();

    @Override
    void close();

    /**
     * @param kind      {@code redis} or {@code in-process}
     * @param available whether lookups currently reach the store
     * @param items     entries held, or -1 when unknown right now
     */
    record CacheState(String kind, boolean available, long items) {
    }
}
