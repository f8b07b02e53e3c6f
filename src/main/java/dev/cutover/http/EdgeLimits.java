package dev.cutover.http;

import java.time.Duration;

/**
 * How much the edge lets one request take: the largest body it buffers for the JSON routes, how slowly a body may
 * arrive, and how long a refused request's body is drained so that the client reads the refusal.
 *
 * @param maxBodyBytes       bodies of the JSON routes (admin, OFREP, client events) larger than this are refused (413)
 * @param minDataRate        bytes a second a body must keep up after its first second (MIN_REQUEST_DATA_RATE); 408 below
 * @param bodyTimeout        a JSON body must have arrived whole within this (REQUEST_BODY_TIMEOUT); 408 after
 * @param refusalDrain       after a refusal, how long what the client already sent is read and dropped before the
 *                           connection closes (so a fast client reads its 401 instead of a reset)
 */
public record EdgeLimits(int maxBodyBytes, long minDataRate, Duration bodyTimeout, Duration refusalDrain) {
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    static final Duration RATE_GRACE = Duration.ofSeconds(1);
}
