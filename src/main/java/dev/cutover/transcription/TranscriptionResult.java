package dev.cutover.transcription;

/**
 * A finished transcription, ready to be rendered in any format.
 *
 * @param processingMs server time from receiving the parsed upload to the answer (decode, cache, engine)
 * @param rtf          {@link dev.cutover.signals.RealTimeFactor} (0 when the engine did not run: cache hit, empty audio)
 */
record TranscriptionResult(
        Transcript transcript, boolean cached, long processingMs, double rtf, String model, TranscribeOptions options) {
}
