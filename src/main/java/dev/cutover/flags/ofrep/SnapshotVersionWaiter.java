package dev.cutover.flags.ofrep;

import dev.cutover.flags.FlagSnapshot;
import dev.cutover.flags.FlagSnapshots;
import java.time.Duration;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets a request wait, without holding a thread, until this instance has loaded at least a given flag version: an
 * OFREP client re-fetching because another instance's event stream announced version N may reach an instance that has
 * not yet heard of N. Waits are bounded in time and in number, and waiting requests resume on the given executor
 * (App's, which it closes), never on the thread that installs snapshots. Thread-safe.
 */
public final class SnapshotVersionWaiter {
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(2);
    public static final int DEFAULT_MAX_WAITING = 10_000;

    private record Waiting(long version, CompletableFuture<Void> ready) {
    }

    private final FlagSnapshots snapshots;
    private final Duration limit;
    private final int maxWaiting;
    private final Queue<Waiting> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final Executor resumers;

    public SnapshotVersionWaiter(FlagSnapshots snapshots, Duration limit, int maxWaiting, Executor resumers) {
        this.snapshots = snapshots;
        this.limit = limit;
        this.maxWaiting = maxWaiting;
        this.resumers = resumers;
        snapshots.onChange(snapshot -> release(snapshot.version()));
    }

    /** The small pool waiting requests resume on; its owner closes it. */
    public static ExecutorService resumerPool() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "ofrep-freshness");
            thread.setDaemon(true);
            return thread;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Completes once version {@code wanted} (or later) is loaded, or after the time limit, whichever comes first. */
    public Optional<CompletableFuture<Void>> awaitVersion(long wanted) {
        if (currentVersion() >= wanted) {
            return Optional.empty();
        }
        if (count.incrementAndGet() > maxWaiting) {
            count.decrementAndGet();
            return Optional.empty();
        }
        Waiting entry = new Waiting(wanted, new CompletableFuture<Void>().completeOnTimeout(null, limit.toMillis(), TimeUnit.MILLISECONDS));
        waiting.add(entry);
        entry.ready().whenComplete((ignored, error) -> {
            waiting.remove(entry);
            count.decrementAndGet();
        });
        if (currentVersion() >= wanted) { // loaded between the first check and registering
            entry.ready().complete(null);
        }
        return Optional.of(entry.ready().thenRunAsync(() -> { }, resumers));
    }

    /** How many requests are waiting for a version now. */
    int waiting() {
        return count.get();
    }

    private void release(long loaded) {
        for (Waiting entry : waiting) {
            if (entry.version() <= loaded) {
                entry.ready().complete(null);
            }
        }
    }

    private long currentVersion() {
        return snapshots.current().map(FlagSnapshot::version).orElse(0L);
    }
}
