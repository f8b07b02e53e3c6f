package dev.cutover.transcription;

import java.util.Locale;

/** Formats seconds as subtitle timestamps: {@code HH:MM:SS,mmm} (SRT) or {@code HH:MM:SS.mmm} (WebVTT). */
final class SubtitleTime {
    private SubtitleTime() {
    }

    static String format(double seconds, char millisSeparator) {
        long millis = Math.max(0, Math.round(seconds * 1000));
        long hours = millis / 3_600_000;
        long minutes = millis / 60_000 % 60;
        long secs = millis / 1000 % 60;
        return String.format(Locale.ROOT, "%02d:%02d:%02d%c%03d", hours, minutes, secs, millisSeparator, millis % 1000);
    }
}
