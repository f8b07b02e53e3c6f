package dev.cutover.http;

import java.util.Map;

/** One part of the service that reports its own health under a name in {@code GET /health}. */
public interface HealthIndicator {
    String name();

    Report report();

    record Report(HealthStatus status, Map<String, Object> details) {
    }
}
