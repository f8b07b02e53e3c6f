package dev.cutover.transcription;

import dev.cutover.signals.InstanceTotals;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

/** {@code GET /stats}: request totals, latency percentiles, cache and real-time-factor figures since start, as JSON. */
public final class StatsRoutes {
    private final InstanceTotals outcomes;
    private final TranscriptionMetrics metrics;
    private final TranscriptCache cache;
    private final TranscriptionService service;

    public StatsRoutes(InstanceTotals outcomes, TranscriptionMetrics metrics, TranscriptCache cache,
                       TranscriptionService service) {
        this.outcomes = outcomes;
        this.metrics = metrics;
        this.cache = cache;
        this.service = service;
    }

    public void register(JavalinConfig config) {
        config.routes.get("/stats", this::stats);
    }

    private void stats(Context ctx) {
        InstanceTotals.Summary s = outcomes.summary();
        long hits = metrics.cacheHits();
        long misses = metrics.cacheMisses();
        TranscriptCache.CacheState state = cache.state();
        ctx.header("Cache-Control", "no-store");
        ctx.json(new Stats(
                s.total(), s.successful(), s.failed(), s.clientErrors(),
                new Latency(round(s.latencyP50Ms()), round(s.latencyP95Ms()), round(s.latencyP99Ms())),
                new CacheStats(state.kind(), state.available(), hits, misses,
                        hits + misses == 0 ? 0 : round(hits / (double) (hits + misses)),
                        state.items() < 0 ? null : state.items()),
                new Rtf(round(s.rtfAverage()), round(s.rtfP95())),
                s.uptime().toSeconds(),
                service.modelName()));
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    record Stats(long total, long successful, long failed, long clientErrors, Latency latencyMs, CacheStats cache,
                 Rtf rtf, long uptimeSec, String model) {
    }

    record Latency(double p50, double p95, double p99) {
    }

    /** {@code items} is null for Redis, where entries of this service are not counted. */
    record CacheStats(String kind, boolean available, long hits, long misses, double hitRate, Long items) {
    }

    record Rtf(double average, double p95) {
    }
}
