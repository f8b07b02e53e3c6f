package dev.cutover.transcription.whisper;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Gauges of the whisper pool's load, read at scrape time: workers, busy workers, waiting requests, and whether the
 * model is loaded. Tagged only with the model name. Thread-safe (reads the pool's thread-safe counters).
 */
public final class WhisperPoolMetrics implements MeterBinder {
    public static final String WORKERS = "whisper_workers";
    public static final String WORKERS_BUSY = "whisper_workers_busy";
    public static final String QUEUE_DEPTH = "whisper_queue_depth";
    public static final String MODEL_LOADED = "whisper_model_loaded";

    private final WhisperPool pool;

    public WhisperPoolMetrics(WhisperPool pool) {
        this.pool = pool;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        String model = pool.modelName();
        Gauge.builder(WORKERS, pool, WhisperPool::workers).tag("model", model)
                .description("whisper states (WHISPER_WORKERS)").register(registry);
        Gauge.builder(WORKERS_BUSY, pool, WhisperPool::busyWorkers).tag("model", model)
                .description("whisper states running an inference now").register(registry);
        Gauge.builder(QUEUE_DEPTH, pool, WhisperPool::queueDepth).tag("model", model)
                .description("requests waiting for a whisper worker").register(registry);
        Gauge.builder(MODEL_LOADED, pool, p -> p.isLoaded() ? 1 : 0).tag("model", model)
                .description("1 when the speech model is loaded").register(registry);
    }
}
