package dev.cutover.flags;

import dev.cutover.http.ApiError;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;

/**
 * Rollback enforced where it matters: a transcription request that says which session it serves
 * ({@code X-Session-Id}, optionally {@code X-User-Id}) is refused with 409 {@code provider_not_assigned} when that
 * session is not currently assigned whisper, so a client holding a stale assignment falls back at once instead of
 * sending audio. Checked from the headers (by the request edge, before the upload is read). Requests without the
 * header are not checked (server-to-server callers). Thread-safe: reads the current immutable snapshot.
 */
public final class ProviderEnforcement {
    public static final String SESSION_HEADER = "X-Session-Id";
    public static final String USER_HEADER = "X-User-Id";

    private final FlagSnapshots snapshots;

    public ProviderEnforcement(FlagSnapshots snapshots) {
        this.snapshots = snapshots;
    }

    /** The refusal for this request, empty when it may be transcribed. */
    public Optional<ApiError> refusal(HttpFields headers) {
        String sessionId = blankToNull(headers.get(SESSION_HEADER));
        if (sessionId == null) {
            return Optional.empty();
        }
        Optional<String> userId = Optional.ofNullable(blankToNull(headers.get(USER_HEADER)));
        if (tooLong(sessionId) || userId.map(ProviderEnforcement::tooLong).orElse(false)) {
            return Optional.of(ApiError.badRequest("id_too_long", SESSION_HEADER + " and " + USER_HEADER
                    + " are at most " + AssignmentQuery.MAX_ID_LENGTH + " characters."));
        }
        Assignment assignment = snapshots.current().map(s -> s.evaluate(sessionId, userId))
                .orElseGet(() -> FlagSnapshot.defaultAssignment(sessionId, userId));
        if (assignment.provider() == Provider.WHISPER) {
            return Optional.empty();
        }
        return Optional.of(new ApiError(409, "provider_not_assigned", "This session is assigned "
                + assignment.provider().value() + " (" + assignment.reason().name() + "), not whisper: use the browser's "
                + "speech recognition and ask /api/v1/assignment again.", Map.of(),
                Map.of("provider", assignment.provider().value(), "reason", assignment.reason().name())));
    }

    private static boolean tooLong(String id) {
        return id.length() > AssignmentQuery.MAX_ID_LENGTH
                && id.codePointCount(0, id.length()) > AssignmentQuery.MAX_ID_LENGTH;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
