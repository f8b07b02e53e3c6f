package dev.cutover.flags;

import dev.cutover.db.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link FlagSnapshots} current: a daemon thread LISTENs for flag changes (reloading within milliseconds of a
 * commit on any instance), re-reads every {@code interval} as a safety net, and reconnects with backoff when
 * PostgreSQL goes away, while assignment keeps serving the last snapshot. Thread-safe: the status accessors read
 * volatile fields written only by the refresher thread.
 */
public final class FlagRefresher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FlagRefresher.class);
    private static final long MIN_BACKOFF_MILLIS = 200;
    private static final long MAX_BACKOFF_MILLIS = 5_000;
    // Bounds each wait so that close() is honoured promptly.
    private static final int MAX_WAIT_MILLIS = 500;

    private final Database database;
    private final FlagStore store;
    private final FlagSnapshots snapshots;
    private final Duration interval;
    private final Clock clock;
    private final FlagChangeListener listener;
    private final Thread thread;

    private volatile boolean running = true;
    private volatile Instant lastSuccess;
    private volatile String lastError;

    /** The listener is this refresher's own (it closes it); App builds both. */
    public FlagRefresher(Database database, FlagStore store, FlagChangeListener listener, FlagSnapshots snapshots,
                         Duration interval, Clock clock) {
        this.database = database;
        this.store = store;
        this.snapshots = snapshots;
        this.interval = interval.isZero() || interval.isNegative() ? Duration.ofSeconds(10) : interval;
        this.clock = clock;
        this.listener = listener;
        this.thread = new Thread(this::run, "flag-refresher");
        this.thread.setDaemon(true);
    }

    /** Tries one load right away (so a healthy start serves real data at once), then keeps refreshing in the background. */
    public void start() {
        try {
            if (database.migrateIfNeeded()) {
                refresh();
            }
        } catch (RuntimeException e) {
            recordFailure(e);
        }
        thread.start();
    }

    /** When the snapshot was last read successfully from PostgreSQL, if ever. */
    public Optional<Instant> lastSuccess() {
        return Optional.ofNullable(lastSuccess);
    }

    /** Why the most recent refresh failed; empty once a refresh succeeds again. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    public Clock clock() {
        return clock;
    }

    /** How often the snapshot is re-read even without notifications. */
    public Duration interval() {
        return interval;
    }

    private void run() {
        long backoff = MIN_BACKOFF_MILLIS;
        long nextReread = 0;
        while (running) {
            try {
                if (!listener.isConnected()) {
                    connectAndReload();
                    backoff = MIN_BACKOFF_MILLIS;
                    nextReread = clock.millis() + interval.toMillis();
                }
                long untilReread = nextReread - clock.millis();
                boolean changed = untilReread > 0 && listener.awaitChange((int) Math.min(untilReread, MAX_WAIT_MILLIS));
                if (changed || clock.millis() >= nextReread) {
                    if (!changed) {
                        listener.checkAlive();
                    }
                    refresh();
                    nextReread = clock.millis() + interval.toMillis();
                }
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                recordFailure(e);
                listener.close();
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
        listener.close();
    }

    private void connectAndReload() throws Exception {
        if (!database.migrateIfNeeded()) {
            throw new IllegalStateException("PostgreSQL is unreachable (migrations pending)");
        }
        listener.connect();
        // Anything committed while we were not listening is picked up by reading right after LISTEN.
        refresh();
    }

    private void refresh() {
        Instant now = clock.instant();
        Optional<FlagSnapshot> loaded = store.loadSnapshot(FlagSnapshot.FLAG_KEY, now);
        if (loaded.isEmpty()) {
            throw new IllegalStateException("The flag " + FlagSnapshot.FLAG_KEY + " is missing from the database");
        }
        snapshots.replace(loaded.get());
        lastSuccess = now;
        if (lastError != null) {
            LOG.info("Flag snapshot refreshed again (version {})", loaded.get().version());
        }
        lastError = null;
    }

    private void recordFailure(Exception e) {
        String message = rootMessage(e);
        if (!message.equals(lastError)) {
            LOG.warn("Flag refresh failed, serving the last snapshot: {}", message);
        }
        lastError = message;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
