package dev.cutover.flags.ofrep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.flags.FlagSnapshot;
import dev.cutover.flags.FlagSnapshots;
import dev.cutover.http.ApiError;
import dev.cutover.http.JsonMapping;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code GET /ofrep/v1/events}: the Server-Sent Events stream advertised in OFREP's bulk answer (ADR-0008). When the
 * flag changes every connected client receives {@code event: message} with
 * {@code data: {"type":"refetchEvaluation","etag":...,"lastModified":...}} and the flag state's tag as event id, and
 * re-fetches its bulk evaluation. A client that connects without {@code Last-Event-ID}, or with an id that is no longer
 * current, is told to re-fetch at once, so a change between its bulk call and its connection is never missed.
 *
 * <p>Thread-safe. The thread that installs a snapshot only marks clients and queues work; writes happen on a small
 * pool, at most one pending write per client (repeated changes coalesce into one event), so a slow or stalled client
 * holds at most one writer thread, until Jetty's idle timeout fails its write. Keep-alive comments go out periodically;
 * clients whose connection is gone are dropped when a write to them fails. At most {@code maxClients} streams are open;
 * beyond that the connection is refused with 503 and the client keeps its last evaluation.
 */
public final class OfrepEvents implements AutoCloseable {
    public static final int DEFAULT_MAX_CLIENTS = 10_000;
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(15);
    /** Gauge of open event streams on this instance (Prometheus: {@code cutover_ofrep_event_streams}). */
    public static final String OPEN_STREAMS_METRIC = "cutover.ofrep.event.streams";
    private static final int WRITER_THREADS = 4;

    private final FlagSnapshots snapshots;
    private final int maxClients;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ThreadPoolExecutor writers;
    private final ScheduledExecutorService keepAlive;
    private final ObjectMapper json = JsonMapping.objectMapper();
    private final AtomicReference<PreparedEvent> lastPrepared = new AtomicReference<>();

    public OfrepEvents(FlagSnapshots snapshots, int maxClients, Duration keepAliveInterval) {
        this.snapshots = snapshots;
        this.maxClients = maxClients;
        this.writers = new ThreadPoolExecutor(WRITER_THREADS, WRITER_THREADS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(Math.max(1, maxClients)), daemonThreads("ofrep-sse-writer-"));
        this.keepAlive = Executors.newSingleThreadScheduledExecutor(daemonThreads("ofrep-sse-keepalive-"));
        long period = keepAliveInterval.toMillis();
        keepAlive.scheduleAtFixedRate(this::sendKeepAlives, period, period, TimeUnit.MILLISECONDS);
        snapshots.onChange(snapshot -> announceChange());
    }

    public void register(JavalinConfig config) {
        config.routes.get(OfrepEvaluation.EVENTS_PATH, this::connect);
        for (HandlerType method : List.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE)) {
            config.routes.addHttpHandler(method, OfrepEvaluation.EVENTS_PATH, ctx -> {
                throw new ApiError(405, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path()
                        + "; open it with GET and Accept: text/event-stream.", Map.of("Allow", "GET"));
            });
        }
    }

    /** Streams currently open (accepted and not yet seen closed). */
    public int openStreams() {
        return openStreams.get();
    }

    private void connect(Context ctx) {
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new ApiError(406, "not_acceptable",
                    "This is a Server-Sent Events stream: send Accept: text/event-stream (EventSource does).");
        }
        if (closed.get()) {
            throw ApiError.unavailable("shutting_down", "The service is shutting down; reconnect shortly.", 1);
        }
        if (openStreams.incrementAndGet() > maxClients) {
            openStreams.decrementAndGet();
            throw ApiError.unavailable("too_many_streams", "This instance already serves " + maxClients
                    + " event streams; keep the last evaluation or poll POST /ofrep/v1/evaluate/flags.", 30);
        }
        String lastEventId = ctx.header("Last-Event-ID");
        try {
            new SseHandler(0, sse -> attach(sse, lastEventId)).handle(ctx);
        } catch (RuntimeException e) {
            openStreams.decrementAndGet();
            throw e;
        }
    }

    private void attach(SseClient sse, String lastEventId) {
        sse.keepAlive();
        Subscriber subscriber = new Subscriber(sse);
        sse.onClose(() -> {
            subscribers.remove(subscriber);
            openStreams.decrementAndGet();
        });
        subscribers.add(subscriber);
        if (closed.get()) {
            sse.close();
            return;
        }
        if (currentEvent().id().equals(lastEventId)) {
            subscriber.requestKeepAlive();
        } else {
            subscriber.requestRefetch();
        }
    }

    private void announceChange() {
        if (!closed.get()) {
            subscribers.forEach(Subscriber::requestRefetch);
        }
    }

    private void sendKeepAlives() {
        subscribers.forEach(Subscriber::requestKeepAlive);
    }

    /** The refetch event for the current snapshot, serialised once per change rather than once per client. */
    private PreparedEvent currentEvent() {
        FlagSnapshot snapshot = snapshots.current().orElse(null);
        PreparedEvent prepared = lastPrepared.get();
        if (prepared != null && prepared.snapshot() == snapshot) {
            return prepared;
        }
        String tag = OfrepConfigTag.of(Optional.ofNullable(snapshot));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("type", "refetchEvaluation");
        data.put("etag", "\"" + tag + "\"");
        if (snapshot != null) {
            data.put("lastModified", snapshot.updatedAt().getEpochSecond());
        }
        try {
            PreparedEvent next = new PreparedEvent(snapshot, tag, json.writeValueAsString(data));
            lastPrepared.set(next);
            return next;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("refetchEvaluation event could not be serialised", e);
        }
    }

    private record PreparedEvent(FlagSnapshot snapshot, String id, String data) {
    }

    /** Closes every stream (clients reconnect elsewhere) and stops the writer threads. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        keepAlive.shutdownNow();
        subscribers.forEach(s -> s.sse.close());
        writers.shutdown();
        try {
            writers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writers.shutdownNow();
    }

    /** One open stream: at most one write queued or running at a time; a pending refetch is never lost. */
    private final class Subscriber {
        private final SseClient sse;
        private final AtomicBoolean refetchPending = new AtomicBoolean();
        private final AtomicBoolean writeScheduled = new AtomicBoolean();

        Subscriber(SseClient sse) {
            this.sse = sse;
        }

        void requestRefetch() {
            refetchPending.set(true);
            schedule();
        }

        void requestKeepAlive() {
            schedule();
        }

        private void schedule() {
            if (sse.terminated()) {
                subscribers.remove(this);
                return;
            }
            if (!writeScheduled.compareAndSet(false, true)) {
                return;
            }
            try {
                writers.execute(this::write);
            } catch (RejectedExecutionException e) {
                writeScheduled.set(false);
                sse.close();
            }
        }

        private void write() {
            try {
                if (sse.terminated()) {
                    return;
                }
                if (refetchPending.getAndSet(false)) {
                    PreparedEvent event = currentEvent();
                    sse.sendEvent("message", event.data(), event.id());
                } else {
                    sse.sendComment("keep-alive");
                }
            } catch (RuntimeException e) {
                sse.close();
            } finally {
                writeScheduled.set(false);
                if (refetchPending.get() && !sse.terminated()) {
                    schedule();
                }
            }
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
