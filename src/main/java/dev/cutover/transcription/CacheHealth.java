package dev.cutover.transcription;

import dev.cutover.http.HealthIndicator;
import dev.cutover.http.HealthStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code redis} part of /health: UP when Redis answers, DEGRADED when it does not, mode in-process without Redis. */
public final class CacheHealth implements HealthIndicator {
    private final TranscriptCache cache;

    public CacheHealth(TranscriptCache cache) {
        this.cache = cache;
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Report report() {
        TranscriptCache.CacheState state = cache.state();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("mode", state.kind());
        if (state.kind().equals("redis")) {
            details.put("reachable", state.available());
            if (!state.available()) {
                details.put("impact", "transcripts are not cached until Redis answers again; requests still succeed");
            }
        } else {
            details.put("items", state.items());
        }
        return new Report(state.available() ? HealthStatus.UP : HealthStatus.DEGRADED, details);
    }
}
