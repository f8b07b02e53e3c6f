package dev.cutover.transcription;

/**
 * A finished transcription, ready to be rendered in any format.
 *
 * @param processingMs server time from receiving the parsed upload to the answer (decode, cache, engine)
 * @param rtf          processing time over audio time (0 for empty audio)
 */
record TranscriptionResult(
        Transcript transcript, boolean cached, long processingMs, double rtf, String model, TranscribeOptions options) {
}
