package dev.cutover.signals;

import dev.cutover.config.Durations;
import dev.cutover.db.DatabaseFailures;
import dev.cutover.http.ApiError;
import dev.cutover.http.QueryParams;
import dev.cutover.http.Responses;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The fleet's signals for engineers and the admin UI (admin token): {@code GET /api/v1/signals} (one span, with the
 * statistics), {@code GET /api/v1/signals/series} (a metric over time, for charts) and {@code GET /api/v1/instances}.
 */
public final class SignalRoutes {
    public static final String SIGNALS_PATHS = "/api/v1/signals/*";
    public static final String INSTANCES_PATH = "/api/v1/instances";
    private static final Duration MAX_SPAN = Duration.ofDays(90);
    private static final int MAX_POINTS = 2_000;

    private final FleetSignals fleet;

    public SignalRoutes(FleetSignals fleet) {
        this.fleet = fleet;
    }

    public void register(JavalinConfig config) {
        config.routes.get("/api/v1/signals", this::view);
        config.routes.get("/api/v1/signals/series", this::series);
        config.routes.get(INSTANCES_PATH, this::instances);
    }

    private void view(Context ctx) {
        QueryParams query = QueryParams.of(ctx.queryString());
        Duration window = duration(query, "window", "5m");
        String by = query.text("by").orElse(null);
        if (by != null && !FleetSignals.COHORT_GROUPS.contains(by)) {
            throw ApiError.badRequest("invalid_by", "by is browser, language or cohort (browser × language).");
        }
        Responses.noStore(ctx).json(DatabaseFailures.translate(() -> fleet.view(window, by)));
    }

    private void series(Context ctx) {
        QueryParams query = QueryParams.of(ctx.queryString());
        String metric = query.text("metric").orElseThrow(() -> ApiError.badRequest("missing_metric",
                "metric is one of " + String.join(", ", FleetSignals.SERIES_METRICS) + "."));
        if (!FleetSignals.SERIES_METRICS.contains(metric)) {
            throw ApiError.badRequest("invalid_metric", "metric is one of " + String.join(", ", FleetSignals.SERIES_METRICS) + ".");
        }
        String provider = oneOf(query, "provider", SignalKey.WHISPER, SignalKey.PROVIDERS);
        String source = oneOf(query, "source", SignalKey.CLIENT, SignalKey.SOURCES);
        Duration span = duration(query, "span", "6h");
        Duration step = duration(query, "step", span.compareTo(FleetSignals.FINE_SPAN) <= 0 ? "1m" : "1h");
        if (span.compareTo(FleetSignals.FINE_SPAN) > 0 && step.compareTo(Duration.ofHours(1)) < 0) {
            throw ApiError.badRequest("invalid_step", "Spans over 48 h come from hourly rollups: step is at least 1h.");
        }
        if (step.toMillis() % Signals.WINDOW.toMillis() != 0 || span.toMillis() / step.toMillis() > MAX_POINTS) {
            throw ApiError.badRequest("invalid_step", "step is a multiple of 10s and span/step at most " + MAX_POINTS + ".");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("metric", metric);
        body.put("provider", provider);
        body.put("source", source);
        body.put("span", span.toSeconds());
        body.put("step", step.toSeconds());
        body.put("points", DatabaseFailures.translate(() -> fleet.series(metric, provider, source, span, step)));
        Responses.noStore(ctx).json(body);
    }

    private void instances(Context ctx) {
        Responses.noStore(ctx).json(DatabaseFailures.translate(fleet::fleet));
    }

    private static String oneOf(QueryParams query, String name, String fallback, Set<String> allowed) {
        String value = query.text(name).orElse(fallback);
        if (!allowed.contains(value)) {
            throw ApiError.badRequest("invalid_" + name, name + " is one of " + String.join(", ", new java.util.TreeSet<>(allowed)) + ".");
        }
        return value;
    }

    private static Duration duration(QueryParams query, String name, String fallback) {
        String text = query.text(name).orElse(fallback);
        Duration value;
        try {
            value = text.length() > 12 ? null : Durations.parse(text);
        } catch (IllegalArgumentException e) {
            value = null;
        }
        if (value == null || value.compareTo(Signals.WINDOW) < 0 || value.compareTo(MAX_SPAN) > 0) {
            throw ApiError.badRequest("invalid_" + name, name + " is a duration such as 5m, 6h or 7d, from 10s to 90d.");
        }
        return value;
    }
}
