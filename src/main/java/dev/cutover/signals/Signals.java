package dev.cutover.signals;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Merging stored rows: over instances, into hours, into any grouping. Stateless. */
public final class Signals {
    public static final Duration WINDOW = Duration.ofSeconds(10);

    private Signals() {
    }

    /** The start of the 10-second window (aligned to the epoch) that {@code at} falls in. */
    public static Instant windowOf(Instant at) {
        long millis = at.toEpochMilli();
        return Instant.ofEpochMilli(Math.floorDiv(millis, WINDOW.toMillis()) * WINDOW.toMillis());
    }

    /** A row's hour and key: what the hourly rollups are merged by. */
    record HourKey(Instant hour, SignalKey key) {
        static HourKey of(SignalStore.Row row) {
            return new HourKey(row.at().truncatedTo(ChronoUnit.HOURS), row.key());
        }
    }
}
