package dev.cutover.flags.ofrep;

import dev.cutover.flags.FlagSnapshot;

/**
 * An OFREP request that cannot be answered with an evaluation, rendered in the protocol's own error shape:
 * {@code {"key", "errorCode", "errorDetails"}} for one flag, {@code {"errorCode", "errorDetails"}} for the bulk call.
 */
final class OfrepError extends RuntimeException {
    static final String PARSE_ERROR = "PARSE_ERROR";
    static final String TARGETING_KEY_MISSING = "TARGETING_KEY_MISSING";
    static final String INVALID_CONTEXT = "INVALID_CONTEXT";
    static final String FLAG_NOT_FOUND = "FLAG_NOT_FOUND";

    private final int status;
    private final String errorCode;

    OfrepError(int status, String errorCode, String details) {
        super(details);
        this.status = status;
        this.errorCode = errorCode;
    }

    static OfrepError parseError(String details) {
        return new OfrepError(400, PARSE_ERROR, details);
    }

    static OfrepError targetingKeyMissing(String details) {
        return new OfrepError(400, TARGETING_KEY_MISSING, details);
    }

    static OfrepError invalidContext(String details) {
        return new OfrepError(400, INVALID_CONTEXT, details);
    }

    static OfrepError flagNotFound(String key) {
        return new OfrepError(404, FLAG_NOT_FOUND, "Flag '" + key + "' was not found; the only flag is '"
                + FlagSnapshot.FLAG_KEY + "'.");
    }

    int status() {
        return status;
    }

    String errorCode() {
        return errorCode;
    }

    /** The body for the single-flag endpoint, which names the flag. */
    OfrepErrorBody bodyFor(String key) {
        return new OfrepErrorBody(key, errorCode, getMessage());
    }

    /** The body for the bulk endpoint, where the failure concerns the whole request. */
    OfrepErrorBody bulkBody() {
        return new OfrepErrorBody(null, errorCode, getMessage());
    }
}
