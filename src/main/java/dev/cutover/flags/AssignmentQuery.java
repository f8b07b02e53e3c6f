package dev.cutover.flags;

import dev.cutover.http.ApiError;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The ids of an assignment request, read from the raw query string with strict UTF-8 percent-decoding (the usual
 * decoders silently turn malformed bytes into U+FFFD, which would bucket a different id than the client sent).
 */
record AssignmentQuery(String sessionId, Optional<String> userId) {
    static final int MAX_ID_LENGTH = 256;

    static AssignmentQuery parse(String rawQuery) {
        String sessionId = null;
        String userId = null;
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                int equals = pair.indexOf('=');
                String name = equals < 0 ? pair : pair.substring(0, equals);
                String value = equals < 0 ? "" : pair.substring(equals + 1);
                if (name.equals("sessionId") && sessionId == null) {
                    sessionId = decode(name, value);
                } else if (name.equals("userId") && userId == null) {
                    userId = decode(name, value);
                }
            }
        }
        sessionId = blankToNull(sessionId);
        userId = blankToNull(userId);
        if (sessionId == null && userId == null) {
            throw ApiError.badRequest("missing_id",
                    "Give sessionId (and userId when the user is signed in), e.g. /api/v1/assignment?sessionId=abc123.");
        }
        checkLength("sessionId", sessionId);
        checkLength("userId", userId);
        return new AssignmentQuery(sessionId, Optional.ofNullable(userId));
    }

    private static void checkLength(String name, String value) {
        if (value != null && value.length() > MAX_ID_LENGTH) {
            throw ApiError.badRequest("id_too_long", name + " is " + value.length() + " characters long; the limit is "
                    + MAX_ID_LENGTH + ".");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static String decode(String name, String value) {
        if (value.length() > MAX_ID_LENGTH * 12) {
            // Longer than any 256-character id could be encoded; no need to decode it to refuse it.
            throw ApiError.badRequest("id_too_long", name + " is longer than " + MAX_ID_LENGTH + " characters.");
        }
        if (value.indexOf('%') < 0 && value.indexOf('+') < 0) {
            return value;
        }
        ByteBuffer bytes = ByteBuffer.allocate(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+') {
                bytes.put((byte) ' ');
            } else if (c == '%') {
                if (i + 2 >= value.length()) {
                    throw invalidEncoding(name);
                }
                int high = Character.digit(value.charAt(i + 1), 16);
                int low = Character.digit(value.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw invalidEncoding(name);
                }
                bytes.put((byte) (high * 16 + low));
                i += 2;
            } else if (c < 0x80) {
                bytes.put((byte) c);
            } else {
                // Raw non-ASCII in a query string is not valid; browsers always percent-encode it.
                throw invalidEncoding(name);
            }
        }
        bytes.flip();
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw invalidEncoding(name);
        }
    }

    private static ApiError invalidEncoding(String name) {
        return ApiError.badRequest("invalid_encoding",
                name + " is not valid percent-encoded UTF-8; encode ids with encodeURIComponent.");
    }
}
