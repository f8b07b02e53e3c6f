package dev.cutover.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * What a load balancer in front of the instances does, for the chaos run (bench/chaos.sh): round-robin over the
 * instances whose {@code GET /health} answered 200 at the last check (every second, 2 s timeout); an instance that
 * refuses a connection is taken out at once (a passive check) until its health check passes again, and the request
 * goes once to another instance, as an LB retrying on connect failure would (nothing reached the first one). A GET
 * that fails after it was sent (reset, closed) is retried once on another instance too, as proxies do for
 * idempotent requests; a POST is not. With no instance healthy it sends to all of them (fail open), as LBs do.
 *
 * <p>Thread-safe: the health of each backend is a volatile flag written by the checker thread and by senders; the
 * health log is written under its own lock.
 */
final class Balancer implements AutoCloseable {
    /** One instance behind the balancer. */
    static final class Backend {
        final String name;
        final URI base;
        volatile boolean healthy;

        Backend(String name, URI base) {
            this.name = name;
            this.base = base;
        }
    }

    /**
     * What one request through the balancer came to: the instance that answered last, the status (or -1 with the
     * I/O error's kind), whether it was retried on another instance and where it went first.
     */
    record Outcome(String instance, int status, String error, String body, boolean retried, String firstInstance,
                   boolean failOpen) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        String label() {
            return status > 0 ? Integer.toString(status) : error;
        }
    }

    private final List<Backend> backends;
    private final HttpClient client;
    private final AtomicInteger next = new AtomicInteger();
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "health-checks");
        t.setDaemon(true);
        return t;
    });
    private final PrintWriter healthLog;

    Balancer(Map<String, URI> instances, PrintWriter healthLog) {
        List<Backend> list = new ArrayList<>();
        instances.forEach((name, base) -> list.add(new Backend(name, base)));
        this.backends = List.copyOf(list);
        this.healthLog = healthLog;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
    }

    HttpClient client() {
        return client;
    }

    /** Checks every instance now, then every second. */
    void start() {
        checkAll();
        checker.scheduleAtFixedRate(this::checkAll, 1, 1, TimeUnit.SECONDS);
    }

    private void checkAll() {
        for (Backend backend : backends) {
            boolean up;
            String why;
            try {
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(backend.base.resolve("/health"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                up = response.statusCode() == 200;
                why = "health " + response.statusCode();
            } catch (IOException e) {
                up = false;
                why = "health " + errorKind(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            setHealth(backend, up, why);
        }
    }

    private void setHealth(Backend backend, boolean up, String why) {
        if (backend.healthy != up) {
            backend.healthy = up;
            synchronized (healthLog) {
                healthLog.println(System.currentTimeMillis() + "," + backend.name + "," + (up ? "in" : "out") + "," + why);
                healthLog.flush();
            }
        }
    }

    /**
     * Sends a request built for the chosen instance's base URI. {@code idempotent} allows a retry after the request
     * was sent; a connect failure is always retried once on another instance.
     */
    Outcome send(Function<URI, HttpRequest> request, boolean idempotent) throws InterruptedException {
        List<Backend> healthy = backends.stream().filter(b -> b.healthy).toList();
        boolean failOpen = healthy.isEmpty();
        List<Backend> pool = failOpen ? backends : healthy;
        Backend first = pool.get(Math.floorMod(next.getAndIncrement(), pool.size()));
        Outcome outcome = attempt(first, request, false, first.name, failOpen);
        boolean refused = "connect".equals(outcome.error) || "connect_timeout".equals(outcome.error);
        if (outcome.status > 0 || !(refused || idempotent)) {
            return outcome;
        }
        if (refused) {
            setHealth(first, false, "connection refused");
        }
        Backend other = backends.stream().filter(b -> b != first && b.healthy).findFirst()
                .orElse(backends.stream().filter(b -> b != first).findFirst().orElse(first));
        return attempt(other, request, true, first.name, failOpen);
    }

    private Outcome attempt(Backend backend, Function<URI, HttpRequest> request, boolean retried, String firstInstance,
                            boolean failOpen) throws InterruptedException {
        try {
            HttpResponse<String> response = client.send(request.apply(backend.base), HttpResponse.BodyHandlers.ofString());
            return new Outcome(backend.name, response.statusCode(), "", response.body(), retried, firstInstance, failOpen);
        } catch (IOException e) {
            return new Outcome(backend.name, -1, errorKind(e), "", retried, firstInstance, failOpen);
        }
    }

    /** A short, low-cardinality name for what went wrong on the wire. */
    static String errorKind(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "connect_timeout";
        }
        if (e instanceof HttpTimeoutException) {
            return "timeout";
        }
        if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
            return "connect";
        }
        String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (message.contains("reset")) {
            return "reset";
        }
        if (message.contains("closed") || message.contains("eof") || message.contains("no bytes")) {
            return "closed";
        }
        return "io";
    }

    @Override
    public void close() {
        checker.shutdownNow();
    }
}
