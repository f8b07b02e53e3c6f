package dev.cutover.http;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;

/**
 * Checks the transcription API key, sent as {@code X-API-Key: <key>} or {@code Authorization: Bearer <key>}.
 * With no key configured every request passes (the service is open, and says so in the log and /health).
 * Comparison is constant-time over SHA-256 digests, so neither content nor length leaks through timing.
 * Immutable and thread-safe.
 */
public final class ApiKeyAuth {
    private static final String BEARER = "bearer ";

    private final Optional<byte[]> expectedDigest;

    public ApiKeyAuth(Optional<String> apiKey) {
        this.expectedDigest = apiKey.filter(k -> !k.isBlank()).map(ApiKeyAuth::digest);
    }

    public boolean isRequired() {
        return expectedDigest.isPresent();
    }

    /** Throws 401 {@code missing_api_key} or {@code invalid_api_key} unless the request carries the right key. */
    public void check(Context ctx) {
        check(ctx.header("X-API-Key"), ctx.header("Authorization"));
    }

    void check(String apiKeyHeader, String authorizationHeader) {
        Optional<ApiError> refusal = refusal(apiKeyHeader, authorizationHeader);
        if (refusal.isPresent()) {
            throw refusal.get();
        }
    }

    /** The 401 this request gets from its headers alone, for the edge to answer before any body is read. */
    public Optional<ApiError> refusal(HttpFields headers) {
        return refusal(headers.get("X-API-Key"), headers.get("Authorization"));
    }

    private Optional<ApiError> refusal(String apiKeyHeader, String authorizationHeader) {
        if (expectedDigest.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> presented = presentedKey(apiKeyHeader, authorizationHeader);
        if (presented.isEmpty()) {
            return Optional.of(ApiError.unauthorized("missing_api_key",
                    "Send the API key in the X-API-Key header or as 'Authorization: Bearer <key>'."));
        }
        if (!MessageDigest.isEqual(expectedDigest.get(), digest(presented.get()))) {
            return Optional.of(ApiError.unauthorized("invalid_api_key",
                    "The API key is not valid; check WHISPER_API_KEY on the server."));
        }
        return Optional.empty();
    }

    private static Optional<String> presentedKey(String apiKeyHeader, String authorizationHeader) {
        if (apiKeyHeader != null && !apiKeyHeader.isBlank()) {
            return Optional.of(apiKeyHeader.trim());
        }
        if (authorizationHeader != null && authorizationHeader.length() > BEARER.length()
                && authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String token = authorizationHeader.substring(BEARER.length()).trim();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        }
        return Optional.empty();
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
