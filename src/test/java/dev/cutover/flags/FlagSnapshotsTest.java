package dev.cutover.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlagSnapshotsTest {

    @Test
    void listenersHearOnlyRealChangesAndABrokenListenerStopsNeitherTheOthersNorTheSwap() {
        FlagSnapshots snapshots = new FlagSnapshots();
        List<Long> heard = new ArrayList<>();
        snapshots.onChange(s -> {
            throw new IllegalStateException("broken listener");
        });
        snapshots.onChange(s -> heard.add(s.version()));

        snapshots.replace(snapshot(1, Instant.EPOCH));
        snapshots.replace(snapshot(1, Instant.EPOCH.plusSeconds(10)));
        snapshots.replace(snapshot(2, Instant.EPOCH.plusSeconds(20)));

        assertThat(heard).containsExactly(1L, 2L);
        assertThat(snapshots.current()).hasValueSatisfying(s -> assertThat(s.version()).isEqualTo(2));
    }

    private static FlagSnapshot snapshot(long version, Instant loadedAt) {
        return FlagSnapshot.of(FlagSnapshot.FLAG_KEY, new BigDecimal("10.00"), FlagStatus.ACTIVE, version, Instant.EPOCH,
                List.of(), loadedAt);
    }
}
