package dev.cutover.flags;

import dev.cutover.http.HealthIndicator;
import dev.cutover.http.HealthStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The "flags" part of {@code /health}: DOWN only when no snapshot was ever loaded (assignment can only answer the
 * default), DEGRADED while refreshing fails or the snapshot is older than a few refresh intervals, UP otherwise.
 * Thread-safe: reads the snapshot holder and the refresher's volatile state.
 */
public final class FlagHealth implements HealthIndicator {
    private final FlagSnapshots snapshots;
    private final FlagRefresher refresher;

    public FlagHealth(FlagSnapshots snapshots, FlagRefresher refresher) {
        this.snapshots = snapshots;
        this.refresher = refresher;
    }

    private Duration staleAfter() {
        return refresher.interval().multipliedBy(3).plusSeconds(5);
    }

    @Override
    public String name() {
        return "flags";
    }

    @Override
    public Report report() {
        Optional<FlagSnapshot> snapshot = snapshots.current();
        Optional<String> error = refresher.lastError();
        Optional<Duration> age = snapshot.map(s -> Duration.between(s.loadedAt(), refresher.clock().instant()));
        boolean stale = age.map(a -> a.compareTo(staleAfter()) > 0).orElse(false);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("snapshotVersion", snapshot.map(FlagSnapshot::version).orElse(null));
        details.put("snapshotAgeSeconds", age.map(a -> a.toMillis() / 1000.0).orElse(null));
        details.put("lastRefreshError", error.orElse(null));
        HealthStatus status = snapshot.isEmpty() ? HealthStatus.DOWN
                : error.isPresent() || stale ? HealthStatus.DEGRADED : HealthStatus.UP;
        return new Report(status, details);
    }
}
