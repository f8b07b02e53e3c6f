package dev.cutover.transcription;

import dev.cutover.http.ApiError;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** OpenAI's {@code response_format} values and the content type OpenAI answers each with. */
enum OpenAiFormat {
    JSON("json", "application/json"),
    TEXT("text", "text/plain; charset=utf-8"),
    // OpenAI answers srt and vtt as text/plain too; clients rely on the body, not the type.
    SRT("srt", "text/plain; charset=utf-8"),
    VTT("vtt", "text/plain; charset=utf-8"),
    VERBOSE_JSON("verbose_json", "application/json");

    private final String wireName;
    private final String contentType;

    OpenAiFormat(String wireName, String contentType) {
        this.wireName = wireName;
        this.contentType = contentType;
    }

    String contentType() {
        return contentType;
    }

    static OpenAiFormat parse(String value) {
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.wireName.equals(wanted)).findFirst().orElseThrow(() ->
                ApiError.badRequest("invalid_response_format", "response_format '" + value + "' is not supported; use one of "
                        + Arrays.stream(values()).map(f -> f.wireName).collect(Collectors.joining(", ")) + "."));
    }
}
