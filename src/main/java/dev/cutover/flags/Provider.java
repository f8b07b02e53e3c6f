package dev.cutover.flags;

import com.fasterxml.jackson.annotation.JsonValue;

/** The speech-to-text provider a session is assigned to; the variants of the flag. */
public enum Provider {
    WEBSPEECH("webspeech"), WHISPER("whisper");

    private final String value;

    Provider(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }
}
