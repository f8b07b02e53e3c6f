package dev.cutover.transcription.audio;

import java.time.Duration;

/**
 * How compressed uploads are handed to ffmpeg.
 *
 * @param binary       the ffmpeg executable, a path or a name looked up on PATH
 * @param timeout      longest one decode may run before the process is killed
 * @param maxProcesses most ffmpeg processes running at once
 * @param queueWait    how long a decode waits for a free process slot before answering 503 {@code busy}
 */
public record FfmpegSettings(String binary, Duration timeout, int maxProcesses, Duration queueWait) {
    public FfmpegSettings {
        if (binary == null || binary.isBlank()) {
            throw new IllegalArgumentException("ffmpeg binary must be named");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("ffmpeg timeout must be positive");
        }
        if (maxProcesses < 1) {
            throw new IllegalArgumentException("maxProcesses must be at least 1");
        }
        if (queueWait.isNegative()) {
            throw new IllegalArgumentException("queueWait must not be negative");
        }
    }

    /** "ffmpeg" on PATH, 30 s per decode, one process per core, 2 s wait for a slot. */
    public static FfmpegSettings defaults() {
        return new FfmpegSettings("ffmpeg", Duration.ofSeconds(30), Runtime.getRuntime().availableProcessors(),
                Duration.ofSeconds(2));
    }
}
