package dev.cutover.rollout;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.cutover.config.Durations;
import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * Plan durations in JSON as people write them ({@code "24h"}, {@code "5m"}, {@code "7d"}, {@code "15s"}): written
 * in the largest unit that is exact (days only from a week up, so 48 h stays {@code "48h"}); read from that form
 * (the settings' {@link Durations} syntax), from ISO-8601 ({@code "PT24H"}) or from a number of seconds.
 */
final class DurationText {
    private DurationText() {
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && d.toNanos() % 1_000_000 == 0) {
            if (ms % 86_400_000 == 0 && ms >= 7 * 86_400_000L) {
                return ms / 86_400_000 + "d";
            }
            if (ms % 3_600_000 == 0) {
                return ms / 3_600_000 + "h";
            }
            if (ms % 60_000 == 0) {
                return ms / 60_000 + "m";
            }
            if (ms % 1_000 == 0) {
                return ms / 1_000 + "s";
            }
            return ms + "ms";
        }
        // Zero, negative or sub-millisecond durations (a plan validation will refuse the negative ones) stay exact.
        return d.isZero() ? "0s" : d.toString();
    }

    static Duration parse(String text) {
        String trimmed = text.trim();
        if (trimmed.startsWith("P") || trimmed.startsWith("-P")) {
            return Duration.parse(trimmed);
        }
        return Durations.parse(trimmed);
    }

    static final class Writer extends StdSerializer<Duration> {
        Writer() {
            super(Duration.class);
        }

        @Override
        public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(format(value));
        }
    }

    static final class Reader extends StdDeserializer<Duration> {
        Reader() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                return Duration.ofSeconds(p.getLongValue());
            }
            if (p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
                return Duration.ofMillis(Math.round(p.getDoubleValue() * 1000));
            }
            String text = p.getValueAsString();
            if (text == null) {
                return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
            }
            try {
                return parse(text);
            } catch (IllegalArgumentException | DateTimeParseException e) {
                return (Duration) ctxt.handleWeirdStringValue(Duration.class, text,
                        "not a duration: write 500ms, 15s, 5m, 24h, 7d, plain seconds or ISO-8601 (PT24H)");
            }
        }
    }
}
