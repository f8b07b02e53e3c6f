package dev.cutover.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.testing.LogCapture;
import dev.cutover.testing.TestApp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fault: hundreds of clients without credentials hold connections open sending a request body one byte every
 * 5 s (chunked uploads to /transcribe and OFREP bodies), replaced as soon as the service cuts one off, for 40 s.
 * The load that must not suffer: assignment, /health and OFREP evaluation probed every 0.5 s. What must hold: every
 * probe answers, p99 under 100 ms; the slow clients end with 401 (no key, refused from the headers at once) or 408
 * (too slow), never hold a worker thread and never get their answer only after their whole body.
 */
class SlowClientIsolationTest {
    private static final String KEY = "slow-client-test-key";
    private static final int SLOW_UPLOADS = 300;
    private static final int SLOW_OFREP = 150;
    private static final Duration ATTACK = Duration.ofSeconds(40);
    private static final Duration BYTE_EVERY = Duration.ofSeconds(5);
    private static TestApp app;

    @BeforeAll
    static void startApp() {
        app = TestApp.builder().env("WHISPER_API_KEY", KEY).start();
    }

    @AfterAll
    static void stopApp() {
        app.close();
    }

    @Test
    void anUploadWithoutAKeyIsRefusedFromItsHeadersBeforeAnyOfItsBodyArrives() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            socket.setSoTimeout(2_000);
            long start = System.nanoTime();
            socket.getOutputStream().write(slowUploadHeaders().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            String answer = readAnswer(socket.getInputStream());

            assertThat(answer).startsWith("HTTP/1.1 401");
            assertThat(answer).contains("missing_api_key").containsIgnoringCase("connection: close");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void slowSendersWithoutCredentialsNeitherStarveAssignmentHealthNorOfrepAndEndWith401Or408() throws Exception {
        ScheduledExecutorService clock = Executors.newScheduledThreadPool(4);
        Map<String, AtomicInteger> endings = new ConcurrentHashMap<>();
        List<SlowClient> open = new CopyOnWriteArrayList<>();
        // The first calls of each route pay for class loading and the JIT; the attack is measured on a warm service,
        // and the paths that refuse slow clients are warmed too (a few of each run to their end first).
        for (int i = 0; i < 20; i++) {
            probeAll();
        }
        warmUpRefusals();
        int logMark = LogCapture.mark();
        long attackEnds = System.nanoTime() + ATTACK.toNanos();
        try {
            for (int i = 0; i < SLOW_UPLOADS; i++) {
                open.add(SlowClient.open(app.port(), "upload", slowUploadHeaders()));
            }
            for (int i = 0; i < SLOW_OFREP; i++) {
                open.add(SlowClient.open(app.port(), "ofrep", slowOfrepHeaders()));
            }
            // Every client gets one byte every 5 s (spread over the period); a finished one is replaced at once.
            for (int i = 0; i < open.size(); i++) {
                int slot = i;
                clock.scheduleAtFixedRate(() -> tick(open, slot, endings, attackEnds),
                        BYTE_EVERY.toMillis() * i / open.size(), BYTE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            }

            List<Long> assignment = new ArrayList<>();
            List<Long> health = new ArrayList<>();
            List<Long> ofrep = new ArrayList<>();
            long nextProbe = System.nanoTime();
            while (System.nanoTime() < attackEnds) {
                long[] round = probeAll();
                assignment.add(round[0]);
                health.add(round[1]);
                ofrep.add(round[2]);
                nextProbe += TimeUnit.MILLISECONDS.toNanos(500);
                TimeUnit.NANOSECONDS.sleep(Math.max(0, nextProbe - System.nanoTime()));
            }

            assertThat(assignment).hasSizeGreaterThanOrEqualTo(60);
            assertThat(p99(assignment)).as("assignment p99 ms").isLessThan(100);
            assertThat(p99(health)).as("/health p99 ms").isLessThan(100);
            assertThat(p99(ofrep)).as("OFREP p99 ms").isLessThan(100);
            assertThat(endings.keySet()).as("how the slow clients ended: %s", endings)
                    .containsOnly("upload 401", "ofrep 408");
            assertThat(endings.get("upload 401").get()).isGreaterThanOrEqualTo(SLOW_UPLOADS);
            assertThat(endings.get("ofrep 408").get()).isGreaterThanOrEqualTo(SLOW_OFREP);
            assertThat(LogCapture.errorsSince(logMark)).as("nothing a client did is a server error").isEmpty();
        } finally {
            clock.shutdownNow();
            clock.awaitTermination(5, TimeUnit.SECONDS);
            open.forEach(SlowClient::close);
        }
    }

    private static void warmUpRefusals() throws InterruptedException {
        List<SlowClient> warmUp = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            warmUp.add(SlowClient.open(app.port(), "upload", slowUploadHeaders()));
            warmUp.add(SlowClient.open(app.port(), "ofrep", slowOfrepHeaders()));
        }
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (warmUp.stream().anyMatch(c -> !c.ended) && System.nanoTime() < until) {
            for (SlowClient client : warmUp) {
                if (!client.ended && client.sendOneByteOrReadTheEnd() != null) {
                    client.ended = true;
                }
            }
            TimeUnit.SECONDS.sleep(1);
        }
        warmUp.forEach(SlowClient::close);
    }

    /** One probe of each route the frontend and operators rely on: milliseconds each. */
    private static long[] probeAll() {
        return new long[] {
                probe(() -> app.send(request("/api/v1/assignment?sessionId=probe").GET().build()), 200),
                probe(() -> app.send(request("/health").GET().build()), 200),
                probe(() -> app.send(request("/ofrep/v1/evaluate/flags").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"context\":{\"targetingKey\":\"probe\"}}")).build()), 200)};
    }

    @Test
    void slowUploadsWithAValidKeyAreCutOffBelowTheMinimumDataRateWhileAssignmentKeepsAnswering() throws Exception {
        int slowUploads = 40;
        for (int i = 0; i < 20; i++) {
            probeAll();
        }
        int logMark = LogCapture.mark();
        List<SlowClient> open = new ArrayList<>();
        for (int i = 0; i < slowUploads; i++) {
            open.add(SlowClient.open(app.port(), "upload", slowUploadHeaders().replace("\r\n\r\n", "\r\nX-API-Key: " + KEY + "\r\n\r\n")));
        }
        Map<String, AtomicInteger> endings = new ConcurrentHashMap<>();
        List<Long> assignment = new ArrayList<>();
        try {
            long until = System.nanoTime() + Duration.ofSeconds(25).toNanos();
            long nextByte = System.nanoTime();
            while (System.nanoTime() < until && endings.values().stream().mapToInt(AtomicInteger::get).sum() < slowUploads) {
                if (System.nanoTime() >= nextByte) {
                    for (SlowClient client : open) {
                        if (!client.ended) {
                            String ending = client.sendOneByteOrReadTheEnd();
                            if (ending != null) {
                                client.ended = true;
                                endings.computeIfAbsent(ending, k -> new AtomicInteger()).incrementAndGet();
                            }
                        }
                    }
                    nextByte += BYTE_EVERY.toNanos();
                }
                assignment.add(probe(() -> app.send(request("/api/v1/assignment?sessionId=probe").GET().build()), 200));
                TimeUnit.MILLISECONDS.sleep(250);
            }
        } finally {
            open.forEach(SlowClient::close);
        }

        assertThat(endings.keySet()).as("how the slow uploads ended: %s", endings).isSubsetOf("408", "503");
        assertThat(endings.values().stream().mapToInt(AtomicInteger::get).sum()).as("ended: %s", endings).isEqualTo(slowUploads);
        assertThat(p99(assignment)).as("assignment p99 ms").isLessThan(100);
        assertThat(LogCapture.errorsSince(logMark)).as("nothing a client did is a server error").isEmpty();
    }

    private static void tick(List<SlowClient> open, int slot, Map<String, AtomicInteger> endings, long attackEnds) {
        SlowClient client = open.get(slot);
        String ending = client.sendOneByteOrReadTheEnd();
        if (ending == null) {
            return;
        }
        endings.computeIfAbsent(client.kind + " " + ending, k -> new AtomicInteger()).incrementAndGet();
        client.close();
        if (System.nanoTime() < attackEnds) {
            open.set(slot, SlowClient.open(app.port(), client.kind, client.headers));
        }
    }

    private static long probe(Supplier<HttpResponse<String>> call, int expectedStatus) {
        long start = System.nanoTime();
        HttpResponse<String> response = call.get();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(response.statusCode()).isEqualTo(expectedStatus);
        return millis;
    }

    private static long p99(List<Long> millis) {
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        return sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(app.uri(path)).timeout(Duration.ofSeconds(10));
    }

    private static String slowUploadHeaders() {
        return "POST /transcribe HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Type: multipart/form-data; boundary=xyz\r\n\r\n";
    }

    private static String slowOfrepHeaders() {
        return "POST /ofrep/v1/evaluate/flags HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000\r\n\r\n";
    }

    /** Reads a whole small answer (headers and a JSON body under 4 KiB) or what arrived before the timeout. */
    private static String readAnswer(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        int length = 0;
        try {
            int read;
            while (length < buffer.length && (read = in.read(buffer, length, buffer.length - length)) > 0) {
                length += read;
                String text = new String(buffer, 0, length, StandardCharsets.UTF_8);
                if (text.contains("\r\n\r\n") && text.trim().endsWith("}")) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            // Answer what arrived.
        }
        return new String(buffer, 0, length, StandardCharsets.UTF_8);
    }

    /** One hostile connection; driven by one scheduler task at a time. */
    private static final class SlowClient {
        final String kind;
        final String headers;
        private final Socket socket;
        private final boolean chunked;
        boolean ended;

        private SlowClient(String kind, String headers, Socket socket) {
            this.kind = kind;
            this.headers = headers;
            this.socket = socket;
            this.chunked = headers.contains("chunked");
        }

        static SlowClient open(int port, String kind, String headers) {
            try {
                Socket socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(1_000);
                OutputStream out = socket.getOutputStream();
                out.write(headers.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return new SlowClient(kind, headers, socket);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Null while the server still waits for more; the answer's status (or "closed") once it has answered. */
        String sendOneByteOrReadTheEnd() {
            try {
                InputStream in = socket.getInputStream();
                if (in.available() > 0) {
                    String answer = readAnswer(in);
                    return answer.length() > 12 ? answer.substring(9, 12) : "closed";
                }
                socket.getOutputStream().write((chunked ? "1\r\na\r\n" : "a").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                return null;
            } catch (IOException e) {
                return "closed";
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // Gone already.
            }
        }
    }
}
