package dev.cutover.transcription;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Remembers which decoded audio an upload's exact bytes produced (the audio digest and duration), so a repeated upload
 * is looked up in the transcript cache without being decoded again; decoding is deterministic, so this changes no
 * answer, only the cost of a cache hit. Per instance, bounded by entry count. Thread-safe (Caffeine).
 */
final class DecodedUploads {
    private final Cache<String, Decoded> byUploadDigest;

    DecodedUploads(long maximumEntries) {
        this.byUploadDigest = Caffeine.newBuilder().maximumSize(maximumEntries).build();
    }

    /** SHA-256 of the raw upload, hex. */
    static String digestOf(byte[] upload) {
        return HexFormat.of().formatHex(CacheKey.sha256().digest(upload));
    }

    Optional<Decoded> find(String uploadDigest) {
        return Optional.ofNullable(byUploadDigest.getIfPresent(uploadDigest));
    }

    void remember(String uploadDigest, Decoded decoded) {
        byUploadDigest.put(uploadDigest, decoded);
    }

    /** What an upload decoded to: the digest of its samples and its length. */
    record Decoded(byte[] audioDigest, double durationSec) {
    }
}
