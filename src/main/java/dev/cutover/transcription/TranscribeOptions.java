package dev.cutover.transcription;

import java.util.Optional;

/** Caller choices that change the transcript, and so are part of the cache key. */
public record TranscribeOptions(Optional<String> language, Optional<String> prompt, float temperature) {
    public static final TranscribeOptions DEFAULTS = new TranscribeOptions(Optional.empty(), Optional.empty(), 0f);
}
