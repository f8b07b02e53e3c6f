package dev.cutover.transcription.whisper;

import dev.cutover.http.ApiError;
import dev.cutover.transcription.AudioClip;
import dev.cutover.transcription.Segment;
import dev.cutover.transcription.SpeechEngine;
import dev.cutover.transcription.TranscribeOptions;
import dev.cutover.transcription.Transcript;
import io.github.givimad.whisperjni.WhisperState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * whisper.cpp behind a bounded pool: one model context, WHISPER_WORKERS states, each inference on WHISPER_THREADS
 * threads. A request takes an idle state (waiting at most WHISPER_TIMEOUT) or, when WHISPER_WORKERS + WHISPER_QUEUE
 * requests are already admitted, is refused at once; both refusals are 503 {@code overloaded} with Retry-After.
 * Audio is checked and padded in Java ({@link WhisperInput}) before native code sees it.
 *
 * <p>A missing, unverified-and-corrupt or checksum-mismatched model never stops the service: the pool reports
 * itself not loaded with the reason ({@link #notLoadedReason()}) and {@link #transcribe} answers 503
 * {@code model_not_loaded}.
 *
 * <p>Thread-safe: any number of threads may call {@link #transcribe} and the reporting methods at once; a state is
 * owned by one thread at a time, and contexts/states are created and freed under a process-wide lock.
 */
public final class WhisperPool implements SpeechEngine, AutoCloseable {
    /** How long {@link #close()} waits for running inferences before giving up on freeing native memory. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(WhisperPool.class);
    private static final int MAX_RETRY_AFTER_SECONDS = 60;

    /** Where the pool is in its life. */
    public enum Phase { LOADING, LOADED, FAILED, CLOSED }

    private final WhisperConfig config;
    private final String modelName;
    private final CountDownLatch loadDone = new CountDownLatch(1);
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final ExecutorService inferenceThreads;
    private volatile Phase phase = Phase.LOADING;
    private volatile LoadedModel model;
    private volatile String notLoadedReason = "the model is still loading";
    private volatile ModelLoader.Checksum checksum = ModelLoader.Checksum.UNKNOWN;
    private volatile String systemInfo = "";
    private volatile double averageSeconds = 1.0;

    private WhisperPool(WhisperConfig config) {
        this.config = config;
        String file = config.model().getFileName().toString();
        this.modelName = file.endsWith(".bin") ? file.substring(0, file.length() - 4) : file;
        AtomicInteger threadNumber = new AtomicInteger();
        this.inferenceThreads = Executors.newFixedThreadPool(config.workers(), runnable -> {
            Thread thread = new Thread(runnable, "whisper-inference-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Loads synchronously; the returned pool is loaded or reports why not. */
    public static WhisperPool open(WhisperConfig config) {
        WhisperPool pool = new WhisperPool(config);
        pool.load();
        return pool;
    }

    /**
     * Starts loading on a background thread and waits at most {@code wait} for it, so start-up never hangs on a slow
     * disk or a huge model; until loading finishes the pool answers 503 {@code model_not_loaded}.
     */
    public static WhisperPool start(WhisperConfig config, Duration wait) {
        WhisperPool pool = new WhisperPool(config);
        Thread loader = new Thread(pool::load, "whisper-model-loader");
        loader.setDaemon(true);
        loader.start();
        try {
            if (!pool.loadDone.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Model {} is still loading after {}; serving 503 model_not_loaded until it is ready",
                        config.model(), wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return pool;
    }

    private void load() {
        long started = System.nanoTime();
        try {
            ModelLoader.Loaded loaded = ModelLoader.load(config);
            synchronized (this) {
                checksum = loaded.checksum();
                if (phase == Phase.CLOSED) {
                    loaded.model().free(Duration.ZERO);
                    return;
                }
                systemInfo = loaded.model().jni.getSystemInfo();
                model = loaded.model();
                phase = Phase.LOADED;
                notLoadedReason = "";
            }
            LOG.info("Loaded whisper model {} from {} (SHA-256 {} {}) in {} ms: {} workers x {} threads, audio_ctx {}",
                    modelName, config.model().toAbsolutePath().normalize(), checksum.actual(),
                    checksumState(checksum), (System.nanoTime() - started) / 1_000_000, config.workers(),
                    config.threads(), config.audioCtx().label());
            warnIfOversubscribed(Runtime.getRuntime().availableProcessors());
        } catch (ModelLoader.RefusedException e) {
            refuse(e.getMessage(), e.checksum);
        } catch (RuntimeException | LinkageError e) {
            refuse("loading the model failed unexpectedly: " + e, checksum);
        } finally {
            loadDone.countDown();
        }
    }

    /** What an operator reads in the start-up log: whether the file matched a recorded checksum, and which. */
    static String checksumState(ModelLoader.Checksum checksum) {
        return switch (checksum.status()) {
            case VERIFIED -> "verified against " + checksum.expectedSource();
            case UNVERIFIED -> "unverified: no WHISPER_MODEL_SHA256 and no .sha256 file beside the model";
            case MISMATCH -> "does not match " + checksum.expectedSource();
            case UNREADABLE -> "unknown: the file could not be read";
        };
    }

    /**
     * More OpenMP threads than cores make libgomp throttle its spin-waits process-wide (see {@link #submit}), which
     * costs more than the extra threads gain; WHISPER_WORKERS x WHISPER_THREADS should not exceed the cores.
     */
    boolean warnIfOversubscribed(int cores) {
        int openMpThreads = config.workers() * config.threads();
        if (openMpThreads <= cores) {
            return false;
        }
        LOG.warn("WHISPER_WORKERS x WHISPER_THREADS = {} x {} = {} OpenMP threads on {} cores: libgomp then stops"
                + " spin-waiting at its barriers and every inference slows down (measured +30-60 % on 2 cores);"
                + " keep the product at most {}", config.workers(), config.threads(), openMpThreads, cores, cores);
        return true;
    }

    private synchronized void refuse(String reason, ModelLoader.Checksum verdict) {
        checksum = verdict;
        if (phase != Phase.CLOSED) {
            phase = Phase.FAILED;
            notLoadedReason = reason;
        }
        LOG.error("Whisper model not loaded: {}", reason);
    }

    @Override
    public Transcript transcribe(AudioClip clip, TranscribeOptions options) {
        LoadedModel loaded = requireLoaded();
        WhisperInput input = WhisperInput.prepare(clip, options, loaded, config, modelName);
        if (admitted.incrementAndGet() > config.workers() + config.queue()) {
            admitted.decrementAndGet();
            throw overloaded("all " + config.workers() + " whisper workers are busy and " + config.queue()
                    + " requests are already waiting; retry later");
        }
        try {
            WhisperState state = acquire(loaded);
            return await(submit(loaded, state, input));
        } finally {
            admitted.decrementAndGet();
        }
    }

    /**
     * Runs the inference on one of the pool's own long-lived threads rather than the caller's: libgomp (whisper.cpp's
     * OpenMP runtime) keeps a thread team per calling thread, and once the process holds more OpenMP threads than
     * cores it throttles every barrier's spin-wait to ~1,000 spins for the whole process, so each of the thousands of
     * barriers in an inference sleeps and wakes through the kernel. Measured on 2 cores, 3 s clip: one calling thread
     * ~105 ms, a second thread that has also called whisper_full 140-175 ms. The state goes back to the pool when the
     * inference ends.
     */
    private Future<Transcript> submit(LoadedModel loaded, WhisperState state, WhisperInput input) {
        try {
            return inferenceThreads.submit(() -> {
                long started = System.nanoTime();
                try {
                    return run(loaded, state, input);
                } finally {
                    loaded.release(state);
                    recordDuration((System.nanoTime() - started) / 1e9);
                }
            });
        } catch (RejectedExecutionException e) {
            loaded.release(state);
            throw ApiError.unavailable("model_not_loaded", "The speech engine is shutting down");
        }
    }

    private Transcript await(Future<Transcript> result) {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw overloaded("interrupted while waiting for the transcription");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private LoadedModel requireLoaded() {
        LoadedModel loaded = model;
        if (phase != Phase.LOADED || loaded == null) {
            throw ApiError.unavailable("model_not_loaded", "The speech model is not loaded: " + withoutPaths(notLoadedReason));
        }
        return loaded;
    }

    private WhisperState acquire(LoadedModel loaded) {
        waiting.incrementAndGet();
        WhisperState state;
        try {
            state = loaded.poll(config.timeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw overloaded("interrupted while waiting for a whisper worker");
        } finally {
            waiting.decrementAndGet();
        }
        if (state == null) {
            throw overloaded("no whisper worker became free within " + config.timeout().toSeconds()
                    + " s (WHISPER_TIMEOUT); retry later");
        }
        if (phase != Phase.LOADED) {
            loaded.release(state);
            throw ApiError.unavailable("model_not_loaded", "The speech engine is shutting down");
        }
        return state;
    }

    private Transcript run(LoadedModel loaded, WhisperState state, WhisperInput input) {
        WhisperNative.INFERENCE.lock();
        try {
            return infer(loaded, state, input);
        } finally {
            WhisperNative.INFERENCE.unlock();
        }
    }

    private Transcript infer(LoadedModel loaded, WhisperState state, WhisperInput input) {
        float[] samples = input.samples();
        int rc = loaded.jni.fullWithState(loaded.context(), state, input.params(), samples, samples.length);
        if (rc != 0) {
            throw new ApiError(500, "transcription_failed", "whisper.cpp failed with code " + rc);
        }
        int count = loaded.jni.fullNSegmentsFromState(state);
        double duration = input.durationSec();
        List<Segment> segments = new ArrayList<>(count);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            double start = clamp(loaded.jni.fullGetSegmentTimestamp0FromState(state, i) / 100.0, duration);
            double end = clamp(loaded.jni.fullGetSegmentTimestamp1FromState(state, i) / 100.0, duration);
            String segmentText = loaded.jni.fullGetSegmentTextFromState(state, i);
            if (start >= duration && duration > 0) {
                continue; // lies entirely in the silence we padded a short clip with
            }
            text.append(segmentText);
            segments.add(new Segment(start, Math.max(start, end), segmentText.strip()));
        }
        return new Transcript(text.toString().strip(), segments, input.language(), duration);
    }

    private static double clamp(double seconds, double duration) {
        return Math.min(Math.max(0, seconds), duration);
    }

    private synchronized void recordDuration(double seconds) {
        averageSeconds = 0.8 * averageSeconds + 0.2 * seconds;
    }

    private ApiError overloaded(String message) {
        double perWorker = averageSeconds * (waiting.get() + 1) / config.workers();
        long retryAfter = Math.max(1, Math.min(MAX_RETRY_AFTER_SECONDS, (long) Math.ceil(perWorker)));
        return ApiError.unavailable("overloaded", message, retryAfter);
    }

    @Override
    public String modelName() {
        return modelName;
    }

    @Override
    public boolean isLoaded() {
        return phase == Phase.LOADED;
    }

    public Phase phase() {
        return phase;
    }

    /** Why the pool cannot transcribe, with what to do, for operators (with file paths); empty when loaded. */
    public Optional<String> notLoadedReason() {
        return isLoaded() ? Optional.empty() : Optional.of(notLoadedReason);
    }

    /** The same reason as anyone may read it (clients, public /health): the model named by its file name only. */
    public Optional<String> publicNotLoadedReason() {
        return notLoadedReason().map(this::withoutPaths);
    }

    private String withoutPaths(String reason) {
        Path model = config.model();
        String name = model.getFileName() == null ? "the model file" : model.getFileName().toString();
        return reason.replace(model.toAbsolutePath().toString(), name).replace(model.toString(), name);
    }

    public Path modelPath() {
        return config.model();
    }

    /** {@code verified}, {@code unverified} (no recorded checksum), {@code mismatch} or {@code unreadable}. */
    public String checksumStatus() {
        return checksum.status().label();
    }

    /** The model file's SHA-256 when it was read, else empty. */
    public Optional<String> sha256() {
        return checksum.actual().isEmpty() ? Optional.empty() : Optional.of(checksum.actual());
    }

    /** whisper.cpp's CPU feature line (AVX, AVX2, ...), known once the native library is loaded. */
    public String systemInfo() {
        return systemInfo;
    }

    public int workers() {
        return config.workers();
    }

    public int threads() {
        return config.threads();
    }

    public int queueCapacity() {
        return config.queue();
    }

    public AudioCtxMode audioCtxMode() {
        return config.audioCtx();
    }

    /** Workers running an inference right now. */
    public int busyWorkers() {
        LoadedModel loaded = model;
        return loaded == null ? 0 : loaded.workers() - loaded.idleWorkers();
    }

    /** Requests waiting for a worker right now. */
    public int queueDepth() {
        return waiting.get();
    }

    /** Frees the states and the context once running inferences finish (waiting at most 30 s). */
    @Override
    public void close() {
        LoadedModel loaded;
        synchronized (this) {
            if (phase == Phase.CLOSED) {
                return;
            }
            phase = Phase.CLOSED;
            notLoadedReason = "the speech engine is shut down";
            loaded = model;
            model = null;
        }
        if (loaded != null) {
            loaded.free(CLOSE_GRACE);
        }
        inferenceThreads.shutdown();
    }
}
