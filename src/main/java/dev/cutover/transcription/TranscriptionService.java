package dev.cutover.transcription;

import dev.cutover.http.ApiError;
import dev.cutover.signals.OutcomeKind;
import dev.cutover.signals.OutcomeRecorder;
import dev.cutover.signals.TranscriptionOutcome;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every transcription takes: parse, decode, key, cache, engine, record, log.
 *
 * <p>Thread-safe: it holds no request state; its collaborators are thread-safe.
 */
public final class TranscriptionService {
    private static final Logger LOG = LoggerFactory.getLogger(TranscriptionService.class);

    private final AudioDecoder decoder;
    private final SpeechEngine engine;
    private final TranscriptCache cache;
    private final TranscriptionMetrics metrics;
    private final OutcomeRecorder recorder;
    private final Clock clock;

    public TranscriptionService(AudioDecoder decoder, SpeechEngine engine, TranscriptCache cache,
                                TranscriptionMetrics metrics, OutcomeRecorder recorder, Clock clock) {
        this.decoder = decoder;
        this.engine = engine;
        this.cache = cache;
        this.metrics = metrics;
        this.recorder = recorder;
        this.clock = clock;
    }

    /**
     * Runs one request. {@code parse} reads the upload (and may reject it); it runs inside this method so that
     * rejected uploads are timed, counted and logged like every other outcome.
     *
     * @throws ApiError for every expected failure, already recorded and logged
     */
    TranscriptionResult transcribe(String route, Supplier<TranscriptionRequest> parse) {
        long started = System.nanoTime();
        double audioSeconds = 0;
        Duration inference = Duration.ZERO;
        try {
            TranscriptionRequest request = parse.get();
            LOG.info("[Transcribe] Received audio: {} bytes", request.audio().length);
            long processingStarted = System.nanoTime();
            AudioClip clip = decoder.decode(request.audio());
            audioSeconds = clip.durationSec();
            String model = engine.modelName();
            CacheKey key = CacheKey.of(clip, model, request.options());
            Optional<Transcript> cached = cache.find(key);
            metrics.cacheLookup(cached.isPresent());
            Transcript transcript;
            if (cached.isPresent()) {
                transcript = cached.get();
            } else {
                long engineStarted = System.nanoTime();
                transcript = engine.transcribe(clip, request.options());
                inference = Duration.ofNanos(System.nanoTime() - engineStarted);
                cache.store(key, transcript);
            }
            long processingMs = Duration.ofNanos(System.nanoTime() - processingStarted).toMillis();
            double rtf = audioSeconds > 0 ? processingMs / (audioSeconds * 1000) : 0;
            TranscriptionResult result = new TranscriptionResult(
                    transcript, cached.isPresent(), processingMs, rtf, model, request.options());
            LOG.info("[Transcribe] Success: {} chars, {} ms, cached={}, rtf={}", transcript.text().length(),
                    processingMs, cached.isPresent(), String.format(Locale.ROOT, "%.3f", rtf));
            record(route, OutcomeKind.OK, Optional.empty(), started, cached.isPresent(), audioSeconds, inference);
            return result;
        } catch (ApiError e) {
            LOG.info("[Transcribe] Failure: {} {}", e.code(), e.getMessage());
            record(route, kindOf(e), Optional.of(e.code()), started, false, audioSeconds, inference);
            throw e;
        } catch (RuntimeException e) {
            LOG.error("[Transcribe] Failure: internal_error {}", e.toString(), e);
            record(route, OutcomeKind.ERROR, Optional.of("internal_error"), started, false, audioSeconds, inference);
            throw e;
        }
    }

    /** Name of the model every transcript comes from. */
    String modelName() {
        return engine.modelName();
    }

    private void record(String route, OutcomeKind kind, Optional<String> errorCode, long startedNanos,
                        boolean cacheHit, double audioSeconds, Duration inference) {
        Duration latency = Duration.ofNanos(System.nanoTime() - startedNanos);
        recorder.record(new TranscriptionOutcome(
                clock.instant(), route, kind, errorCode, latency, cacheHit, audioSeconds, inference));
    }

    static OutcomeKind kindOf(ApiError error) {
        if (error.status() == 503 && "model_not_loaded".equals(error.code())) {
            return OutcomeKind.MODEL_NOT_LOADED;
        }
        if (error.status() == 503 || error.status() == 429) {
            return OutcomeKind.BUSY;
        }
        return error.status() < 500 ? OutcomeKind.CLIENT_ERROR : OutcomeKind.ERROR;
    }
}
