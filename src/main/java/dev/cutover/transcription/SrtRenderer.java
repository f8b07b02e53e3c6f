package dev.cutover.transcription;

import java.util.List;

/** SubRip: numbered cues, {@code 00:00:01,500 --> 00:00:03,000}, a blank line after each. */
final class SrtRenderer {
    private SrtRenderer() {
    }

    static String render(Transcript transcript) {
        StringBuilder out = new StringBuilder();
        List<Segment> segments = transcript.segments();
        for (int i = 0; i < segments.size(); i++) {
            Segment segment = segments.get(i);
            out.append(i + 1).append('\n')
                    .append(SubtitleTime.format(segment.start(), ',')).append(" --> ")
                    .append(SubtitleTime.format(segment.end(), ',')).append('\n')
                    .append(segment.text().strip()).append("\n\n");
        }
        return out.toString();
    }
}
