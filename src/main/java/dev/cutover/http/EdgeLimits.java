package dev.cutover.http;

import java.time.Duration;
import java.util.Optional;

/**
 * How much the edge lets one request take.
 *
 * @param json         JSON bodies (admin, OFREP, client events): small, and whole within REQUEST_BODY_TIMEOUT
 * @param upload       uploads: up to the upload limit, within the shared memory budget, at the minimum data rate
 * @param minDataRate  bytes a second a body must keep up after its first second (MIN_REQUEST_DATA_RATE); 408 below
 * @param refusalDrain after a refusal, how long what the client already sent is read and dropped before the
 *                     connection closes (so a fast client reads its 401 instead of a reset)
 */
public record EdgeLimits(BodyPolicy json, BodyPolicy upload, long minDataRate, Duration refusalDrain) {
    public static final int DEFAULT_MAX_JSON_BYTES = 64 * 1024;
    static final Duration RATE_GRACE = Duration.ofSeconds(1);

    public static BodyPolicy jsonPolicy(Duration deadline) {
        return new BodyPolicy(DEFAULT_MAX_JSON_BYTES, Optional.of(deadline), Optional.empty(), "body_too_large",
                "The request body is larger than " + DEFAULT_MAX_JSON_BYTES / 1024 + " KiB.");
    }
}
