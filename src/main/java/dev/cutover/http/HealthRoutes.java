package dev.cutover.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /health}: the worst status of every part, each part's details; 503 only when DOWN. */
public final class HealthRoutes {
    private final List<HealthIndicator> indicators;
    private final String version;
    private final AdminAuth adminAuth;

    /** Callers with the admin token also see each part's operator details (paths, host facts). */
    public HealthRoutes(List<HealthIndicator> indicators, String version, AdminAuth adminAuth) {
        this.indicators = List.copyOf(indicators);
        this.version = version;
        this.adminAuth = adminAuth;
    }

    public void register(JavalinConfig config) {
        config.routes.get("/health", this::health);
    }

    private void health(Context ctx) {
        boolean operator = adminAuth.actorFor(ctx.header("Authorization")).isPresent();
        HealthStatus overall = HealthStatus.UP;
        Map<String, Object> parts = new LinkedHashMap<>();
        for (HealthIndicator indicator : indicators) {
            HealthIndicator.Report report = indicator.report();
            overall = overall.worst(report.status());
            Map<String, Object> part = new LinkedHashMap<>();
            part.put("status", report.status());
            part.putAll(report.details());
            if (operator) {
                part.putAll(report.operatorDetails());
            }
            parts.put(indicator.name(), part);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", overall);
        body.put("version", version);
        body.putAll(parts);
        ctx.header("Cache-Control", "no-store");
        ctx.status(overall == HealthStatus.DOWN ? 503 : 200).json(body);
    }
}
