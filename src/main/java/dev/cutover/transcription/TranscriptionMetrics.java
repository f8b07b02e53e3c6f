package dev.cutover.transcription;

import dev.cutover.signals.OutcomeKind;
import dev.cutover.signals.OutcomeRecorder;
import dev.cutover.signals.TranscriptionOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The transcription meters. Names are constants and tags are low-cardinality (route template, outcome, cache result).
 * Thread-safe: Micrometer meters are.
 */
public final class TranscriptionMetrics implements OutcomeRecorder {
    public static final String REQUESTS = "cutover.transcription.requests";
    public static final String LATENCY = "cutover.transcription.latency";
    public static final String CACHE_LOOKUPS = "cutover.transcription.cache.lookups";
    public static final String RTF = "cutover.transcription.rtf";
    public static final String INFERENCE = "cutover.transcription.inference";
    public static final String AUDIO_SECONDS = "cutover.transcription.audio.seconds";
    public static final String REDIS_UP = "cutover.redis.up";
    public static final String DATABASE_UP = "cutover.database.up";

    private final MeterRegistry registry;
    private final Counter cacheHits;
    private final Counter cacheMisses;
    private final DistributionSummary rtf;
    private final Timer inference;

    public TranscriptionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.cacheHits = Counter.builder(CACHE_LOOKUPS).tag("result", "hit")
                .description("Transcript cache lookups").register(registry);
        this.cacheMisses = Counter.builder(CACHE_LOOKUPS).tag("result", "miss")
                .description("Transcript cache lookups").register(registry);
        this.rtf = DistributionSummary.builder(RTF)
                .description("Engine time over audio time, for transcripts the engine computed")
                .serviceLevelObjectives(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 4)
                .register(registry);
        this.inference = Timer.builder(INFERENCE).description("Time inside the speech engine (queue wait included)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
    }

    @Override
    public void record(TranscriptionOutcome outcome) {
        String outcomeTag = outcome.kind().tag();
        Counter.builder(REQUESTS).description("Transcription requests by route and outcome")
                .tag("route", outcome.route()).tag("outcome", outcomeTag)
                .register(registry).increment();
        Timer.builder(LATENCY).description("Server time per transcription request")
                .tag("route", outcome.route()).tag("outcome", outcomeTag)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry).record(outcome.latency());
        if (outcome.audioSeconds() > 0 && outcome.kind() == OutcomeKind.OK) {
            DistributionSummary.builder(AUDIO_SECONDS).description("Seconds of audio transcribed")
                    .baseUnit("seconds").register(registry).record(outcome.audioSeconds());
        }
        outcome.realTimeFactor().ifPresent(rtf::record);
        if (!outcome.inference().isZero()) {
            inference.record(outcome.inference());
        }
    }

    void cacheLookup(boolean hit) {
        (hit ? cacheHits : cacheMisses).increment();
    }

    long cacheHits() {
        return (long) cacheHits.count();
    }

    long cacheMisses() {
        return (long) cacheMisses.count();
    }

    /** 1 while the Redis cache answers, else 0. */
    public void redisUp(BooleanSupplier up) {
        gauge(REDIS_UP, "Whether Redis answers for the transcript cache", () -> up.getAsBoolean() ? 1 : 0);
    }

    /** 1 while PostgreSQL answers, else 0. */
    public void databaseUp(BooleanSupplier up) {
        gauge(DATABASE_UP, "Whether PostgreSQL answers", () -> up.getAsBoolean() ? 1 : 0);
    }

    private void gauge(String name, String description, IntSupplier value) {
        Gauge.builder(name, value, IntSupplier::getAsInt).description(description).strongReference(true)
                .register(registry);
    }
}
