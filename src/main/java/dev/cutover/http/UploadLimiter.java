package dev.cutover.http;

import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's QoSHandler on the upload routes only: at most {@code maxConcurrent} uploads are read by servlet threads at
 * once (their bodies are streamed, up to 25 MiB, so they are not buffered by the edge); the rest wait suspended,
 * holding no thread, for up to {@code maxWait}, and are refused with 503 + Retry-After beyond that or when too many
 * wait. Every other route passes straight through. Thread-safe (Jetty's).
 */
public final class UploadLimiter extends QoSHandler {
    private static final int RETRY_AFTER_SECONDS = 2;

    public UploadLimiter(int maxConcurrent, Duration maxWait, String... uploadPaths) {
        setMaxRequestCount(maxConcurrent);
        setMaxSuspendedRequestCount(Math.max(16, maxConcurrent * 8));
        setMaxSuspend(maxWait);
        includePath(uploadPaths);
    }

    @Override
    protected void reject(Request request, Response response, Callback callback, int status) {
        busy(request, response, callback);
    }

    @Override
    protected void failSuspended(Request request, Response response, Callback callback, int status, Throwable failure) {
        busy(request, response, callback);
    }

    private static void busy(Request request, Response response, Callback callback) {
        if (response.isCommitted()) {
            callback.failed(new IllegalStateException("Response already committed"));
            return;
        }
        EdgeResponses.write(request, response, callback, EdgeResponses.Answer.error(new ApiError(503, "overloaded",
                "Too many uploads are being received right now; retry shortly.",
                Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS), "Connection", "close"))));
    }
}
