package dev.cutover.signals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentDoubleHistogram;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * This instance's transcription totals since it started, for {@code GET /stats} (the fleet-wide numbers the rollout
 * decides on are the signal windows): counts, latency and real-time-factor histograms (HdrHistogram). Thread-safe: counters are {@link LongAdder}s and the histograms are HdrHistogram's concurrent
 * variants, so {@link #record} never blocks; a {@link #summary()} taken during writes may be off by the requests in
 * flight.
 */
public final class InstanceTotals implements OutcomeRecorder {
    private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(30);

    private final Clock clock;
    private final Instant startedAt;
    private final LongAdder total = new LongAdder();
    private final LongAdder successful = new LongAdder();
    private final LongAdder clientErrors = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final ConcurrentHistogram latencyMicros = new ConcurrentHistogram(MAX_LATENCY_MICROS, 3);
    private final ConcurrentDoubleHistogram realTimeFactor = new ConcurrentDoubleHistogram(3);

    public InstanceTotals(Clock clock) {
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    @Override
    public void record(TranscriptionOutcome outcome) {
        total.increment();
        if (outcome.kind() == OutcomeKind.OK) {
            successful.increment();
        } else if (outcome.kind().isServiceFailure()) {
            failed.increment();
        } else {
            clientErrors.increment();
        }
        long micros = Math.min(MAX_LATENCY_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(outcome.latency().toNanos())));
        latencyMicros.recordValue(micros);
        outcome.realTimeFactor().filter(rtf -> rtf > 0 && Double.isFinite(rtf)).ifPresent(realTimeFactor::recordValue);
    }

    /** A consistent-enough view of everything recorded so far. */
    public Summary summary() {
        boolean anyLatency = latencyMicros.getTotalCount() > 0;
        boolean anyRtf = realTimeFactor.getTotalCount() > 0;
        return new Summary(
                total.sum(), successful.sum(), clientErrors.sum(), failed.sum(),
                anyLatency ? latencyMicros.getValueAtPercentile(50) / 1000.0 : 0,
                anyLatency ? latencyMicros.getValueAtPercentile(95) / 1000.0 : 0,
                anyLatency ? latencyMicros.getValueAtPercentile(99) / 1000.0 : 0,
                anyRtf ? realTimeFactor.getMean() : 0,
                anyRtf ? realTimeFactor.getValueAtPercentile(95) : 0,
                Duration.between(startedAt, clock.instant()));
    }

    /**
     * Totals since start: {@code failed} counts the service's failures ({@link OutcomeKind#isServiceFailure}),
     * {@code clientErrors} the requests that were the caller's fault, which are not failures; latencies in
     * milliseconds; zeros when nothing has been recorded.
     */
    public record Summary(
            long total,
            long successful,
            long clientErrors,
            long failed,
            double latencyP50Ms,
            double latencyP95Ms,
            double latencyP99Ms,
            double rtfAverage,
            double rtfP95,
            Duration uptime) {
    }
}
