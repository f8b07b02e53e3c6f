package dev.cutover.http;

import java.util.Map;

/**
 * The one exception that becomes an HTTP error: a status, a machine code and a message that says what to fix.
 * Rendered as {@code {"error": code, "message": message}} by {@link ErrorResponses}.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, String> headers;

    public ApiError(int status, String code, String message, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.code = code;
        this.headers = Map.copyOf(headers);
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
}
