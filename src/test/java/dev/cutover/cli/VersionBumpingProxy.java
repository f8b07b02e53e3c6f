package dev.cutover.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cutover.rollout.RolloutApi;
import dev.cutover.testing.HttpTestClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pass-through to the app that, before forwarding the first {@code POST /api/v1/rollout/rollback}, pauses the
 * rollout itself: someone else's change lands between the command line's read and its write, every time.
 */
final class VersionBumpingProxy implements AutoCloseable {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host", "upgrade");

    private final HttpServer server;
    private final AtomicInteger bumps = new AtomicInteger();

    private VersionBumpingProxy(HttpServer server) {
        this.server = server;
    }

    static VersionBumpingProxy to(int port, RolloutApi rollout) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        VersionBumpingProxy proxy = new VersionBumpingProxy(server);
        server.createContext("/", exchange -> proxy.forward(exchange, port, rollout));
        server.start();
        return proxy;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int bumps() {
        return bumps.get();
    }

    private void forward(HttpExchange exchange, int port, RolloutApi rollout) throws IOException {
        String path = exchange.getRequestURI().toString();
        byte[] body = exchange.getRequestBody().readAllBytes();
        if ("POST".equals(exchange.getRequestMethod()) && path.endsWith("/rollback") && bumps.get() == 0) {
            bumps.incrementAndGet();
            rollout.ok("pause", false);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpResponse<byte[]> response;
        try {
            response = HttpTestClient.client().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        List<String> type = response.headers().allValues("Content-Type");
        type.forEach(value -> exchange.getResponseHeaders().add("Content-Type", value));
        exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(response.body());
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
