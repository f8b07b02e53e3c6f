package dev.cutover.transcription;

/** WebVTT: the {@code WEBVTT} header, then {@code 00:00:01.500 --> 00:00:03.000} cues. */
final class VttRenderer {
    private VttRenderer() {
    }

    static String render(Transcript transcript) {
        StringBuilder out = new StringBuilder("WEBVTT\n\n");
        for (Segment segment : transcript.segments()) {
            out.append(SubtitleTime.format(segment.start(), '.')).append(" --> ")
                    .append(SubtitleTime.format(segment.end(), '.')).append('\n')
                    .append(segment.text().strip()).append("\n\n");
        }
        return out.toString();
    }
}
