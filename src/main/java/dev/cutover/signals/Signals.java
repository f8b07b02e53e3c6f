package dev.cutover.signals;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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

    /** Rows merged by whatever {@code group} picks out of them (provider and source, a cohort, a time step…). */
    public static <G> Map<G, WindowCounts> mergeBy(List<SignalStore.Row> rows, Function<SignalStore.Row, G> group) {
        Map<G, WindowCounts> merged = new LinkedHashMap<>();
        for (SignalStore.Row row : rows) {
            merged.computeIfAbsent(group.apply(row), g -> new WindowCounts()).merge(row.counts());
        }
        return merged;
    }

    /** A row's hour and key: what the hourly rollups are merged by. */
    record HourKey(Instant hour, SignalKey key) {
        static HourKey of(SignalStore.Row row) {
            return new HourKey(row.at().truncatedTo(ChronoUnit.HOURS), row.key());
        }
    }
}
