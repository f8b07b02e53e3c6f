package dev.cutover.transcription;

/** What a route parsed from an upload: the raw bytes of the audio part and the caller's options. */
record TranscriptionRequest(byte[] audio, TranscribeOptions options) {
}
