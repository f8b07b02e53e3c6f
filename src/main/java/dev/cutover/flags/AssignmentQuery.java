package dev.cutover.flags;

import dev.cutover.http.ApiError;
import dev.cutover.http.QueryParams;
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
        // Characters are code points (an emoji is one, not two UTF-16 units); counted only when the UTF-16 length,
        // never smaller, is over the limit, so ordinary ids pay nothing.
        if (value != null && value.length() > MAX_ID_LENGTH) {
            int characters = value.codePointCount(0, value.length());
            if (characters > MAX_ID_LENGTH) {
                throw ApiError.badRequest("id_too_long", name + " is " + characters + " characters long; the limit is "
                        + MAX_ID_LENGTH + ".");
            }
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static String decode(String name, String value) {
        if (value.length() > MAX_ID_LENGTH * 12) {
            // Longer than any 256-character id could be encoded (4 UTF-8 bytes of 3 characters each, %XX); no need
            // to decode it to refuse it.
            throw ApiError.badRequest("id_too_long", name + " is longer than " + MAX_ID_LENGTH + " characters.");
        }
        String decoded = QueryParams.decode(value);
        if (decoded == null) {
            throw invalidEncoding(name);
        }
        return decoded;
    }

    private static ApiError invalidEncoding(String name) {
        return ApiError.badRequest("invalid_encoding",
                name + " is not valid percent-encoded UTF-8; encode ids with encodeURIComponent.");
    }
}
