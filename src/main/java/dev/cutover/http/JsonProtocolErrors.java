package dev.cutover.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error pages (requests refused before they reach Javalin: URI too long, malformed request line, headers
 * too large) in the same JSON shape as every other error, instead of HTML. Stateless, thread-safe.
 */
public final class JsonProtocolErrors extends ErrorHandler {
    private static final ObjectMapper JSON = JsonMapping.objectMapper();

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) throws JsonProcessingException {
        ErrorBody body = new ErrorBody(codeFor(code), messageFor(code, message));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        // Jetty drops the connection after refusing a request it could not parse; say so, or a client reusing it fails.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(body)), callback);
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 413 -> "payload_too_large";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            default -> status >= 500 ? "internal_error" : "bad_request";
        };
    }

    private static String messageFor(int status, String message) {
        return switch (status) {
            case 414 -> "The request URI is too long; ids are limited to 256 characters.";
            case 431 -> "The request headers are too large.";
            default -> message == null || message.isBlank() ? "The request could not be read." : message;
        };
    }
}
