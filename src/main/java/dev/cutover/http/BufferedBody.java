package dev.cutover.http;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads a small request body without holding a thread while it arrives: every chunk is taken when Jetty signals it
 * (demand), so a client sending one byte every few seconds costs a connection, never a worker. The body must stay
 * under {@link EdgeLimits#maxBodyBytes()}, keep up {@link EdgeLimits#minDataRate()} after its first second, and be
 * whole within {@link EdgeLimits#bodyTimeout()}; otherwise the refusal (413 / 408 / 400) is handed over instead of
 * the body. Exactly one of the two consumers is called, once. Thread-safe: Jetty serialises demand callbacks, and
 * the timer and the reader race only through {@code finished}.
 */
final class BufferedBody implements Runnable {
    private static final Map<String, String> CLOSE = Map.of("Connection", "close");

    private final Request request;
    private final EdgeLimits limits;
    private final Consumer<byte[]> onBody;
    private final Consumer<ApiError> onRefusal;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final long startNanos = System.nanoTime();
    private byte[] bytes = new byte[1024];
    private int length;
    private Scheduler.Task deadline;

    private BufferedBody(Request request, EdgeLimits limits, Consumer<byte[]> onBody, Consumer<ApiError> onRefusal) {
        this.request = request;
        this.limits = limits;
        this.onBody = onBody;
        this.onRefusal = onRefusal;
    }

    static void read(Request request, EdgeLimits limits, Consumer<byte[]> onBody, Consumer<ApiError> onRefusal) {
        long declared = request.getHeaders().getLongField("Content-Length");
        if (declared > limits.maxBodyBytes()) {
            onRefusal.accept(tooLarge(limits));
            return;
        }
        BufferedBody body = new BufferedBody(request, limits, onBody, onRefusal);
        body.deadline = request.getComponents().getScheduler().schedule(body::timedOut,
                limits.bodyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        body.run();
    }

    /** Takes whatever has arrived; asks to be called again when more does. */
    @Override
    public void run() {
        while (!finished.get()) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                refuse(refusalFor(chunk.getFailure()));
                return;
            }
            boolean last = chunk.isLast();
            boolean fits = append(chunk.getByteBuffer());
            chunk.release();
            if (!fits) {
                refuse(tooLarge(limits));
                return;
            }
            if (last) {
                if (finished.compareAndSet(false, true)) {
                    deadline.cancel();
                    onBody.accept(Arrays.copyOf(bytes, length));
                }
                return;
            }
            if (tooSlow()) {
                refuse(slow(limits));
                return;
            }
        }
    }

    private boolean append(ByteBuffer buffer) {
        int size = buffer.remaining();
        if ((long) length + size > limits.maxBodyBytes()) {
            return false;
        }
        if (length + size > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(limits.maxBodyBytes(), Math.max(bytes.length * 2, length + size)));
        }
        buffer.get(bytes, length, size);
        length += size;
        return true;
    }

    /** The same rule as Jetty's own for servlet reads: after a grace second, at least minDataRate bytes a second. */
    private boolean tooSlow() {
        if (limits.minDataRate() <= 0) {
            return false;
        }
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        if (elapsedMillis <= EdgeLimits.RATE_GRACE.toMillis()) {
            return false;
        }
        return length < limits.minDataRate() * elapsedMillis / 1000;
    }

    private void timedOut() {
        refuse(answer(408, "request_timeout", "The request body did not arrive within "
                + limits.bodyTimeout().toSeconds() + " s; send it whole and promptly."));
    }

    private void refuse(ApiError answer) {
        if (finished.compareAndSet(false, true)) {
            if (deadline != null) {
                deadline.cancel();
            }
            onRefusal.accept(answer);
        }
    }

    private ApiError refusalFor(Throwable failure) {
        if (failure instanceof TimeoutException) {
            return slow(limits);
        }
        if (failure instanceof BadMessageException bad && bad.getCode() == 413) {
            return tooLarge(limits);
        }
        if (failure instanceof BadMessageException) {
            return answer(400, "malformed_body", "The request body could not be read (bad chunked encoding or framing).");
        }
        if (failure instanceof EofException || failure instanceof java.io.EOFException) {
            return answer(400, "body_incomplete", "The request body ended before its declared length.");
        }
        return answer(400, "malformed_body", "The request body could not be read.");
    }

    private static ApiError tooLarge(EdgeLimits limits) {
        return answer(413, "body_too_large", "The request body is larger than " + limits.maxBodyBytes() / 1024 + " KiB.");
    }

    private static ApiError slow(EdgeLimits limits) {
        return answer(408, "request_timeout", "The request body arrived slower than " + limits.minDataRate()
                + " bytes a second; send it whole and promptly.");
    }

    /** The connection is closed after any of these: what is left of the body is not read. */
    private static ApiError answer(int status, String code, String message) {
        return new ApiError(status, code, message, CLOSE);
    }
}
