package dev.cutover.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writes answers on Jetty's core {@link Response}, for what the {@link RequestEdge} answers itself ahead of the servlet
 * layer: the same JSON error shape as {@link ErrorResponses}. Stateless, thread-safe.
 */
public final class EdgeResponses {
    private static final ObjectMapper JSON = JsonMapping.objectMapper();

    private EdgeResponses() {
    }

    /** A complete answer: status, extra headers, a content type and the bytes (empty for HEAD). */
    public record Answer(int status, Map<String, String> headers, String contentType, byte[] body) {
        public static Answer json(int status, Object body, Map<String, String> headers) {
            try {
                return new Answer(status, headers, "application/json", JSON.writeValueAsBytes(body));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("An error body could not be serialised", e);
            }
        }

        public static Answer error(ApiError error) {
            return json(error.status(), error.body(), error.headers());
        }
    }

    /** Writes the answer and completes the callback; a HEAD request gets the headers only. */
    public static void write(Request request, Response response, Callback callback, Answer answer) {
        prepare(request, response, answer);
        response.write(true, bodyFor(request, answer), callback);
    }

    static void prepare(Request request, Response response, Answer answer) {
        response.setStatus(answer.status());
        answer.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.body().length);
    }

    static ByteBuffer bodyFor(Request request, Answer answer) {
        return "HEAD".equals(request.getMethod()) ? ByteBuffer.allocate(0) : ByteBuffer.wrap(answer.body());
    }
}
