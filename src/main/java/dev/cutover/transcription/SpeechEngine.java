package dev.cutover.transcription;

/**
 * A speech-to-text engine with bounded concurrency. Implementations are thread-safe.
 * Throws {@link dev.cutover.http.ApiError} 503 {@code model_not_loaded} when no model is loaded, and 503 with
 * Retry-After when every worker is busy and the wait queue is full or the request times out.
 */
public interface SpeechEngine {
    Transcript transcribe(AudioClip clip, TranscribeOptions options);

    /** Name of the loaded model (file name without extension), part of every cache key. */
    String modelName();

    boolean isLoaded();
}
