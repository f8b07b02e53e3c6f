package dev.cutover.transcription;

import dev.cutover.http.ApiError;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads the options both upload routes accept: {@code language}, {@code prompt}, {@code temperature}. */
final class OptionFields {
    private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}");
    private static final int MAX_PROMPT_CHARS = 2000;

    private OptionFields() {
    }

    static TranscribeOptions read(UploadForm form) {
        return new TranscribeOptions(language(form), prompt(form), temperature(form));
    }

    private static Optional<String> language(UploadForm form) {
        Optional<String> language = form.text("language").map(v -> v.toLowerCase(Locale.ROOT));
        if (language.isPresent() && !language.get().equals("auto") && !LANGUAGE.matcher(language.get()).matches()) {
            throw ApiError.badRequest("invalid_language",
                    "language '" + language.get() + "' is not an ISO-639-1 code; send e.g. 'en', 'de', or leave it out to detect it.");
        }
        return language.filter(l -> !l.equals("auto"));
    }

    private static Optional<String> prompt(UploadForm form) {
        Optional<String> prompt = form.text("prompt");
        if (prompt.isPresent() && prompt.get().length() > MAX_PROMPT_CHARS) {
            throw ApiError.badRequest("field_too_long", "prompt is longer than " + MAX_PROMPT_CHARS + " characters.");
        }
        return prompt;
    }

    private static float temperature(UploadForm form) {
        Optional<String> text = form.text("temperature");
        if (text.isEmpty()) {
            return 0f;
        }
        float value;
        try {
            value = Float.parseFloat(text.get());
        } catch (NumberFormatException e) {
            value = Float.NaN;
        }
        if (!(value >= 0f && value <= 1f)) {
            throw ApiError.badRequest("invalid_temperature", "temperature '" + text.get() + "' must be a number from 0 to 1.");
        }
        return value;
    }
}
