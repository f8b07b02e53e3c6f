package dev.cutover.rollout;

import dev.cutover.db.DatabaseUrl;
import dev.cutover.http.HealthIndicator;
import dev.cutover.http.HealthStatus;
import dev.cutover.signals.FleetSignals;
import dev.cutover.signals.SignalStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guard: every GUARD_INTERVAL by the injected clock, on the one instance holding the guard's advisory lock, a
 * {@link GuardRun} judges the current phase's alert rules on the fleet's signals and acts through the rollout's
 * state machine. Every instance runs this thread; the others try the lock at each of their runs, so when the guard's
 * instance dies another guards within one interval. Signals that cannot be read (PostgreSQL down) are NO_DATA:
 * the run is skipped, nothing acts, and {@code /health} (part {@code guard}) says so with its verdict. Evaluations older than 7 days
 * are pruned hourly.
 *
 * <p>Thread-safe: one thread of its own runs everything; the health report reads volatile fields.
 */
public final class Guard implements AutoCloseable, HealthIndicator {
    private static final Logger LOG = LoggerFactory.getLogger(Guard.class);
    private static final long TICK_MILLIS = 100;
    static final Duration KEEP_EVALUATIONS = Duration.ofDays(7);
    private static final Duration PRUNE_EVERY = Duration.ofHours(1);
    /** The time of each guard run on this instance, in /metrics. */
    public static final String RUN_METRIC = "cutover.guard.run";

    private final GuardLock lock;
    private final GuardRun run;
    private final GuardStore store;
    private final Clock clock;
    private final Duration interval;
    private final Thread thread;
    private final Timer runTime;
    private volatile boolean running = true;
    private volatile boolean guarding;
    private volatile GuardRun.Result last;
    private volatile String problem;
    private volatile Instant problemSince;
    private Instant nextRun = Instant.MIN;
    private Instant nextPrune = Instant.MIN;

    Guard(GuardLock lock, GuardRun run, GuardStore store, Clock clock, Duration interval, Timer runTime) {
        this.runTime = runTime;
        this.lock = lock;
        this.run = run;
        this.store = store;
        this.clock = clock;
        this.interval = interval;
        this.thread = new Thread(this::loop, "rollout-guard");
        this.thread.setDaemon(true);
    }

    /** Wires and starts the guard of this instance (every instance runs one; the lock picks who guards). */
    public static Guard start(RolloutService rollout, SignalStore signals, FleetSignals fleet, DatabaseUrl url,
                              String instanceId, Clock clock, Duration interval, MeterRegistry metrics) {
        GuardStore store = rollout.guardStore();
        GuardLock lock = new GuardLock(url);
        Guard guard = new Guard(lock, new GuardRun(rollout, store, signals, fleet, instanceId, lock::stillHeld), store,
                clock, interval, Timer.builder(RUN_METRIC).description("Time of one guard run (judge, act, record)")
                        .publishPercentiles(0.5, 0.99).register(metrics));
        guard.thread.start();
        return guard;
    }

    private void loop() {
        while (running) {
            try {
                tick();
                TimeUnit.MILLISECONDS.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // The guard must outlive anything one run meets; the next run starts from the persisted state.
                LOG.error("Guard run failed; the next one starts from the persisted state", e);
            }
        }
    }

    private void tick() {
        Instant now = clock.instant();
        if (now.isBefore(nextRun)) {
            return;
        }
        nextRun = now.plus(interval);
        GuardLock.Holder holder = lock.holdOrAcquire();
        guarding = holder == GuardLock.Holder.THIS_INSTANCE;
        if (holder == GuardLock.Holder.UNREACHABLE) {
            noData(now, "PostgreSQL cannot be reached");
            return;
        }
        if (!guarding) {
            problem = null;
            return;
        }
        try {
            long started = System.nanoTime();
            last = run.run(now);
            runTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            if (problem != null) {
                LOG.info("Guard: signals readable again after {}", Duration.between(problemSince, now));
            }
            problem = null;
            if (!now.isBefore(nextPrune)) {
                nextPrune = now.plus(PRUNE_EVERY);
                store.pruneEvaluations(now.minus(KEEP_EVALUATIONS));
            }
        } catch (RuntimeException e) {
            noData(now, e.getMessage());
        }
    }

    private void noData(Instant now, String why) {
        if (problem == null) {
            problemSince = now;
            LOG.warn("Guard: signals cannot be read; every rule is NO_DATA and nothing acts until they can: {}", why);
        }
        problem = "signals cannot be read (" + why + "): every rule is NO_DATA, nothing acts";
    }

    @Override
    public String name() {
        return "guard";
    }

    @Override
    public Report report() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("guarding", guarding);
        details.put("intervalSeconds", interval.toSeconds());
        GuardRun.Result result = last;
        if (result != null) {
            details.put("lastRunAt", result.at());
            details.put("lastOutcome", result.outcome());
        }
        if (problem != null) {
            details.put("verdict", Verdict.NO_DATA);
            details.put("problem", problem);
            details.put("since", problemSince);
        }
        // UP even while the signals cannot be read: the database's own part reports the outage, and the guard
        // doing nothing on NO_DATA is the guard working as intended.
        return new Report(HealthStatus.UP, details);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.close();
    }
}
