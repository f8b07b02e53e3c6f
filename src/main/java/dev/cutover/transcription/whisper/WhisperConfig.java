package dev.cutover.transcription.whisper;

import dev.cutover.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything the whisper pool needs from the settings: model path and recorded checksum, WHISPER_WORKERS states
 * (at most 8) with WHISPER_THREADS threads each, WHISPER_QUEUE waiting requests, WHISPER_TIMEOUT to wait for a state,
 * WHISPER_AUDIO_CTX, and where to keep the native libraries ({@code DATA_DIR/native}).
 */
public record WhisperConfig(
        Path model,
        Optional<String> sha256,
        int workers,
        int threads,
        int queue,
        Duration timeout,
        AudioCtxMode audioCtx,
        Path nativeDir) {

    public WhisperConfig {
        if (workers < 1 || workers > WhisperNative.MAX_STATES) {
            throw new IllegalArgumentException("WHISPER_WORKERS must be 1.." + WhisperNative.MAX_STATES);
        }
        if (threads < 1 || queue < 0 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("WHISPER_THREADS >= 1, WHISPER_QUEUE >= 0, WHISPER_TIMEOUT > 0");
        }
    }

    /** @throws IllegalArgumentException when WHISPER_AUDIO_CTX is neither auto nor full */
    public static WhisperConfig from(Settings settings) {
        return new WhisperConfig(settings.whisperModel(), settings.whisperModelSha256(), settings.whisperWorkers(),
                settings.whisperThreads(), settings.whisperQueue(), settings.whisperTimeout(),
                AudioCtxMode.parse(settings.whisperAudioCtx()), settings.dataDir().resolve("native"));
    }

    public WhisperConfig withModel(Path newModel, Optional<String> newSha256) {
        return new WhisperConfig(newModel, newSha256, workers, threads, queue, timeout, audioCtx, nativeDir);
    }
}
