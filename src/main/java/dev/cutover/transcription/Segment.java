package dev.cutover.transcription;

/** One timed piece of a transcript; times in seconds from the start of the audio. */
public record Segment(double start, double end, String text) {
}
