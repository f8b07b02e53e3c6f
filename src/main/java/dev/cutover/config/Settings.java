package dev.cutover.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every setting of the service, read once from environment variables. Immutable.
 * Unset optional values are empty strings turned into {@link Optional#empty()}.
 */
public record Settings(
        int port,
        Path dataDir,
        Optional<String> databaseUrl,
        Optional<String> redisUrl,
        Optional<String> adminToken,
        List<String> corsOrigins,
        Duration flagRefreshInterval,
        int httpThreads,
        boolean httpVirtualThreads,
        Duration httpIdleTimeout,
        int httpMaxConnections,
        long minRequestDataRate,
        Duration requestBodyTimeout,
        int uploadConcurrency,
        int uploadMemoryMb,
        Path whisperModel,
        Optional<String> whisperModelSha256,
        Optional<String> whisperApiKey,
        int whisperWorkers,
        int whisperThreads,
        int whisperQueue,
        String whisperAudioCtx,
        Duration whisperTimeout,
        int maxAudioSeconds,
        Duration cacheTtl,
        Duration redisTimeout,
        Optional<String> instanceId,
        Duration signalsBuffer,
        Duration signalsFineRetention,
        Duration signalsRollupRetention,
        int eventsRateLimit,
        boolean trustProxy,
        Duration guardInterval,
        Optional<String> alertWebhookUrl) {

    public static final int MAX_WHISPER_WORKERS = 8;

    public static Settings fromEnvironment() {
        return from(System.getenv());
    }

    public static Settings from(Map<String, String> env) {
        Reader r = new Reader(env);
        int cores = Runtime.getRuntime().availableProcessors();
        return new Settings(
                r.integer("PORT", 8080),
                Path.of(r.text("DATA_DIR", "data")),
                r.optional("DATABASE_URL"),
                r.optional("REDIS_URL"),
                r.optional("ADMIN_TOKEN"),
                r.list("CUTOVER_CORS_ORIGINS"),
                r.duration("FLAG_REFRESH_INTERVAL", "10s"),
                httpThreads(r.integer("HTTP_THREADS", 0)),
                virtualThreads(r.text("HTTP_VIRTUAL_THREADS", "auto")),
                r.duration("HTTP_IDLE_TIMEOUT", "30s"),
                Math.max(16, r.integer("HTTP_MAX_CONNECTIONS", 10_000)),
                Math.max(0, r.integer("MIN_REQUEST_DATA_RATE", 1024)),
                r.duration("REQUEST_BODY_TIMEOUT", "10s"),
                Math.max(1, r.integer("UPLOAD_CONCURRENCY", 32)),
                Math.max(32, r.integer("UPLOAD_MEMORY_MB", 256)),
                Path.of(r.text("WHISPER_MODEL", "models/ggml-base.en.bin")),
                r.optional("WHISPER_MODEL_SHA256"),
                r.optional("WHISPER_API_KEY"),
                Math.min(MAX_WHISPER_WORKERS, Math.max(1, r.integer("WHISPER_WORKERS", 1))),
                Math.max(1, r.integer("WHISPER_THREADS", cores)),
                Math.max(0, r.integer("WHISPER_QUEUE", 16)),
                r.text("WHISPER_AUDIO_CTX", "auto"),
                r.duration("WHISPER_TIMEOUT", "120s"),
                r.integer("MAX_AUDIO_SECONDS", 600),
                r.duration("CACHE_TTL", "7d"),
                r.duration("REDIS_TIMEOUT", "50ms"),
                r.optional("INSTANCE_ID"),
                r.duration("SIGNALS_BUFFER", "1h"),
                r.duration("SIGNALS_FINE_RETENTION", "48h"),
                r.duration("SIGNALS_ROLLUP_RETENTION", "90d"),
                Math.max(0, r.integer("EVENTS_RATE_LIMIT", 20)),
                Boolean.parseBoolean(r.text("TRUST_PROXY", "false")),
                atLeastOneSecond("GUARD_INTERVAL", r.duration("GUARD_INTERVAL", "15s")),
                r.optional("ALERT_WEBHOOK_URL"));
    }

    private static Duration atLeastOneSecond(String name, Duration value) {
        if (value.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(name + "=" + value + " is not valid: it must be at least 1s");
        }
        return value;
    }

    /** 0 keeps Javalin's default pool; otherwise at least 4, as Jetty's acceptor and selector take threads too. */
    private static int httpThreads(int requested) {
        return requested <= 0 ? 0 : Math.max(4, requested);
    }

    /** auto: virtual threads for blocking work when the JVM has them (21+); on and off force the choice. */
    private static boolean virtualThreads(String value) {
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "auto", "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new IllegalArgumentException("HTTP_VIRTUAL_THREADS=" + value + " is not valid: write auto, on or off");
        };
    }

    /** Reads typed values and names the variable when one is malformed. */
    private record Reader(Map<String, String> env) {
        Optional<String> optional(String name) {
            String value = env.get(name);
            return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
        }

        String text(String name, String fallback) {
            return optional(name).orElse(fallback);
        }

        int integer(String name, int fallback) {
            return parsed(name, Integer::parseInt).orElse(fallback);
        }

        Duration duration(String name, String fallback) {
            return Durations.parse(text(name, fallback));
        }

        List<String> list(String name) {
            return optional(name).map(v -> Arrays.stream(v.split(","))
                    .map(String::trim).filter(s -> !s.isEmpty()).toList()).orElse(List.of());
        }

        private <T> Optional<T> parsed(String name, Function<String, T> parser) {
            try {
                return optional(name).map(parser);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + "=" + env.get(name) + " is not valid: " + e.getMessage(), e);
            }
        }
    }
}
