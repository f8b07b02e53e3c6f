package dev.cutover.signals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's signal windows: observations are stamped by the server's clock at receipt, queued without
 * blocking the request thread, and counted by one signal thread into 10-second windows aligned to the epoch. Once
 * a window has closed (its end plus a second of grace has passed on the clock) it is upserted into PostgreSQL, off
 * the request path; while PostgreSQL is down closed windows wait in memory, at most {@code buffer} of them (beyond:
 * the oldest are dropped and counted), and are flushed when it returns. The same thread writes the heartbeat every
 * 5 s, recomputes the hourly rollups and prunes old rows, all by the injected clock (a test moves the clock, the
 * thread follows within its 100 ms tick). A graceful {@link #close} flushes the open window too.
 *
 * <p>Thread-safe: {@link #record} may be called from any thread (a bounded queue, never blocking: a full queue drops
 * and counts); every window is touched by the signal thread alone (and, before that thread starts, by
 * {@link #start}, which resumes this instance's recent windows from PostgreSQL).
 */
public final class SignalWindows implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SignalWindows.class);
    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final Duration KEEP_FLUSHED = Duration.ofMinutes(2);
    private static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(5);
    private static final Duration MAINTENANCE_EVERY = Duration.ofMinutes(1);
    private static final long TICK_MILLIS = 100;
    private static final int MAX_WINDOWS_PER_FLUSH = 60;

    /** How long windows and rollups are kept, and how much waits in memory while PostgreSQL is down. */
    public record Retention(Duration buffer, Duration fineWindows, Duration rollups) {
    }

    private final SignalStore store;
    private final Clock clock;
    private final String instanceId;
    private final Retention retention;
    private final Supplier<InstanceStatus> heartbeat;
    private final BlockingQueue<List<Observation>> queue = new ArrayBlockingQueue<>(100_000);
    private final TreeMap<Instant, WindowState> windows = new TreeMap<>();
    private final Thread thread;
    private final AtomicLong droppedObservations = new AtomicLong();
    private final AtomicLong droppedWindows = new AtomicLong();
    private volatile int pendingWindows;
    private volatile String lastFlushError;
    private volatile boolean running = true;
    private Instant nextHeartbeat = Instant.MIN;
    private Instant nextMaintenance = Instant.MIN;
    private Instant lastRollUp;
    private long nextFlushAttemptNanos;

    public SignalWindows(SignalStore store, Clock clock, String instanceId, Retention retention,
                         Supplier<InstanceStatus> heartbeat) {
        this.store = store;
        this.clock = clock;
        this.instanceId = instanceId;
        this.retention = retention;
        this.heartbeat = heartbeat;
        this.thread = new Thread(this::run, "signal-windows");
        this.thread.setDaemon(true);
    }

    public void start() {
        resumeOwnWindows();
        thread.start();
    }

    /**
     * Starts from the recent windows a previous process under the same INSTANCE_ID flushed: a flush writes a window
     * whole, so after a restart within a window the new counts alone would replace what was counted before it.
     * Best effort: with PostgreSQL down at start-up nothing is resumed (and such a restart may still replace a row).
     */
    private void resumeOwnWindows() {
        Instant now = clock.instant();
        try {
            for (SignalStore.Row row : store.ownWindowsSince(instanceId, Signals.windowOf(now).minus(KEEP_FLUSHED))) {
                WindowState window = windows.computeIfAbsent(row.at(), start -> new WindowState());
                window.counts.computeIfAbsent(row.key(), k -> new WindowCounts()).merge(row.counts());
                window.flushedAt = now;
            }
        } catch (RuntimeException e) {
            LOG.warn("This instance's recent signal windows could not be read at start-up ({}); a window it flushed "
                    + "before a restart may be replaced by what it counts now", e.getMessage());
        }
    }

    public Clock clock() {
        return clock;
    }

    public String instanceId() {
        return instanceId;
    }

    /** Counts one observation; never blocks. False when the queue is full (counted as dropped). */
    public boolean record(Observation observation) {
        return recordAll(List.of(observation));
    }

    /** Counts a batch as one unit: all of it or, when the queue is full, none (counted as dropped). */
    public boolean recordAll(List<Observation> batch) {
        if (batch.isEmpty()) {
            return true;
        }
        if (!running || !queue.offer(List.copyOf(batch))) {
            droppedObservations.addAndGet(batch.size());
            return false;
        }
        return true;
    }

    public int pendingWindows() {
        return pendingWindows;
    }

    public long droppedWindows() {
        return droppedWindows.get();
    }

    public long droppedObservations() {
        return droppedObservations.get();
    }

    public Optional<String> lastFlushError() {
        return Optional.ofNullable(lastFlushError);
    }

    private void run() {
        while (running) {
            try {
                drain();
                tick(false);
                TimeUnit.MILLISECONDS.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // The counting thread must outlive anything one tick meets (even an OutOfMemoryError), or this
                // instance would silently stop counting.
                LOG.error("Signal windows tick failed; counting goes on", e);
            }
        }
    }

    private void drain() {
        List<List<Observation>> batches = new ArrayList<>();
        queue.drainTo(batches);
        for (List<Observation> batch : batches) {
            for (Observation o : batch) {
                WindowState window = windows.computeIfAbsent(Signals.windowOf(o.at()), start -> new WindowState());
                window.counts.computeIfAbsent(o.key(), k -> new WindowCounts()).add(o);
                window.dirty = true;
            }
        }
    }

    private void tick(boolean flushOpenWindows) {
        Instant now = clock.instant();
        enforceBuffer(now);
        flush(now, flushOpenWindows);
        if (!now.isBefore(nextHeartbeat)) {
            nextHeartbeat = now.plus(HEARTBEAT_EVERY);
            try {
                store.heartbeat(heartbeat.get());
            } catch (RuntimeException e) {
                LOG.debug("Heartbeat not written: {}", e.getMessage());
            }
        }
        if (!now.isBefore(nextMaintenance) && lastFlushError == null) {
            nextMaintenance = now.plus(MAINTENANCE_EVERY);
            try {
                store.rollUp(rollUpFrom(now), now.plus(Duration.ofHours(1)));
                lastRollUp = now;
                store.prune(now.minus(retention.fineWindows()), now.minus(retention.rollups()));
            } catch (RuntimeException e) {
                LOG.debug("Signal rollup or pruning not done: {}", e.getMessage());
            }
        }
        evictFlushed(now);
    }

    /**
     * The last two hours, and every hour since the previous roll-up too (after PostgreSQL was away or the clock moved
     * far), within the windows' retention.
     */
    private Instant rollUpFrom(Instant now) {
        Instant since = lastRollUp == null || lastRollUp.isAfter(now) ? now : lastRollUp;
        Instant from = since.minus(Duration.ofHours(2));
        Instant oldest = now.minus(retention.fineWindows());
        return (from.isBefore(oldest) ? oldest : from).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
    }

    private boolean closed(Instant windowStart, Instant now) {
        return !windowStart.plus(Signals.WINDOW).plus(GRACE).isAfter(now);
    }

    private void flush(Instant now, boolean includeOpen) {
        if (System.nanoTime() - nextFlushAttemptNanos < 0 && !includeOpen) {
            return;
        }
        List<SignalStore.Row> rows = new ArrayList<>();
        List<WindowState> flushing = new ArrayList<>();
        for (Map.Entry<Instant, WindowState> entry : windows.entrySet()) {
            if (flushing.size() >= MAX_WINDOWS_PER_FLUSH && !includeOpen) {
                break;
            }
            WindowState window = entry.getValue();
            if (window.dirty && (includeOpen || closed(entry.getKey(), now))) {
                window.counts.forEach((key, counts) -> rows.add(new SignalStore.Row(entry.getKey(), key, counts)));
                flushing.add(window);
            }
        }
        if (!rows.isEmpty()) {
            try {
                store.upsertWindows(instanceId, rows);
                flushing.forEach(w -> {
                    w.dirty = false;
                    w.flushedAt = now;
                });
                if (lastFlushError != null) {
                    LOG.info("Signal windows flushed again to PostgreSQL");
                }
                lastFlushError = null;
            } catch (RuntimeException e) {
                if (lastFlushError == null) {
                    LOG.warn("Signal windows wait in memory, PostgreSQL is not answering: {}", e.getMessage());
                }
                lastFlushError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                nextFlushAttemptNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            }
        }
        pendingWindows = (int) windows.entrySet().stream()
                .filter(e -> e.getValue().dirty && closed(e.getKey(), now)).count();
    }

    /** While PostgreSQL is down, at most {@code buffer} of closed windows wait; the oldest beyond that are dropped. */
    private void enforceBuffer(Instant now) {
        long maxWindows = Math.max(1, retention.buffer().toMillis() / Signals.WINDOW.toMillis());
        long waiting = windows.entrySet().stream().filter(e -> e.getValue().dirty && closed(e.getKey(), now)).count();
        Iterator<Map.Entry<Instant, WindowState>> oldestFirst = windows.entrySet().iterator();
        while (waiting > maxWindows && oldestFirst.hasNext()) {
            Map.Entry<Instant, WindowState> entry = oldestFirst.next();
            if (entry.getValue().dirty && closed(entry.getKey(), now)) {
                oldestFirst.remove();
                droppedWindows.incrementAndGet();
                waiting--;
            }
        }
    }

    /** Flushed windows stay a while in memory, so an event that arrives late still lands in its window. */
    private void evictFlushed(Instant now) {
        windows.entrySet().removeIf(e -> !e.getValue().dirty && e.getValue().flushedAt != null
                && e.getValue().flushedAt.plus(KEEP_FLUSHED).isBefore(now));
    }

    /** Stops counting, then flushes everything, the open window included (a graceful stop loses nothing). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drain();
        nextFlushAttemptNanos = 0;
        try {
            tick(true);
        } catch (RuntimeException e) {
            LOG.warn("Signal windows could not be flushed at shutdown: {}", e.toString());
        }
        if (pendingWindows > 0 || windows.values().stream().anyMatch(w -> w.dirty)) {
            LOG.warn("{} signal windows were not flushed at shutdown (PostgreSQL: {})",
                    windows.values().stream().filter(w -> w.dirty).count(), lastFlushError);
        }
    }

    private static final class WindowState {
        final Map<SignalKey, WindowCounts> counts = new java.util.HashMap<>();
        boolean dirty;
        Instant flushedAt;
    }
}
