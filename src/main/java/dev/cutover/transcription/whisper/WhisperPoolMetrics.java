package dev.cutover.transcription.whisper;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The whisper pool's gauges, the only place they are exported, read at scrape time: workers, busy workers, waiting
 * requests, and whether the model is loaded (the model's name is in /health, not a tag). Names follow the service's
 * one scheme, {@code cutover.<area>.<what>} (Prometheus: {@code cutover_whisper_model_loaded}). Thread-safe (reads
 * the pool's thread-safe counters).
 */
public final class WhisperPoolMetrics implements MeterBinder {
    public static final String WORKERS = "cutover.whisper.workers";
    public static final String WORKERS_BUSY = "cutover.whisper.workers.busy";
    public static final String QUEUE_DEPTH = "cutover.whisper.queue.depth";
    public static final String MODEL_LOADED = "cutover.whisper.model.loaded";

    private final WhisperPool pool;

    public WhisperPoolMetrics(WhisperPool pool) {
        this.pool = pool;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(WORKERS, pool, WhisperPool::workers)
                .description("whisper states (WHISPER_WORKERS)").register(registry);
        Gauge.builder(WORKERS_BUSY, pool, WhisperPool::busyWorkers)
                .description("whisper states running an inference now").register(registry);
        Gauge.builder(QUEUE_DEPTH, pool, WhisperPool::queueDepth)
                .description("requests waiting for a whisper worker").register(registry);
        Gauge.builder(MODEL_LOADED, pool, p -> p.isLoaded() ? 1 : 0)
                .description("1 when the speech model is loaded").register(registry);
    }
}
