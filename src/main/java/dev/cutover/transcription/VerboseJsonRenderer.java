package dev.cutover.transcription;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.Deflater;

/**
 * OpenAI's {@code verbose_json}. The engine does not expose token ids or log-probabilities, so {@code tokens} is
 * empty and {@code avg_logprob}/{@code no_speech_prob} are 0; {@code compression_ratio} is computed from the text as
 * whisper does (bytes over zlib-compressed bytes); {@code seek} is the 30 s window's start in 10 ms frames.
 */
final class VerboseJsonRenderer {
    private static final int FRAMES_PER_SECOND = 100;
    private static final int WINDOW_SECONDS = 30;

    private VerboseJsonRenderer() {
    }

    static VerboseTranscription render(Transcript transcript, float temperature) {
        List<VerboseSegment> segments = new ArrayList<>();
        List<Segment> source = transcript.segments();
        for (int i = 0; i < source.size(); i++) {
            Segment s = source.get(i);
            int seek = (int) Math.floor(s.start() / WINDOW_SECONDS) * WINDOW_SECONDS * FRAMES_PER_SECOND;
            segments.add(new VerboseSegment(i, seek, s.start(), s.end(), s.text(), List.of(), temperature, 0.0,
                    compressionRatio(s.text()), 0.0));
        }
        return new VerboseTranscription("transcribe", languageName(transcript.language()), transcript.durationSec(),
                transcript.text(), segments);
    }

    /** OpenAI names the language in English words ("english"), not by its code. */
    static String languageName(String code) {
        if (code == null || code.isBlank() || code.equals("auto")) {
            return "unknown";
        }
        String name = Locale.forLanguageTag(code).getDisplayLanguage(Locale.ENGLISH);
        return name.isEmpty() ? code : name.toLowerCase(Locale.ROOT);
    }

    static double compressionRatio(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0) {
            return 0;
        }
        Deflater deflater = new Deflater();
        try {
            deflater.setInput(bytes);
            deflater.finish();
            byte[] buffer = new byte[bytes.length + 64];
            int compressed = 0;
            while (!deflater.finished()) {
                compressed += deflater.deflate(buffer);
            }
            return bytes.length / (double) compressed;
        } finally {
            deflater.end();
        }
    }

    record VerboseTranscription(String task, String language, double duration, String text, List<VerboseSegment> segments) {
    }

    record VerboseSegment(int id, int seek, double start, double end, String text, List<Integer> tokens,
                          double temperature,
                          @JsonProperty("avg_logprob") double avgLogprob,
                          @JsonProperty("compression_ratio") double compressionRatio,
                          @JsonProperty("no_speech_prob") double noSpeechProb) {
    }
}
