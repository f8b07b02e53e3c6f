package dev.cutover.http;

import java.time.Duration;
import java.util.Optional;

/**
 * What the edge accepts of one request body before it hands the request on.
 *
 * @param maxBytes  larger bodies are refused with 413 ({@code tooLargeCode}, {@code tooLargeMessage}) unread
 * @param deadline  the body must have arrived whole within this (JSON bodies); empty: only the minimum data rate
 *                  applies (uploads, which may be large on a slow network)
 * @param budget    memory shared by every body under this policy; a body that does not fit is refused with 503
 */
public record BodyPolicy(int maxBytes, Optional<Duration> deadline, Optional<ByteBudget> budget,
                         String tooLargeCode, String tooLargeMessage) {
}
