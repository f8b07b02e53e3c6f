package dev.cutover.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.VirtualThreads;

/**
 * The first handler every request meets, on Jetty's core API ahead of the servlet layer (Javalin). It exists so that
 * no client, however slow or hostile, can take away the threads that assignment and OFREP need:
 * <ul>
 *   <li>assignment is a {@link CoreRoute} answered here from memory and never queues behind servlet work;</li>
 *   <li>credentials are checked from the headers ({@link HeaderGate}) before any body is read, and a refused
 *       request is answered at once;</li>
 *   <li>every body is read here asynchronously ({@link BufferedBody}) before the servlet layer sees the request:
 *       a slow sender holds a connection, not a thread, and is cut off with 408 below the minimum data rate; the
 *       servlet only ever reads a body already in memory, so cut-off and malformed bodies are 4xx here. JSON bodies
 *       (admin, OFREP, client events) are small and must arrive within a deadline; uploads (up to 25 MiB) share a
 *       memory budget, and their processing is limited by a {@code QoSHandler} wired in App;</li>
 *   <li>CORS is applied to the public routes only.</li>
 * </ul>
 * A per-route thread pool would only have moved the starvation: here no route's slowness can hold a thread that is
 * not its own. Immutable after construction; thread-safe.
 */
public final class RequestEdge extends Handler.Wrapper {
    private final EdgeLimits limits;
    private final Cors cors;
    private final Map<String, ServedRoute> served;
    private final List<PathSpec> corsPaths;
    private final List<Gated> gates;
    private final List<PathSpec> uploads;
    private final List<Rendered> renderers;

    private RequestEdge(Builder builder) {
        this.limits = builder.limits;
        this.cors = builder.cors;
        this.served = Map.copyOf(builder.served);
        this.corsPaths = List.copyOf(builder.corsPaths);
        this.gates = List.copyOf(builder.gates);
        this.uploads = List.copyOf(builder.uploads);
        this.renderers = List.copyOf(builder.renderers);
    }

    public static Builder builder(EdgeLimits limits, Cors cors) {
        return new Builder(limits, cors);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        if (matches(corsPaths, path)) {
            Cors.Outcome outcome = cors.apply(method, request.getHeaders(), response.getHeaders());
            if (outcome == Cors.Outcome.PREFLIGHT_ALLOWED) {
                response.setStatus(204);
                response.write(true, null, callback);
                return true;
            }
            if (outcome == Cors.Outcome.PREFLIGHT_REFUSED) {
                refuse(request, response, callback, EdgeResponses.Answer.error(new ApiError(403, "cors_origin_not_allowed",
                        "This origin is not allowed; add it to CUTOVER_CORS_ORIGINS.")));
                return true;
            }
        }
        for (Gated gated : gates) {
            if (gated.path().matches(path)) {
                Optional<EdgeResponses.Answer> refusal = gated.gate().refuse(method, request.getHeaders());
                if (refusal.isPresent()) {
                    refuse(request, response, callback, refusal.get());
                    return true;
                }
                break;
            }
        }
        ServedRoute route = served.get(path);
        if (route != null) {
            if (!route.methods().contains(method)) {
                refuse(request, response, callback, EdgeResponses.Answer.error(new ApiError(405, "method_not_allowed",
                        method + " is not allowed on " + path + ".", Map.of("Allow", String.join(", ", route.methods())))));
                return true;
            }
            route.route().handle(request, response, callback);
            return true;
        }
        if (hasBody(request.getHeaders())) {
            BodyPolicy policy = matches(uploads, path) ? limits.upload() : limits.json();
            BufferedBody.read(request, policy, limits.minDataRate(),
                    body -> dispatch(new BufferedRequest(request, body), response, callback),
                    // Through refuse(): what the client is still sending is drained a moment, so it reads the answer.
                    refusal -> refuse(request, response, callback, rendererFor(path).render(path, refusal)));
            return true;
        }
        dispatch(request, response, callback);
        return true;
    }

    /**
     * Everything this handler does itself is non-blocking, so Jetty may call it on the thread that read the request
     * (no hand-off per request: that is most of assignment's speed). The servlet layer blocks, so it is handed to the
     * thread pool here, explicitly.
     */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    private void dispatch(Request request, Response response, Callback callback) {
        // On a JVM with virtual threads (and HTTP_VIRTUAL_THREADS on), blocking servlet work runs on one of them.
        Executor virtual = VirtualThreads.getVirtualThreadsExecutor(request.getComponents().getThreadPool());
        Executor executor = virtual != null ? virtual : request.getComponents().getExecutor();
        try {
            executor.execute(() -> forward(request, response, callback));
        } catch (RejectedExecutionException e) {
            EdgeResponses.write(request, response, callback, EdgeResponses.Answer.error(ApiError.unavailable(
                    "overloaded", "The service is overloaded; retry shortly.", 1)));
        }
    }

    private ErrorRenderer rendererFor(String path) {
        for (Rendered rendered : renderers) {
            if (rendered.path().matches(path)) {
                return rendered.renderer();
            }
        }
        return (p, error) -> EdgeResponses.Answer.error(error);
    }

    private void forward(Request request, Response response, Callback callback) {
        try {
            if (!super.handle(request, response, callback)) {
                EdgeResponses.write(request, response, callback, EdgeResponses.Answer.error(
                        ApiError.notFound("not_found", "No route for " + request.getMethod() + " " + Request.getPathInContext(request) + ".")));
            }
        } catch (Throwable failure) {
            callback.failed(failure);
        }
    }

    /**
     * Answers without reading the body. What the client already sent is read and dropped for a short while (so a fast
     * client reads the answer rather than a connection reset), then the connection is closed: a slow one is not waited for.
     */
    private void refuse(Request request, Response response, Callback callback, EdgeResponses.Answer answer) {
        if (!hasBody(request.getHeaders())) {
            EdgeResponses.write(request, response, callback, answer);
            return;
        }
        EdgeResponses.prepare(request, response, answer);
        response.getHeaders().put("Connection", "close");
        response.write(true, EdgeResponses.bodyFor(request, answer),
                Callback.from(() -> Drain.start(request, limits, callback), callback::failed));
    }

    static boolean hasBody(HttpFields headers) {
        return headers.contains("Transfer-Encoding") || headers.getLongField("Content-Length") > 0;
    }

    private static boolean matches(List<PathSpec> specs, String path) {
        for (PathSpec spec : specs) {
            if (spec.matches(path)) {
                return true;
            }
        }
        return false;
    }

    /** Reads and drops a refused request's body until it ends or the drain time is up, then completes. */
    private static final class Drain implements Runnable {
        private final Request request;
        private final Callback callback;
        private final AtomicBoolean done = new AtomicBoolean();

        private Drain(Request request, Callback callback) {
            this.request = request;
            this.callback = callback;
        }

        static void start(Request request, EdgeLimits limits, Callback callback) {
            Drain drain = new Drain(request, callback);
            request.getComponents().getScheduler().schedule(drain::finish, limits.refusalDrain().toMillis(), TimeUnit.MILLISECONDS);
            drain.run();
        }

        @Override
        public void run() {
            while (!done.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                boolean end = chunk.isLast() || Content.Chunk.isFailure(chunk);
                chunk.release();
                if (end) {
                    finish();
                    return;
                }
            }
        }

        private void finish() {
            if (done.compareAndSet(false, true)) {
                callback.succeeded();
            }
        }
    }

    private record ServedRoute(Set<String> methods, CoreRoute route) {
    }

    private record Gated(PathSpec path, HeaderGate gate) {
    }

    private record Rendered(PathSpec path, ErrorRenderer renderer) {
    }

    /** Turns a refused body (too large, too slow, cut off) into the answer of the route's own protocol. */
    @FunctionalInterface
    public interface ErrorRenderer {
        EdgeResponses.Answer render(String path, ApiError error);
    }

    /** Collects the edge's rules while App wires the features. Not thread-safe; used once, at start-up. */
    public static final class Builder {
        private final EdgeLimits limits;
        private final Cors cors;
        private final Map<String, ServedRoute> served = new HashMap<>();
        private final List<PathSpec> corsPaths = new ArrayList<>();
        private final List<Gated> gates = new ArrayList<>();
        private final List<PathSpec> uploads = new ArrayList<>();
        private final List<Rendered> renderers = new ArrayList<>();

        private Builder(EdgeLimits limits, Cors cors) {
            this.limits = limits;
            this.cors = cors;
        }

        /** Serves an exact path here, on the core API, for the given methods (others get 405). */
        public Builder serve(String path, Set<String> methods, CoreRoute route) {
            served.put(path, new ServedRoute(Set.copyOf(methods), route));
            return this;
        }

        /** Paths (servlet-style specs such as {@code /ofrep/*}) that browsers call from the web app's origin. */
        public Builder cors(String... paths) {
            for (String path : paths) {
                corsPaths.add(PathSpec.from(path));
            }
            return this;
        }

        /** Every method on these paths passes the gate first; the first matching rule applies. */
        public Builder gate(HeaderGate gate, String... paths) {
            for (String path : paths) {
                gates.add(new Gated(PathSpec.from(path), gate));
            }
            return this;
        }

        /** Paths whose bodies are uploads (the upload policy: large, no deadline, a shared memory budget). */
        public Builder uploads(String... paths) {
            for (String path : paths) {
                uploads.add(PathSpec.from(path));
            }
            return this;
        }

        /** How refused bodies on these paths are answered, for routes with their own error shape (OFREP). */
        public Builder errors(ErrorRenderer renderer, String... paths) {
            for (String path : paths) {
                renderers.add(new Rendered(PathSpec.from(path), renderer));
            }
            return this;
        }

        public RequestEdge build() {
            return new RequestEdge(this);
        }
    }
}
