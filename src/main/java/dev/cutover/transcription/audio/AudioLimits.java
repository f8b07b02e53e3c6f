package dev.cutover.transcription.audio;

import dev.cutover.config.Settings;

/**
 * Size limits applied to every upload before and after decoding.
 *
 * @param maxUploadBytes largest accepted upload in bytes (413 {@code audio_too_large} above)
 * @param maxSeconds     longest accepted decoded audio in seconds (413 {@code audio_too_long} above)
 */
public record AudioLimits(long maxUploadBytes, int maxSeconds) {
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 25L * 1024 * 1024;

    public AudioLimits {
        if (maxUploadBytes < 1 || maxUploadBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxUploadBytes must be between 1 and ~2 GiB, was " + maxUploadBytes);
        }
        if (maxSeconds < 1 || maxSeconds > 24 * 3600) {
            throw new IllegalArgumentException("maxSeconds must be between 1 and 86400, was " + maxSeconds);
        }
    }

    /** 25 MiB uploads and MAX_AUDIO_SECONDS of audio. */
    public static AudioLimits from(Settings settings) {
        return new AudioLimits(DEFAULT_MAX_UPLOAD_BYTES, settings.maxAudioSeconds());
    }

    long maxSamplesAt(int sampleRate) {
        return (long) maxSeconds * sampleRate;
    }
}
