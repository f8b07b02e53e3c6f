package dev.cutover.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class StickyBucketingTest {
    private static final String FLAG = FlagSnapshot.FLAG_KEY;

    @Test
    void matchesUnleashsPublicMurmur3Vectors() {
        assertThat(StickyBucketing.unsignedHash("gr1:123") % 100 + 1).isEqualTo(73);
        assertThat(StickyBucketing.unsignedHash("groupX:999") % 100 + 1).isEqualTo(25);
    }

    @Test
    void fixedIdsKeepTheirGoldenBuckets() {
        // Computed with an independent murmur3_x86_32 (seed 0) over "transcription-provider:" + id, mod 10000.
        assertThat(StickyBucketing.bucketOf(FLAG, "abc123")).isEqualTo(8396);
        assertThat(StickyBucketing.bucketOf(FLAG, "session-1")).isEqualTo(7448);
        assertThat(StickyBucketing.bucketOf(FLAG, "user-42")).isEqualTo(864);
        assertThat(StickyBucketing.bucketOf(FLAG, "8f14e45f-ceea-467a-9f2b-2c4b6a9d1e3f")).isEqualTo(5053);
        assertThat(StickyBucketing.bucketOf(FLAG, "café")).isEqualTo(6690);
        assertThat(StickyBucketing.bucketOf(FLAG, "")).isEqualTo(7780);
        assertThat(StickyBucketing.bucketOf(FLAG, "x".repeat(256))).isEqualTo(6318);
    }

    @Test
    void aBucketIsInTheRolloutExactlyBelowPercentageTimesOneHundred() {
        assertThat(StickyBucketing.isInRollout(0, new BigDecimal("0.00"))).isFalse();
        assertThat(StickyBucketing.isInRollout(0, new BigDecimal("0.01"))).isTrue();
        assertThat(StickyBucketing.isInRollout(999, new BigDecimal("10.00"))).isTrue();
        assertThat(StickyBucketing.isInRollout(1000, new BigDecimal("10.00"))).isFalse();
        assertThat(StickyBucketing.isInRollout(1049, new BigDecimal("10.50"))).isTrue();
        assertThat(StickyBucketing.isInRollout(9999, new BigDecimal("100.00"))).isTrue();
    }

    @Test
    void randomSessionsSplitWithinHalfAPointOfThePercentage() {
        List<String> ids = randomIds(100_000, 20_261_123L);
        for (String percentage : List.of("1", "10", "25", "50", "75")) {
            FlagSnapshot snapshot = snapshotAt(percentage);
            long whisper = ids.stream()
                    .filter(id -> snapshot.evaluate(id, Optional.empty()).provider() == Provider.WHISPER)
                    .count();
            double share = whisper * 100.0 / ids.size();
            assertThat(share).as("share of whisper at %s%%", percentage)
                    .isBetween(Double.parseDouble(percentage) - 0.5, Double.parseDouble(percentage) + 0.5);
        }
    }

    @Test
    void raisingThePercentageNeverMovesAWhisperSessionBack() {
        List<String> percentages = List.of("0", "0.01", "0.5", "1", "2.5", "5", "10", "10.5", "25", "33.33", "50",
                "75", "99.99", "100");
        List<FlagSnapshot> snapshots = percentages.stream().map(StickyBucketingTest::snapshotAt).toList();
        for (String id : randomIds(20_000, 7L)) {
            boolean whisperBefore = false;
            for (FlagSnapshot snapshot : snapshots) {
                boolean whisper = snapshot.evaluate(id, Optional.empty()).provider() == Provider.WHISPER;
                assertThat(whisper || !whisperBefore)
                        .as("%s went back to webspeech at %s%%", id, snapshot.percentage()).isTrue();
                whisperBefore = whisper;
            }
            assertThat(snapshots.get(0).evaluate(id, Optional.empty()).provider()).isEqualTo(Provider.WEBSPEECH);
            assertThat(whisperBefore).as("everyone is on whisper at 100%").isTrue();
        }
    }

    private static FlagSnapshot snapshotAt(String percentage) {
        return FlagSnapshot.of(FLAG, new BigDecimal(percentage).setScale(2), FlagStatus.ACTIVE, 1, Instant.EPOCH,
                List.of(), Instant.EPOCH);
    }

    private static List<String> randomIds(int count, long seed) {
        Random random = new Random(seed);
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(new UUID(random.nextLong(), random.nextLong()).toString());
        }
        return ids;
    }
}
