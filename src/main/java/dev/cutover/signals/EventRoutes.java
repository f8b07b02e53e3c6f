package dev.cutover.signals;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cutover.http.ApiError;
import dev.cutover.http.Responses;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /api/v1/events}: what browsers report of each attempt and exposure, public and
 * {@code navigator.sendBeacon}-friendly ({@code text/plain} or {@code application/json}, at most 100 events and
 * 64 KiB, the latter enforced by the request edge). Each client (the peer address, or the first X-Forwarded-For hop
 * when TRUST_PROXY is on) may send EVENTS_RATE_LIMIT batches a second with bursts of 100 (bucket4j), others are not
 * affected; beyond, 429 + Retry-After. A batch retried with the same batchId within 10 minutes is counted once (on
 * this instance). Answers 202 with what was accepted. Thread-safe (Caffeine caches and bucket4j buckets are).
 */
public final class EventRoutes {
    public static final String PATH = "/api/v1/events";
    static final int BURST = 100;
    static final Duration DEDUP_FOR = Duration.ofMinutes(10);

    private final SignalWindows windows;
    private final int batchesPerSecond;
    private final boolean trustProxy;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder().maximumSize(200_000)
            .expireAfterAccess(Duration.ofMinutes(5)).build();
    private final Cache<String, Boolean> seenBatches = Caffeine.newBuilder().maximumSize(1_000_000)
            .expireAfterWrite(DEDUP_FOR).build();

    /** {@code batchesPerSecond} 0 turns the rate limit off. */
    public EventRoutes(SignalWindows windows, int batchesPerSecond, boolean trustProxy) {
        this.windows = windows;
        this.batchesPerSecond = batchesPerSecond;
        this.trustProxy = trustProxy;
    }

    public void register(JavalinConfig config) {
        config.routes.post(PATH, this::receive);
    }

    private void receive(Context ctx) {
        Responses.noStore(ctx);
        checkRate(ctx);
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!type.isEmpty() && !type.startsWith("application/json") && !type.startsWith("text/plain")) {
            throw new ApiError(415, "unsupported_media_type", "Send the batch as application/json or text/plain "
                    + "(what navigator.sendBeacon sends for a string), not " + ctx.contentType() + ".");
        }
        ClientEvents.Batch batch = ClientEvents.parse(ctx.bodyAsBytes(), windows.clock().instant(), ctx.userAgent(),
                ctx.header("Accept-Language"));
        if (batch.batchId().isPresent() && seenBatches.asMap().putIfAbsent(batch.batchId().get(), Boolean.TRUE) != null) {
            ctx.status(202).json(Map.of("accepted", 0, "duplicate", true));
            return;
        }
        if (!windows.recordAll(batch.observations())) {
            batch.batchId().ifPresent(seenBatches::invalidate);
            throw ApiError.unavailable("overloaded", "Too many events are waiting to be counted; retry shortly.", 1);
        }
        ctx.status(202).json(Map.of("accepted", batch.observations().size(), "duplicate", false));
    }

    private void checkRate(Context ctx) {
        if (batchesPerSecond <= 0) {
            return;
        }
        Bucket bucket = buckets.get(client(ctx), k -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(Math.max(BURST, batchesPerSecond))
                        .refillGreedy(batchesPerSecond, Duration.ofSeconds(1)).build())
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999L));
            throw new ApiError(429, "rate_limited", "This client sends more than " + batchesPerSecond
                    + " batches a second; batch more events per request, or retry after " + seconds + " s.",
                    Map.of("Retry-After", Long.toString(seconds)));
        }
    }

    private String client(Context ctx) {
        if (trustProxy) {
            String forwarded = ctx.header("X-Forwarded-For");
            if (forwarded != null && !forwarded.isBlank()) {
                String first = forwarded.split(",", 2)[0].trim();
                if (!first.isEmpty() && first.length() <= 64) {
                    return first;
                }
            }
        }
        return ctx.req().getRemoteAddr();
    }
}
