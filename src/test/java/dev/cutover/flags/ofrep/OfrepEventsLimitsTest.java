package dev.cutover.flags.ofrep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.flags.FlagSnapshot;
import dev.cutover.flags.FlagSnapshots;
import dev.cutover.flags.FlagStatus;
import dev.cutover.http.ErrorResponses;
import dev.cutover.http.JsonMapping;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.HttpTestClient;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event stream's own limits, on a real HTTP server with a short keep-alive so dead clients show up quickly. */
class OfrepEventsLimitsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final FlagSnapshots snapshots = new FlagSnapshots();
    private OfrepEvents events;
    private Javalin http;
    private final List<SseTestClient> clients = new ArrayList<>();

    private URI start(int maxClients) {
        return start(maxClients, -1);
    }

    /** {@code socketSendBuffer} > 0 fixes the kernel send buffer of accepted connections, so a stalled client fills it fast. */
    private URI start(int maxClients, int socketSendBuffer) {
        snapshots.replace(snapshot(1));
        events = new OfrepEvents(snapshots, maxClients, Duration.ofMillis(100));
        http = Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson(JsonMapping.objectMapper(), false));
            config.startup.showJavalinBanner = false;
            config.jetty.addConnector((server, httpConfiguration) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfiguration));
                connector.setPort(0);
                connector.setAcceptedSendBufferSize(socketSendBuffer);
                return connector;
            });
            ErrorResponses.install(config);
            events.register(config);
        }).start(0);
        return URI.create("http://127.0.0.1:" + http.port() + "/ofrep/v1/events");
    }

    @AfterEach
    void stop() {
        clients.forEach(SseTestClient::close);
        events.close();
        http.stop();
    }

    @Test
    void streamsBeyondTheLimitAreRefusedWith503UntilOneCloses() {
        URI uri = start(3);
        for (int i = 0; i < 3; i++) {
            clients.add(SseTestClient.connect(uri, null));
        }

        HttpResponse<String> refused = HttpTestClient.sendOnItsOwnConnection(
                HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET().build());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.body()).contains("\"error\":\"too_many_streams\"");

        clients.remove(0).close();
        Eventually.await(WAIT, "2 open streams", () -> events.openStreams() == 2);
        SseTestClient again = SseTestClient.connect(uri, null);
        clients.add(again);
        assertThat(again.response().statusCode()).isEqualTo(200);
    }

    @Test
    void aClientThatWentAwayIsDroppedAtTheNextKeepAlive() {
        URI uri = start(10);
        SseTestClient client = SseTestClient.connect(uri, null);
        client.nextEvent(WAIT);
        assertThat(client.next(WAIT).comment()).isEqualTo("keep-alive");
        assertThat(events.openStreams()).isEqualTo(1);

        client.close();

        Eventually.await(WAIT, "no open stream", () -> events.openStreams() == 0);
    }

    @Test
    void everyOpenStreamHearsABurstOfChangesAndEndsOnTheLatest() {
        URI uri = start(500);
        for (int i = 0; i < 200; i++) {
            SseTestClient client = SseTestClient.connect(uri, null);
            clients.add(client);
            client.nextEvent(WAIT);
        }

        for (long version = 2; version <= 20; version++) {
            snapshots.replace(snapshot(version));
        }

        String latest = OfrepConfigTag.of(snapshot(20));
        for (SseTestClient client : clients) {
            String id = client.nextEvent(WAIT).id();
            while (!id.equals(latest)) {
                id = client.nextEvent(WAIT).id();
            }
        }
    }

    @Test
    void aClientThatStopsReadingBlocksNeitherTheNotifyingThreadNorTheOtherClients() throws Exception {
        URI uri = start(100, 8192);
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(1024);
            stalled.connect(new InetSocketAddress("127.0.0.1", uri.getPort()));
            stalled.getOutputStream().write(("GET /ofrep/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Eventually.await(WAIT, "the stalled client's stream open", () -> events.openStreams() == 1);
            SseTestClient healthy = SseTestClient.connect(uri, null);
            clients.add(healthy);
            healthy.nextEvent(WAIT);

            // One change at a time, each heard by the healthy client, until the stalled client's socket buffers are
            // full and the write to it blocks; the changes after that must reach the healthy client just the same.
            long slowestReplaceNanos = 0;
            for (long version = 2; version <= 1_000; version++) {
                long before = System.nanoTime();
                snapshots.replace(snapshot(version));
                slowestReplaceNanos = Math.max(slowestReplaceNanos, System.nanoTime() - before);
                String expected = OfrepConfigTag.of(snapshot(version));
                String id = healthy.nextEvent(WAIT).id();
                while (!id.equals(expected)) {
                    id = healthy.nextEvent(WAIT).id();
                }
            }

            assertThat(writerBlockedInAWrite()).as("a writer thread is stuck on the stalled client").isTrue();
            assertThat(slowestReplaceNanos / 1_000_000).as("slowest snapshot install, ms").isLessThan(500);
        }
    }

    private static boolean writerBlockedInAWrite() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith("ofrep-sse-writer"))
                .anyMatch(e -> Arrays.stream(e.getValue()).anyMatch(frame -> frame.getClassName().contains("sse.Emitter")));
    }

    private static FlagSnapshot snapshot(long version) {
        return FlagSnapshot.of(FlagSnapshot.FLAG_KEY, new BigDecimal("10.00"), FlagStatus.ACTIVE, version,
                Instant.ofEpochSecond(1_700_000_000L + version), List.of(), Instant.now());
    }
}
