package dev.cutover.transcription;

import java.util.List;

/** What the engine heard, independent of any response format; this is what the cache stores. */
public record Transcript(String text, List<Segment> segments, String language, double durationSec) {
    public Transcript {
        segments = List.copyOf(segments);
    }
}
