package dev.cutover.signals;

import dev.cutover.http.HealthIndicator;
import dev.cutover.http.HealthStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The "signals" part of /health: DEGRADED while closed windows wait in memory for PostgreSQL, or once any were
 * dropped because they waited longer than SIGNALS_BUFFER. Thread-safe (reads volatile state).
 */
public final class SignalsHealth implements HealthIndicator {
    private static final int WAITING_IS_DEGRADED = 3;
    private final SignalWindows windows;

    public SignalsHealth(SignalWindows windows) {
        this.windows = windows;
    }

    @Override
    public String name() {
        return "signals";
    }

    @Override
    public Report report() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("instanceId", windows.instanceId());
        details.put("windowsWaiting", windows.pendingWindows());
        details.put("windowsDropped", windows.droppedWindows());
        details.put("observationsDropped", windows.droppedObservations());
        details.put("lastFlushError", windows.lastFlushError().orElse(null));
        boolean degraded = windows.pendingWindows() >= WAITING_IS_DEGRADED || windows.droppedWindows() > 0
                || windows.lastFlushError().isPresent();
        return new Report(degraded ? HealthStatus.DEGRADED : HealthStatus.UP, details);
    }
}
