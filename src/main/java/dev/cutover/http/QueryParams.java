package dev.cutover.http;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Query parameters read from the raw query string, strictly: a value that is not valid percent-encoded UTF-8 is
 * refused (400 {@code invalid_<name>}), never decoded leniently into U+FFFD or '?' the way the container's decoder
 * does, and numbers are plain ASCII digits. Names are matched as written (every parameter we read is plain ASCII);
 * the first occurrence of a name wins, and a name given without a value ({@code limit=}) counts as not given.
 * Immutable.
 */
public final class QueryParams {
    private static final int MAX_DIGITS = 18; // always fits a long

    private final String rawQuery;

    private QueryParams(String rawQuery) {
        this.rawQuery = rawQuery == null ? "" : rawQuery;
    }

    /** The parameters of a raw (still percent-encoded) query string, e.g. {@code ctx.queryString()}; null is none. */
    public static QueryParams of(String rawQuery) {
        return new QueryParams(rawQuery);
    }

    /** The decoded value of {@code name}, or empty when it is absent or empty. */
    public Optional<String> text(String name) {
        return rawValue(name).map(raw -> {
            String decoded = decode(raw);
            if (decoded == null) {
                throw ApiError.badRequest("invalid_" + name, name
                        + " is not valid percent-encoded UTF-8; encode the value with encodeURIComponent.");
            }
            return decoded;
        });
    }

    /** The value of {@code name} as a positive whole number, or empty when it is absent or empty. */
    public Optional<Long> positiveNumber(String name) {
        return text(name).map(text -> {
            // -1, +1 (a space, decoded), ten, 1.5 and "١" (decoded from %D9%A1) are all refused alike.
            OptionalLong value = positiveWholeNumber(text);
            if (value.isEmpty()) {
                throw ApiError.badRequest("invalid_" + name, name + " must be a positive whole number, e.g. " + name
                        + "=50.");
            }
            return value.getAsLong();
        });
    }

    /**
     * Text that is nothing but ASCII digits (at most 18) and greater than zero. {@code Long.parseLong} alone would
     * also take "+5" and other scripts' digits ("١" is 1).
     */
    public static OptionalLong positiveWholeNumber(String text) {
        if (text.isEmpty() || text.length() > MAX_DIGITS) {
            return OptionalLong.empty();
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return OptionalLong.empty();
            }
        }
        long value = Long.parseLong(text);
        return value > 0 ? OptionalLong.of(value) : OptionalLong.empty();
    }

    /**
     * Strict percent-decoding ({@code +} is a space): the text, or null when a {@code %} is not followed by two hex
     * digits, a character is not ASCII (browsers always encode those), or the bytes are not valid UTF-8 (which also
     * rules out encoded surrogates).
     */
    public static String decode(String value) {
        if (isPlain(value)) {
            return value;
        }
        ByteBuffer bytes = ByteBuffer.allocate(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+') {
                bytes.put((byte) ' ');
            } else if (c == '%') {
                if (i + 2 >= value.length()) {
                    return null;
                }
                int high = Character.digit(value.charAt(i + 1), 16);
                int low = Character.digit(value.charAt(i + 2), 16);
                if (high < 0 || low < 0 || value.charAt(i + 1) > 0x7f || value.charAt(i + 2) > 0x7f) {
                    return null;
                }
                bytes.put((byte) (high * 16 + low));
                i += 2;
            } else if (c < 0x80) {
                bytes.put((byte) c);
            } else {
                return null;
            }
        }
        bytes.flip();
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Nothing to decode: ASCII without '%' or '+' (the common case for ids, checked in one pass). */
    private static boolean isPlain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' || c == '+' || c >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private Optional<String> rawValue(String name) {
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) {
                end = rawQuery.length();
            }
            int equals = rawQuery.indexOf('=', start);
            int nameEnd = equals < 0 || equals > end ? end : equals;
            if (nameEnd - start == name.length() && rawQuery.startsWith(name, start)) {
                String value = nameEnd == end ? "" : rawQuery.substring(nameEnd + 1, end);
                return value.isEmpty() ? Optional.empty() : Optional.of(value);
            }
            start = end + 1;
        }
        return Optional.empty();
    }
}
