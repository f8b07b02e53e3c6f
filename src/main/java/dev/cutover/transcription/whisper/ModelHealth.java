package dev.cutover.transcription.whisper;

import dev.cutover.http.HealthIndicator;
import dev.cutover.http.HealthStatus;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The "model" part of {@code GET /health}: UP when the whisper model is loaded, DEGRADED (never DOWN: assignment
 * keeps serving webspeech) while loading or when it could not be loaded, with the reason and what to do.
 * Thread-safe (reads the pool's thread-safe state).
 */
public final class ModelHealth implements HealthIndicator {
    private final WhisperPool pool;

    public ModelHealth(WhisperPool pool) {
        this.pool = pool;
    }

    @Override
    public String name() {
        return "model";
    }

    @Override
    public Report report() {
        Map<String, Object> details = new LinkedHashMap<>();
        Map<String, Object> operator = new LinkedHashMap<>();
        details.put("loaded", pool.isLoaded());
        details.put("phase", pool.phase().name().toLowerCase(Locale.ROOT));
        details.put("name", pool.modelName());
        operator.put("path", pool.modelPath().toAbsolutePath().toString());
        details.put("sha256", pool.checksumStatus());
        pool.publicNotLoadedReason().ifPresent(reason -> details.put("reason", reason));
        pool.notLoadedReason().ifPresent(reason -> operator.put("reason", reason));
        details.put("systemInfo", pool.systemInfo());
        details.put("workers", pool.workers());
        details.put("threads", pool.threads());
        details.put("queue", pool.queueCapacity());
        details.put("busyWorkers", pool.busyWorkers());
        details.put("queueDepth", pool.queueDepth());
        details.put("audioCtx", pool.audioCtxMode().label());
        return new Report(pool.isLoaded() ? HealthStatus.UP : HealthStatus.DEGRADED, details, operator);
    }
}
