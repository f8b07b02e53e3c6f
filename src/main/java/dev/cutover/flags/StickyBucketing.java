package dev.cutover.flags;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * Sticky, monotonic bucketing: bucket = murmur3_x86_32(flagKey + ":" + stickyId, seed 0), unsigned, mod 10000.
 * A bucket is in the rollout when bucket &lt; percentage x 100, so raising the percentage only ever adds buckets.
 */
public final class StickyBucketing {
    public static final int BUCKETS = 10_000;

    private StickyBucketing() {
    }

    public static int bucketOf(String flagKey, String stickyId) {
        return (int) (unsignedHash(flagKey + ":" + stickyId) % BUCKETS);
    }

    /** murmur3_x86_32 with seed 0 over the UTF-8 bytes, as an unsigned value. */
    public static long unsignedHash(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return Integer.toUnsignedLong(MurmurHash3.hash32x86(bytes, 0, bytes.length, 0));
    }

    /** True when {@code bucket} falls inside {@code percentage} (0.00 to 100.00). */
    public static boolean isInRollout(int bucket, BigDecimal percentage) {
        return bucket < threshold(percentage);
    }

    static int threshold(BigDecimal percentage) {
        return percentage.movePointRight(2).intValue();
    }
}
