package dev.cutover.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one exception that becomes an HTTP error: a status, a machine code and a message that says what to fix.
 * Rendered as {@code {"error": code, "message": message, ...fields}} by {@link ErrorResponses}, the one error mapper.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, String> headers;
    private final Map<String, Object> fields;

    public ApiError(int status, String code, String message, Map<String, String> headers, Map<String, Object> fields) {
        super(message);
        this.status = status;
        this.code = code;
        this.headers = Map.copyOf(headers);
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public ApiError(int status, String code, String message, Map<String, String> headers) {
        this(status, code, message, headers, Map.of());
    }

    public ApiError(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public static ApiError badRequest(String code, String message) {
        return new ApiError(400, code, message);
    }

    public static ApiError unauthorized(String code, String message) {
        return new ApiError(401, code, message);
    }

    public static ApiError notFound(String code, String message) {
        return new ApiError(404, code, message);
    }

    public static ApiError conflict(String code, String message) {
        return new ApiError(409, code, message);
    }

    /**
     * A write based on a stale version (optimistic concurrency): 409 {@code version_conflict} with the version to
     * re-read as {@code currentVersion}.
     */
    public static ApiError versionConflict(String what, long expectedVersion, long currentVersion) {
        return new ApiError(409, "version_conflict", "The " + what + " is at version " + currentVersion + ", not "
                + expectedVersion + ": someone changed it meanwhile. Re-read it, then retry with expectedVersion "
                + currentVersion + ".", Map.of(), Map.of("currentVersion", currentVersion));
    }

    public static ApiError unavailable(String code, String message, long retryAfterSeconds) {
        return new ApiError(503, code, message, Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    public static ApiError unavailable(String code, String message) {
        return new ApiError(503, code, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** Fields rendered beside error and message, e.g. {@code currentVersion} or {@code unmet}. */
    public Map<String, Object> fields() {
        return fields;
    }

    /** The JSON body: {@code {"error": code, "message": message, ...fields}}. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", getMessage());
        body.putAll(fields);
        return body;
    }
}
