package dev.cutover.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Cross-origin access for browser clients (the assignment call, OFREP and its event stream), from
 * {@code CUTOVER_CORS_ORIGINS}: exact origins such as {@code https://app.example.com}, or {@code *} for any.
 * Preflights are answered here with a fixed list of methods and headers; requests from other origins get no CORS
 * headers (so the browser blocks them) and their preflights a 403. Javalin's bundled CorsPlugin was not used because
 * it echoes whatever headers a preflight asks for and turns requests from unknown origins into 400s.
 * Immutable and thread-safe.
 */
public final class Cors {
    static final String ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
    static final String ALLOWED_HEADERS = "Content-Type, Authorization, If-None-Match, X-API-Key, Last-Event-ID";
    static final String EXPOSED_HEADERS = "ETag, Retry-After";
    static final String PREFLIGHT_MAX_AGE_SECONDS = "600";

    private final boolean anyOrigin;
    private final Set<String> origins;

    public Cors(List<String> allowedOrigins) {
        this.anyOrigin = allowedOrigins.contains("*");
        this.origins = allowedOrigins.stream().map(Cors::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /** Installs the before-handler; with no origins configured nothing is installed and no CORS header is sent. */
    public void register(JavalinConfig config) {
        if (anyOrigin || !origins.isEmpty()) {
            config.routes.before(this::apply);
        }
    }

    private void apply(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null) {
            return;
        }
        boolean preflight = ctx.method() == HandlerType.OPTIONS && ctx.header("Access-Control-Request-Method") != null;
        if (!anyOrigin && !origins.contains(normalize(origin))) {
            if (preflight) {
                ErrorResponses.write(ctx, new ApiError(403, "cors_origin_not_allowed",
                        "Origin " + origin + " is not allowed; add it to CUTOVER_CORS_ORIGINS."));
                ctx.skipRemainingHandlers();
            }
            return;
        }
        if (anyOrigin) {
            ctx.header("Access-Control-Allow-Origin", "*");
        } else {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Vary", "Origin");
        }
        ctx.header("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        if (preflight) {
            ctx.header("Access-Control-Allow-Methods", ALLOWED_METHODS);
            ctx.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
            ctx.header("Access-Control-Max-Age", PREFLIGHT_MAX_AGE_SECONDS);
            ctx.status(204);
            ctx.skipRemainingHandlers();
        }
    }

    private static String normalize(String origin) {
        String trimmed = origin.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.toLowerCase(Locale.ROOT);
    }
}
