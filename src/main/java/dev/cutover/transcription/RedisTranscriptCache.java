package dev.cutover.transcription;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.http.JsonMapping;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transcripts in Redis as JSON under {@code cutover:transcript:v1:<sha256>}, with a TTL.
 *
 * <p>Redis is an optimisation, never a dependency: every command has a short timeout; a disconnected connection
 * rejects commands at once instead of queueing them; after a few failures in a row Redis is skipped for a short
 * interval (a small circuit breaker) so a slow server costs only a few timeouts per interval. When Redis is down at
 * start-up a background thread keeps trying to connect; once connected, Lettuce reconnects by itself after drops.
 *
 * <p>Thread-safe: the connection is shared (Lettuce connections are thread-safe) and swapped atomically; the breaker
 * is a volatile deadline and an atomic failure count.
 */
final class RedisTranscriptCache implements TranscriptCache {
    private static final Logger LOG = LoggerFactory.getLogger(RedisTranscriptCache.class);
    static final String KEY_PREFIX = "cutover:transcript:v1:";
    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration RECONNECT_DELAY = Duration.ofMillis(250);
    private static final Duration SKIP_AFTER_FAILURE = Duration.ofSeconds(1);
    private static final int FAILURES_BEFORE_SKIPPING = 3;
    private static final Duration CONNECT_RETRY = Duration.ofSeconds(1);

    private final ObjectMapper json = JsonMapping.objectMapper();
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final long ttlSeconds;
    private final AtomicReference<StatefulRedisConnection<String, String>> connection = new AtomicReference<>();
    private final ScheduledExecutorService connector;
    private volatile long skipUntilNanos = System.nanoTime();
    private final AtomicInteger failuresInARow = new AtomicInteger();

    RedisTranscriptCache(String redisUrl, Duration ttl, Duration commandTimeout) {
        this.uri = parse(redisUrl);
        // The URI timeout bounds the connection handshake (HELLO, AUTH, SELECT), which a cold JVM may not finish in
        // 50 ms; commands are bounded separately by TimeoutOptions below.
        uri.setTimeout(HANDSHAKE_TIMEOUT.compareTo(commandTimeout) > 0 ? HANDSHAKE_TIMEOUT : commandTimeout);
        this.ttlSeconds = Math.max(1, ttl.toSeconds());
        this.resources = ClientResources.builder().reconnectDelay(Delay.constant(RECONNECT_DELAY)).build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
        this.connector = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "redis-connect");
            t.setDaemon(true);
            return t;
        });
        if (!tryConnect()) {
            LOG.warn("Redis at {} is not reachable; serving without the cache and retrying every {}s",
                    where(), CONNECT_RETRY.toSeconds());
        }
        connector.scheduleWithFixedDelay(this::tryConnect, CONNECT_RETRY.toMillis(), CONNECT_RETRY.toMillis(),
                TimeUnit.MILLISECONDS);
        connector.scheduleWithFixedDelay(this::probeWhileFailing, SKIP_AFTER_FAILURE.toMillis(),
                SKIP_AFTER_FAILURE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** While the last commands failed, a PING (within the command timeout) tells when Redis answers again. */
    private void probeWhileFailing() {
        StatefulRedisConnection<String, String> redis = connection.get();
        if (failuresInARow.get() < FAILURES_BEFORE_SKIPPING || redis == null || !redis.isOpen()) {
            return;
        }
        try {
            redis.sync().ping();
            failuresInARow.set(0);
        } catch (RuntimeException e) {
            LOG.debug("Redis still not answering: {}", e.getMessage());
        }
    }

    @Override
    public Optional<Transcript> find(CacheKey key) {
        StatefulRedisConnection<String, String> redis = usableConnection();
        if (redis == null) {
            return Optional.empty();
        }
        String value;
        try {
            value = redis.sync().get(KEY_PREFIX + key.sha256Hex());
            failuresInARow.set(0);
        } catch (RuntimeException e) {
            failed("GET", e);
            return Optional.empty();
        }
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(value, Transcript.class));
        } catch (JsonProcessingException e) {
            LOG.warn("Ignoring unreadable cache entry {}: {}", key.sha256Hex(), e.getOriginalMessage());
            return Optional.empty();
        }
    }

    @Override
    public void store(CacheKey key, Transcript transcript) {
        StatefulRedisConnection<String, String> redis = usableConnection();
        if (redis == null) {
            return;
        }
        try {
            String value = json.writeValueAsString(transcript);
            // Asynchronous on purpose: the caller already has its answer and must not wait for the write.
            redis.async().set(KEY_PREFIX + key.sha256Hex(), value, SetArgs.Builder.ex(ttlSeconds)).whenComplete((ok, error) -> {
                if (error != null) {
                    failed("SET", error);
                } else {
                    failuresInARow.set(0);
                }
            });
        } catch (JsonProcessingException | RuntimeException e) {
            failed("SET", e);
        }
    }

    @Override
    public CacheState state() {
        // Unavailable while the last commands failed (until one succeeds again), not only during the skip interval:
        // what /health says must not depend on how fast the host answers the health check.
        boolean failing = failuresInARow.get() >= FAILURES_BEFORE_SKIPPING;
        return new CacheState("redis", usableConnection() != null && !failing, -1);
    }

    private static RedisURI parse(String redisUrl) {
        try {
            return RedisURI.create(redisUrl);
        } catch (RuntimeException e) {
            // No echo of the value: it may hold a password.
            String reason = String.valueOf(e.getMessage()).replaceAll("//[^@/]*@", "//***@");
            throw new IllegalArgumentException(
                    "REDIS_URL is not valid (" + reason + "); write redis://[:password@]host:port[/db]", e);
        }
    }

    /** host:port/db without the password, for logs and /health. */
    String where() {
        return uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
    }

    @Override
    public void close() {
        connector.shutdownNow();
        StatefulRedisConnection<String, String> redis = connection.getAndSet(null);
        if (redis != null) {
            redis.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private StatefulRedisConnection<String, String> usableConnection() {
        StatefulRedisConnection<String, String> redis = connection.get();
        if (redis == null || !redis.isOpen() || System.nanoTime() - skipUntilNanos < 0) {
            return null;
        }
        return redis;
    }

    private boolean tryConnect() {
        if (connection.get() != null) {
            return true;
        }
        try {
            connection.set(client.connect(uri));
            LOG.info("Transcript cache connected to Redis at {}", where());
            return true;
        } catch (RuntimeException e) {
            LOG.debug("Redis at {} not reachable yet: {}", where(), e.getMessage());
            return false;
        }
    }

    /**
     * One slow answer on a busy host should not send a second of cached traffic to the engine, so Redis is skipped
     * only after a few failures in a row (a refused command on a dropped connection counts like a timeout).
     */
    private void failed(String command, Throwable error) {
        if (failuresInARow.incrementAndGet() < FAILURES_BEFORE_SKIPPING) {
            return;
        }
        long now = System.nanoTime();
        boolean wasHealthy = now - skipUntilNanos >= 0;
        skipUntilNanos = now + SKIP_AFTER_FAILURE.toNanos();
        if (wasHealthy) {
            LOG.warn("Redis {} failed {} times in a row (last: {}); bypassing the cache for {} ms", command,
                    failuresInARow.get(), error.getMessage(), SKIP_AFTER_FAILURE.toMillis());
        }
    }
}
