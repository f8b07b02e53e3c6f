package dev.cutover.transcription;

import dev.cutover.http.ApiError;
import dev.cutover.signals.OutcomeKind;
import dev.cutover.signals.OutcomeRecorder;
import dev.cutover.signals.SignalKey;
import dev.cutover.signals.TranscriptionOutcome;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every transcription takes: parse, decode, key, cache, engine, record, log. An upload whose exact
 * bytes were decoded before skips decoding when its transcript is cached ({@link DecodedUploads}).
 *
 * <p>Thread-safe: it holds no request state; its collaborators are thread-safe.
 */
public final class TranscriptionService {
    private static final Logger LOG = LoggerFactory.getLogger(TranscriptionService.class);
    private static final long DECODED_UPLOADS_REMEMBERED = 10_000;

    private final AudioDecoder decoder;
    private final SpeechEngine engine;
    private final TranscriptCache cache;
    private final DecodedUploads decodedUploads = new DecodedUploads(DECODED_UPLOADS_REMEMBERED);
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
    TranscriptionResult transcribe(String route, Caller caller, Supplier<TranscriptionRequest> parse) {
        long started = System.nanoTime();
        Caller asked = caller;
        try {
            TranscriptionRequest request = parse.get();
            asked = caller.withLanguage(request.options().language());
            LOG.info("[Transcribe] Received audio: {} bytes", request.audio().length);
            long processingStarted = System.nanoTime();
            String model = engine.modelName();
            Answer answer = answer(request, model);
            long processingMs = Duration.ofNanos(System.nanoTime() - processingStarted).toMillis();
            TranscriptionOutcome outcome = record(route, asked, OutcomeKind.OK, Optional.empty(), started,
                    answer.cached(), answer.audioSeconds(), answer.inference(), answer.transcript().text().isBlank());
            double rtf = outcome.realTimeFactor().orElse(0.0);
            LOG.info("[Transcribe] Success: {} chars, {} ms, cached={}, rtf={}", answer.transcript().text().length(),
                    processingMs, answer.cached(), String.format(Locale.ROOT, "%.3f", rtf));
            return new TranscriptionResult(answer.transcript(), answer.cached(), processingMs, rtf, model,
                    request.options());
        } catch (ApiError e) {
            LOG.info("[Transcribe] Failure: {} {}", e.code(), e.getMessage());
            record(route, asked, kindOf(e), Optional.of(e.code()), started, false, 0, Duration.ZERO, false);
            throw e;
        } catch (RuntimeException e) {
            LOG.error("[Transcribe] Failure: internal_error {}", e.toString(), e);
            record(route, asked, OutcomeKind.ERROR, Optional.of("internal_error"), started, false, 0, Duration.ZERO, false);
            throw e;
        }
    }

    /** Cache first (without decoding when these exact bytes were decoded before), else decode and run the engine. */
    private Answer answer(TranscriptionRequest request, String model) {
        String uploadDigest = DecodedUploads.digestOf(request.audio());
        Optional<DecodedUploads.Decoded> seenBefore = decodedUploads.find(uploadDigest);
        if (seenBefore.isPresent()) {
            CacheKey key = CacheKey.of(seenBefore.get().audioDigest(), model, request.options());
            Optional<Transcript> cached = lookUp(key);
            if (cached.isPresent()) {
                return new Answer(cached.get(), true, seenBefore.get().durationSec(), Duration.ZERO);
            }
            return runEngine(decoder.decode(request.audio()), key, request.options());
        }
        AudioClip clip = decoder.decode(request.audio());
        byte[] audioDigest = CacheKey.audioDigest(clip);
        decodedUploads.remember(uploadDigest, new DecodedUploads.Decoded(audioDigest, clip.durationSec()));
        CacheKey key = CacheKey.of(audioDigest, model, request.options());
        Optional<Transcript> cached = lookUp(key);
        if (cached.isPresent()) {
            return new Answer(cached.get(), true, clip.durationSec(), Duration.ZERO);
        }
        return runEngine(clip, key, request.options());
    }

    private Optional<Transcript> lookUp(CacheKey key) {
        Optional<Transcript> cached = cache.find(key);
        metrics.cacheLookup(cached.isPresent());
        return cached;
    }

    private Answer runEngine(AudioClip clip, CacheKey key, TranscribeOptions options) {
        long engineStarted = System.nanoTime();
        Transcript transcript = engine.transcribe(clip, options);
        Duration inference = Duration.ofNanos(System.nanoTime() - engineStarted);
        cache.store(key, transcript);
        return new Answer(transcript, false, clip.durationSec(), inference);
    }

    private record Answer(Transcript transcript, boolean cached, double audioSeconds, Duration inference) {
    }

    /** Name of the model every transcript comes from. */
    String modelName() {
        return engine.modelName();
    }

    private TranscriptionOutcome record(String route, Caller caller, OutcomeKind kind, Optional<String> errorCode,
                                        long startedNanos, boolean cacheHit, double audioSeconds, Duration inference,
                                        boolean emptyText) {
        Duration latency = Duration.ofNanos(System.nanoTime() - startedNanos);
        TranscriptionOutcome outcome = new TranscriptionOutcome(clock.instant(), route, kind, errorCode, latency,
                cacheHit, audioSeconds, inference, emptyText, SignalKey.browserFamily(caller.userAgent()),
                SignalKey.primaryLanguage(caller.language()));
        recorder.record(outcome);
        return outcome;
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
