package dev.cutover.transcription.audio;

/** Decoded mono samples at their original rate, before resampling. */
record PcmAudio(float[] samples, int sampleRate) {
}
