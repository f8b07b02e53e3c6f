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
 * Reads a request body without holding a thread while it arrives: every chunk is taken when Jetty signals it
 * (demand), so a client sending one byte every few seconds costs a connection, never a worker. The body must stay
 * under the policy's size, keep up the minimum data rate after its first second (checked on every chunk and once a
 * second by a timer, so a silent sender is cut off too) and, for JSON bodies, arrive whole within the policy's
 * deadline; otherwise the refusal (413 / 408 / 400 / 503) is handed over instead of the body. Exactly one of the two
 * consumers is called, once. Thread-safe: Jetty serialises demand callbacks; the timer and the reader race only
 * through {@code finished}, and the buffer is touched by the reader alone.
 */
final class BufferedBody implements Runnable {
    private static final Map<String, String> CLOSE = Map.of("Connection", "close");
    private static final long TICK_MILLIS = 1000;

    private final Request request;
    private final BodyPolicy policy;
    private final long minDataRate;
    private final Consumer<byte[]> onBody;
    private final Consumer<ApiError> onRefusal;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final long startNanos = System.nanoTime();
    private byte[] bytes = new byte[4096];
    private volatile int length;
    private long reserved;
    private volatile Scheduler.Task tick;

    private BufferedBody(Request request, BodyPolicy policy, long minDataRate, Consumer<byte[]> onBody,
                         Consumer<ApiError> onRefusal) {
        this.request = request;
        this.policy = policy;
        this.minDataRate = minDataRate;
        this.onBody = onBody;
        this.onRefusal = onRefusal;
    }

    static void read(Request request, BodyPolicy policy, long minDataRate, Consumer<byte[]> onBody,
                     Consumer<ApiError> onRefusal) {
        long declared = request.getHeaders().getLongField("Content-Length");
        if (declared > policy.maxBytes()) {
            onRefusal.accept(tooLarge(policy));
            return;
        }
        BufferedBody body = new BufferedBody(request, policy, minDataRate, onBody, onRefusal);
        policy.budget().ifPresent(budget -> Request.addCompletionListener(request, failure -> budget.release(body.reserved)));
        body.scheduleTick();
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
            ApiError notTaken = append(chunk.getByteBuffer());
            chunk.release();
            if (notTaken != null) {
                refuse(notTaken);
                return;
            }
            if (last) {
                if (finished.compareAndSet(false, true)) {
                    cancelTick();
                    onBody.accept(length == bytes.length ? bytes : Arrays.copyOf(bytes, length));
                }
                return;
            }
            if (tooSlow()) {
                refuse(slow());
                return;
            }
        }
    }

    private ApiError append(ByteBuffer buffer) {
        int size = buffer.remaining();
        if ((long) length + size > policy.maxBytes()) {
            return tooLarge(policy);
        }
        if (length + size > bytes.length) {
            int capacity = (int) Math.min(policy.maxBytes(), Math.max((long) bytes.length * 2, (long) length + size));
            if (policy.budget().isPresent()) {
                if (!policy.budget().get().tryReserve(capacity - reserved)) {
                    return new ApiError(503, "overloaded", "Too many uploads are being received right now; retry shortly.",
                            Map.of("Retry-After", "2", "Connection", "close"));
                }
                reserved = capacity;
            }
            bytes = Arrays.copyOf(bytes, capacity);
        }
        buffer.get(bytes, length, size);
        length += size;
        return null;
    }

    /** Once a second: is the sender too slow, or past the deadline? Reschedules itself until the body is done. */
    private void scheduleTick() {
        tick = request.getComponents().getScheduler().schedule(() -> {
            if (finished.get()) {
                return;
            }
            long elapsedMillis = elapsedMillis();
            if (policy.deadline().isPresent() && elapsedMillis >= policy.deadline().get().toMillis()) {
                refuse(answer(408, "request_timeout", "The request body did not arrive within "
                        + policy.deadline().get().toSeconds() + " s; send it whole and promptly."));
            } else if (tooSlow()) {
                refuse(slow());
            } else {
                scheduleTick();
            }
        }, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The same rule as Jetty's own for servlet reads: after a grace second, at least minDataRate bytes a second. */
    private boolean tooSlow() {
        long elapsedMillis = elapsedMillis();
        return minDataRate > 0 && elapsedMillis > EdgeLimits.RATE_GRACE.toMillis()
                && length < minDataRate * elapsedMillis / 1000;
    }

    private long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private void refuse(ApiError answer) {
        if (finished.compareAndSet(false, true)) {
            cancelTick();
            onRefusal.accept(answer);
        }
    }

    /** A finished body's timer must not keep the request (and its buffer) reachable for another second. */
    private void cancelTick() {
        Scheduler.Task pending = tick;
        if (pending != null) {
            pending.cancel();
        }
    }

    private ApiError refusalFor(Throwable failure) {
        if (failure instanceof TimeoutException) {
            return slow();
        }
        if (failure instanceof BadMessageException bad && bad.getCode() == 413) {
            return tooLarge(policy);
        }
        if (failure instanceof BadMessageException) {
            return answer(400, "malformed_body", "The request body could not be read (bad chunked encoding or framing).");
        }
        if (failure instanceof EofException || failure instanceof java.io.EOFException) {
            return answer(400, "body_incomplete", "The request body ended before its declared length.");
        }
        return answer(400, "malformed_body", "The request body could not be read.");
    }

    private static ApiError tooLarge(BodyPolicy policy) {
        return answer(413, policy.tooLargeCode(), policy.tooLargeMessage());
    }

    private ApiError slow() {
        return answer(408, "request_timeout", "The request body arrived slower than " + minDataRate
                + " bytes a second (MIN_REQUEST_DATA_RATE); send it whole and promptly.");
    }

    /** The connection is closed after any of these: what is left of the body is not read. */
    private static ApiError answer(int status, String code, String message) {
        return new ApiError(status, code, message, CLOSE);
    }
}
