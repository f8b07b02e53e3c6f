package dev.cutover.http;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpFields;

/**
 * Cross-origin access for the routes browsers call from the web app (assignment, OFREP and its event stream, client
 * events), from {@code CUTOVER_CORS_ORIGINS}: exact origins such as {@code https://app.example.com}, or {@code *} for
 * any. Applied by the {@link RequestEdge} to those routes only: admin, transcription, metrics and unknown paths never
 * answer with CORS headers, so a browser page on another origin cannot call them. Preflights get a fixed list of
 * methods and headers (no credentials, no Authorization: the public routes need none); requests from other origins
 * get no CORS headers and their preflights a 403. Every response of a CORS route says {@code Vary: Origin}, so a
 * cache never hands one origin's answer to another. Immutable and thread-safe.
 */
public final class Cors {
    static final String ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS";
    static final String ALLOWED_HEADERS = "Content-Type, If-None-Match, Last-Event-ID";
    static final String EXPOSED_HEADERS = "ETag, Retry-After";
    static final String PREFLIGHT_MAX_AGE_SECONDS = "600";

    /** What the edge does with a request to a CORS route once the headers are set. */
    enum Outcome { CONTINUE, PREFLIGHT_ALLOWED, PREFLIGHT_REFUSED }

    private final boolean anyOrigin;
    private final Set<String> origins;

    public Cors(List<String> allowedOrigins) {
        this.anyOrigin = allowedOrigins.contains("*");
        this.origins = allowedOrigins.stream().map(Cors::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Sets the CORS response headers for a request to a CORS route and says whether it is a preflight to answer.
     * Nothing but {@code Vary: Origin} is added when no origin is configured or the request names none.
     */
    Outcome apply(String method, HttpFields requestHeaders, HttpFields.Mutable responseHeaders) {
        responseHeaders.put("Vary", "Origin");
        String origin = requestHeaders.get("Origin");
        if (origin == null || (!anyOrigin && origins.isEmpty())) {
            return Outcome.CONTINUE;
        }
        boolean preflight = "OPTIONS".equals(method) && requestHeaders.get("Access-Control-Request-Method") != null;
        if (!anyOrigin && !origins.contains(normalize(origin))) {
            return preflight ? Outcome.PREFLIGHT_REFUSED : Outcome.CONTINUE;
        }
        responseHeaders.put("Access-Control-Allow-Origin", anyOrigin ? "*" : origin);
        responseHeaders.put("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        if (!preflight) {
            return Outcome.CONTINUE;
        }
        responseHeaders.put("Access-Control-Allow-Methods", ALLOWED_METHODS);
        responseHeaders.put("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        responseHeaders.put("Access-Control-Max-Age", PREFLIGHT_MAX_AGE_SECONDS);
        return Outcome.PREFLIGHT_ALLOWED;
    }

    private static String normalize(String origin) {
        String trimmed = origin.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.toLowerCase(Locale.ROOT);
    }
}
