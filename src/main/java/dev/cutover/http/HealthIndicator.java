package dev.cutover.http;

import java.util.Map;

/** One part of the service that reports its own health under a name in {@code GET /health}. */
public interface HealthIndicator {
    String name();

    Report report();

    /**
     * @param details         shown to anyone who asks (load balancers, the frontend's status page)
     * @param operatorDetails shown only to callers with the admin token: file paths and host details
     */
    record Report(HealthStatus status, Map<String, Object> details, Map<String, Object> operatorDetails) {
        public Report(HealthStatus status, Map<String, Object> details) {
            this(status, details, Map.of());
        }
    }
}
