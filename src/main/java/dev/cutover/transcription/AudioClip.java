package dev.cutover.transcription;

/**
 * Decoded audio as whisper.cpp wants it: 16 kHz mono float samples in [-1, 1], every one finite.
 * The array is never modified after construction.
 */
public record AudioClip(float[] samples) {
    public static final int SAMPLE_RATE = 16_000;

    public double durationSec() {
        return samples.length / (double) SAMPLE_RATE;
    }
}
