package dev.cutover.transcription;

import dev.cutover.http.ApiError;
import dev.cutover.http.EdgeResponses;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes errors in OpenAI's shape, {@code {"error":{"message","type","param","code"}}}, so the SDKs raise the right class. */
final class OpenAiErrors {
    private static final Map<String, String> PARAM_BY_CODE = Map.ofEntries(
            Map.entry("missing_field", "file"),
            Map.entry("upload_too_large", "file"),
            Map.entry("invalid_response_format", "response_format"),
            Map.entry("invalid_temperature", "temperature"),
            Map.entry("invalid_language", "language"),
            Map.entry("field_too_long", "prompt"),
            Map.entry("unsupported_timestamp_granularity", "timestamp_granularities"),
            Map.entry("stream_not_supported", "stream"));

    private OpenAiErrors() {
    }

    static void write(Context ctx, ApiError error) {
        error.headers().forEach(ctx::header);
        ctx.status(error.status()).json(body(error));
    }

    /** The same error as a complete answer, for the request edge (a refused API key, before the body is read). */
    static EdgeResponses.Answer answer(ApiError error) {
        return EdgeResponses.Answer.json(error.status(), body(error), error.headers());
    }

    private static Map<String, Object> body(ApiError error) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", error.getMessage());
        body.put("type", typeOf(error.status()));
        body.put("param", paramOf(error));
        body.put("code", error.code());
        return Map.of("error", body);
    }

    static String typeOf(int status) {
        if (status == 401) {
            return "authentication_error";
        }
        if (status == 403) {
            return "permission_error";
        }
        if (status == 429) {
            return "rate_limit_error";
        }
        return status >= 500 ? "server_error" : "invalid_request_error";
    }

    private static String paramOf(ApiError error) {
        String known = PARAM_BY_CODE.get(error.code());
        if (known != null) {
            return known;
        }
        boolean aboutTheBody = error.code().equals("multipart_required") || error.code().equals("malformed_multipart");
        boolean aboutTheAudio = error.status() == 400 || error.status() == 413 || error.status() == 415;
        // Anything else the decoder rejects is a problem with the 'file' parameter.
        return aboutTheAudio && !aboutTheBody ? "file" : null;
    }
}
