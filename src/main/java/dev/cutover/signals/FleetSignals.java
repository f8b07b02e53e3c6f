package dev.cutover.signals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/**
 * The fleet-wide view of the signals: every instance's flushed windows merged (histograms included), per provider
 * and source, with the statistics the rollout judges by. Reads PostgreSQL; thread-safe (stateless over the store).
 */
public final class FleetSignals {
    public static final Duration FINE_SPAN = Duration.ofHours(48);
    /** What a cohort table may be grouped by ({@code cohort}: browser × language). */
    public static final List<String> COHORT_GROUPS = List.of("browser", "language", "cohort");
    static final double CONFIDENCE = 0.95;
    public static final Duration LIVE_WITHIN = Duration.ofSeconds(15);
    /** Hours that ended at least this long ago have a complete rollup (recomputed every minute). */
    static final Duration ROLLUPS_SETTLE = Duration.ofMinutes(5);
    /** Spans at least this long read whole hours from the rollups. */
    static final Duration ROLLUPS_FROM_SPAN = Duration.ofHours(3);

    private final SignalStore store;
    private final Clock clock;
    private final DoubleSupplier expectedWhisperShare;

    public FleetSignals(SignalStore store, Clock clock, DoubleSupplier expectedWhisperShare) {
        this.store = store;
        this.clock = clock;
        this.expectedWhisperShare = expectedWhisperShare;
    }

    /** One provider and source over a span. */
    public record ProviderSignals(String provider, String source, String cohort, long attempts, long failures,
                                  double errorRate, Statistics.Interval errorRateInterval, Map<String, Long> failuresByCode,
                                  Latency latencyMs, long slowerThan2s, long slowerThan5s, double shareSlowerThan2s,
                                  double shareSlowerThan5s, long fallbacks, double fallbackRate, long cacheHits,
                                  long cacheLookups, double cacheHitRate, Rtf rtf, long empty, long noSpeech, long aborted,
                                  long clientErrors, long exposures) {
    }

    public record Latency(long p50, long p95, long p99) {
    }

    public record Rtf(double mean, double p95) {
    }

    /** Whisper's error rate minus webspeech's (client source), with Newcombe's hybrid score interval. */
    public record Comparison(String source, double difference, Statistics.Interval interval) {
    }

    public record Exposures(long webspeech, long whisper, long webspeechBySplit, long whisperBySplit,
                            double expectedWhisperShare, double chiSquared, double srmPValue) {
    }

    public record View(Instant from, Instant to, List<ProviderSignals> providers, Comparison whisperMinusWebspeech,
                       Exposures exposures, List<ProviderSignals> cohorts) {
    }

    /**
     * The last {@code span} of flushed windows ({@code by}: null, "browser", "language" or "cohort" for a cohort table;
     * "cohort" is browser × language, named {@code "chrome/en"}).
     */
    public View view(Duration span, String by) {
        Instant to = end();
        Instant from = to.minus(span);
        // With a cohort table the rows are read once, by cohort, and the providers' totals are their sums.
        Map<List<String>, WindowCounts> byCohort = by == null ? Map.of()
                : merged(from, to, r -> List.of(r.key().provider(), r.key().source(), cohortOf(by).apply(r)));
        Map<String, WindowCounts> byProvider = by == null
                ? merged(from, to, r -> r.key().provider() + "/" + r.key().source()) : providerTotals(byCohort);
        List<ProviderSignals> providers = new ArrayList<>();
        for (String provider : List.of(SignalKey.WHISPER, SignalKey.WEBSPEECH)) {
            for (String source : List.of(SignalKey.SERVER, SignalKey.CLIENT)) {
                WindowCounts counts = byProvider.getOrDefault(provider + "/" + source, new WindowCounts());
                providers.add(signals(provider, source, null, counts));
            }
        }
        WindowCounts whisper = byProvider.getOrDefault(SignalKey.WHISPER + "/" + SignalKey.CLIENT, new WindowCounts());
        WindowCounts webspeech = byProvider.getOrDefault(SignalKey.WEBSPEECH + "/" + SignalKey.CLIENT, new WindowCounts());
        Comparison comparison = new Comparison(SignalKey.CLIENT,
                Statistics.proportion(whisper.failures(), whisper.attempts())
                        - Statistics.proportion(webspeech.failures(), webspeech.attempts()),
                Statistics.newcombeDifference(whisper.failures(), whisper.attempts(), webspeech.failures(),
                        webspeech.attempts(), CONFIDENCE));
        double share = expectedWhisperShare.getAsDouble();
        // Only sessions placed by the split are expected in the split's ratio (overrides and rollbacks are not).
        Statistics.SrmResult srm = Statistics.sampleRatioMismatch(whisper.splitExposures(), webspeech.splitExposures(), share);
        Exposures exposures = new Exposures(webspeech.exposures(), whisper.exposures(), webspeech.splitExposures(),
                whisper.splitExposures(), share, srm.chiSquared(), srm.pValue());
        List<ProviderSignals> cohorts = cohortSignals(byCohort);
        return new View(from, to, providers, comparison, exposures, cohorts);
    }

    private static Function<SignalStore.Row, String> cohortOf(String by) {
        return switch (by) {
            case "browser" -> r -> r.key().browser();
            case "language" -> r -> r.key().language();
            case "cohort" -> r -> r.key().browser() + "/" + r.key().language();
            default -> throw new IllegalArgumentException("by " + by);
        };
    }

    /** Per {@code "provider/source"}, the sum of its cohorts (keys provider, source, cohort). */
    private static Map<String, WindowCounts> providerTotals(Map<List<String>, WindowCounts> byCohort) {
        Map<String, WindowCounts> totals = new LinkedHashMap<>();
        byCohort.forEach((k, counts) -> totals.computeIfAbsent(k.get(0) + "/" + k.get(1), g -> new WindowCounts())
                .merge(counts));
        return totals;
    }

    private static List<ProviderSignals> cohortSignals(Map<List<String>, WindowCounts> byCohort) {
        List<ProviderSignals> out = new ArrayList<>();
        byCohort.forEach((k, counts) -> out.add(signals(k.get(0), k.get(1), k.get(2), counts)));
        out.sort((a, b) -> Double.compare(b.errorRate(), a.errorRate()));
        return out;
    }

    /**
     * Every instance's counts of [from, to) merged per {@code "provider/source"} (e.g. {@code "whisper/client"}), read
     * as {@link #view} reads them: settled whole hours of long spans from the rollups, the rest from the windows.
     */
    public Map<String, WindowCounts> byProviderAndSource(Instant from, Instant to) {
        return merged(from, to, r -> r.key().provider() + "/" + r.key().source());
    }

    /**
     * The span merged by {@code group}, streamed from PostgreSQL: whole hours that ended a while ago (their rollups are
     * recomputed every minute for the last two hours) from the hourly rollups, the edges from the 10-second windows.
     * Spans beyond the windows' retention have only rollups.
     */
    private <G> Map<G, WindowCounts> merged(Instant from, Instant to, Function<SignalStore.Row, G> group) {
        Map<G, WindowCounts> merged = new LinkedHashMap<>();
        Instant rollupsFrom = ceilingHour(from);
        Instant settled = clock.instant().minus(ROLLUPS_SETTLE);
        Instant rollupsTo = (settled.isBefore(to) ? settled : to).truncatedTo(ChronoUnit.HOURS);
        if (rollupsTo.isAfter(rollupsFrom) && Duration.between(from, to).compareTo(ROLLUPS_FROM_SPAN) >= 0) {
            store.mergeWindowsInto(from, rollupsFrom, group, merged);
            store.mergeRollupsInto(rollupsFrom, rollupsTo, group, merged);
            store.mergeWindowsInto(rollupsTo, to, group, merged);
        } else {
            store.mergeWindowsInto(from, to, group, merged);
        }
        return merged;
    }

    private static Instant ceilingHour(Instant at) {
        Instant floor = at.truncatedTo(ChronoUnit.HOURS);
        return floor.equals(at) ? floor : floor.plus(Duration.ofHours(1));
    }

    static ProviderSignals signals(String provider, String source, String cohort, WindowCounts c) {
        long failures = c.failures();
        long n = c.attempts();
        long slow2 = c.slowerThan(2_000);
        long slow5 = c.slowerThan(5_000);
        return new ProviderSignals(provider, source, cohort, n, failures, Statistics.proportion(failures, n),
                Statistics.wilson(failures, n, CONFIDENCE), c.failuresByCode(),
                new Latency(c.latencyAtPercentile(50), c.latencyAtPercentile(95), c.latencyAtPercentile(99)),
                slow2, slow5, Statistics.proportion(slow2, c.latencyCount()), Statistics.proportion(slow5, c.latencyCount()),
                c.fallbacks(), Statistics.proportion(c.fallbacks(), n), c.cacheHits(), c.cacheLookups(),
                Statistics.proportion(c.cacheHits(), c.cacheLookups()), new Rtf(c.rtfMean(), c.rtfAtPercentile(95)),
                c.empty(), c.noSpeech(), c.aborted(), c.clientErrors(), c.exposures());
    }

    /** The end of the spans: the current window included (it is in PostgreSQL only once flushed, e.g. at a stop). */
    private Instant end() {
        return Signals.windowOf(clock.instant()).plus(Signals.WINDOW);
    }

    /** One point of a chart: the metric over one step, with its interval where it is a proportion. */
    public record Point(Instant at, long samples, double value, Double lower, Double upper) {
    }

    /** A metric over {@code span} in steps of {@code step}, for one provider and source. */
    public List<Point> series(String metric, String provider, String source, Duration span, Duration step) {
        Instant to = end();
        Instant from = to.minus(span);
        boolean fine = span.compareTo(FINE_SPAN) <= 0;
        long stepMillis = step.toMillis();
        Map<Instant, WindowCounts> bySteps = new LinkedHashMap<>();
        for (long t = from.toEpochMilli(); t < to.toEpochMilli(); t += stepMillis) {
            bySteps.put(Instant.ofEpochMilli(t), new WindowCounts());
        }
        Instant other = Instant.EPOCH; // rows of other providers and sources, merged and dropped
        Function<SignalStore.Row, Instant> bucket = row -> {
            if (!row.key().provider().equals(provider) || !row.key().source().equals(source)) {
                return other;
            }
            long offset = (row.at().toEpochMilli() - from.toEpochMilli()) / stepMillis;
            return Instant.ofEpochMilli(from.toEpochMilli() + offset * stepMillis);
        };
        if (fine) {
            store.mergeWindowsInto(from, to, bucket, bySteps);
        } else {
            store.mergeRollupsInto(from, to, bucket, bySteps);
        }
        bySteps.remove(other);
        List<Point> points = new ArrayList<>();
        bySteps.forEach((at, c) -> points.add(point(metric, at, c)));
        return points;
    }

    private static Point point(String metric, Instant at, WindowCounts c) {
        return switch (metric) {
            case "error_rate" -> proportion(at, c.failures(), c.attempts());
            case "fallback_rate" -> proportion(at, c.fallbacks(), c.attempts());
            case "cache_hit_rate" -> proportion(at, c.cacheHits(), c.cacheLookups());
            case "slow_2s" -> proportion(at, c.slowerThan(2_000), c.latencyCount());
            case "p95" -> new Point(at, c.latencyCount(), c.latencyAtPercentile(95), null, null);
            case "p50" -> new Point(at, c.latencyCount(), c.latencyAtPercentile(50), null, null);
            case "rtf" -> new Point(at, c.audioMs() > 0 ? 1 : 0, c.rtfMean(), null, null);
            case "attempts" -> new Point(at, c.attempts(), c.attempts(), null, null);
            case "exposures" -> new Point(at, c.exposures(), c.exposures(), null, null);
            default -> throw new IllegalArgumentException(metric);
        };
    }

    private static Point proportion(Instant at, long x, long n) {
        Statistics.Interval interval = Statistics.wilson(x, n, CONFIDENCE);
        return new Point(at, n, Statistics.proportion(x, n), interval.lower(), interval.upper());
    }

    public static final List<String> SERIES_METRICS = List.of("error_rate", "fallback_rate", "cache_hit_rate", "slow_2s",
            "p95", "p50", "rtf", "attempts", "exposures");

    /** Every instance that ever sent a heartbeat, and whether whisper is ready fleet-wide. */
    public record Fleet(List<Map<String, Object>> instances, boolean whisperReady) {
    }

    /**
     * Every instance that ever sent a heartbeat, live when seen within the last 15 s; whisper is ready fleet-wide
     * when at least one live instance has a loaded model.
     */
    public Fleet fleet() {
        Instant now = clock.instant();
        List<Map<String, Object>> out = new ArrayList<>();
        boolean ready = false;
        for (InstanceStatus i : store.instances()) {
            boolean live = isLive(i, now);
            ready |= live && i.modelLoaded();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", i.id());
            row.put("version", i.version());
            row.put("startedAt", i.startedAt());
            row.put("lastSeen", i.lastSeen());
            row.put("live", live);
            row.put("modelLoaded", i.modelLoaded());
            row.put("busyWorkers", i.busyWorkers());
            row.put("queueDepth", i.queueDepth());
            out.add(row);
        }
        return new Fleet(out, ready);
    }

    /**
     * Whisper ready fleet-wide for the guard: an instance with a loaded model was seen at or after {@code since}.
     * The guard passes a little before its previous run, so that an instance that heartbeats every 5 s is never
     * taken for dead merely because the clock moved further than 15 s between two runs.
     */
    public boolean whisperReadySince(Instant since) {
        for (InstanceStatus i : store.instances()) {
            if (i.modelLoaded() && !i.lastSeen().isBefore(since)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLive(InstanceStatus status, Instant now) {
        return !status.lastSeen().isBefore(now.minus(LIVE_WITHIN));
    }
}
