package dev.cutover.ui;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.testing.AdminApi;
import dev.cutover.testing.Browser;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.TestApp;
import dev.cutover.testing.TestAudio;
import dev.cutover.testing.TestClock;
import dev.cutover.testing.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * The demo page in headless Chromium, on the real service: the fake microphone plays a generated WAV, the test model
 * transcribes it as {@link TestModels#SENTENCE}. Headless Chromium's Web Speech API always errors (no network
 * recognizer here), which is what a WebSpeech attempt looks like in these tests: provider "WebSpeech", no transcript.
 */
class DemoPageTest {
    private static final String ADMIN = "demo-admin";
    private static final Duration PAGE = Duration.ofSeconds(15);
    private static final Duration TRANSCRIBED = Duration.ofSeconds(60);
    /** Closed signal windows are flushed by a background thread once the clock is past them (10 s + grace). */
    private static final Duration FLUSHED = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aRecordingGoesToWhisperAndAfterARollbackTheNextOneGoesToWebSpeechWithoutAReload() {
        String session = "demo-happy";
        TestClock clock = new TestClock(Instant.now());
        try (TestApp app = TestApp.builder().env("ADMIN_TOKEN", "ops:" + ADMIN).clock(clock).start();
             Browser browser = Browser.start(1280, 900, microphoneWav())) {
            AdminApi admin = new AdminApi(app, ADMIN);
            assertThat(admin.setPercentage("100").statusCode()).isEqualTo(200);
            app.awaitAssignment("sessionId=" + session, 2, Duration.ofSeconds(5));

            browser.open(app.baseUrl() + "/demo?session=" + session);
            browser.awaitText(".cutover-provider-badge", "Whisper", PAGE);
            assertThat(browser.find("#session-id").getText()).isEqualTo(session);
            long transcriptionsBefore = transcriptions(app);

            recordWithWhisper(browser, 1);

            assertThat(browser.find("#transcript").getText()).isEqualTo(TestModels.SENTENCE.trim());
            assertThat(browser.find("#result-provider").getText()).isEqualTo("Whisper");
            assertThat(browser.find("#result-latency").getText()).matches("\\d+ ms");
            assertThat(browser.find("#result-outcome").getText()).isEqualTo("ok");
            assertThat(transcriptions(app)).as("one POST /transcribe").isEqualTo(transcriptionsBefore + 1);
            awaitEventsDelivered(browser);
            assertThat(browser.consoleErrors()).isEmpty();
            browser.screenshot("demo");

            assertThat(admin.transition("rollback", "test: demo rollback").statusCode()).isEqualTo(200);
            // The OFREP event stream tells the page; no reload.
            browser.awaitText(".cutover-provider-badge", "WebSpeech", PAGE);
            assertThat(browser.find(".cutover-provider-badge").getText()).isEqualTo("WebSpeech");

            // By keyboard this time: the record button is a real, focusable button.
            browser.find("#record").sendKeys(Keys.ENTER);
            awaitAttempts(browser, 2, PAGE);

            assertThat(browser.find("#result-provider").getText()).isEqualTo("WebSpeech");
            assertThat(browser.find("#result-latency").getText()).matches("\\d+ ms");
            assertThat(transcriptions(app)).as("the WebSpeech recording sent nothing to /transcribe")
                    .isEqualTo(transcriptionsBefore + 1);
            browser.screenshot("demo-after-rollback");

            // Many getProvider calls (page load, each recording, each refetch), one exposure per provider.
            awaitEventsDelivered(browser);
            clock.advance(FLUSHED);
            JsonNode exposures = Eventually.await(Duration.ofSeconds(20), "the exposures counted",
                    () -> json(new AdminApi(app, ADMIN).get("/api/v1/signals?window=5m")).path("exposures"),
                    e -> e.path("whisper").asLong() >= 1 && e.path("webspeech").asLong() >= 1);
            assertThat(exposures.path("whisper").asLong()).isEqualTo(1);
            assertThat(exposures.path("webspeech").asLong()).isEqualTo(1);
            assertThat(signals(app, "whisper", "client").path("attempts").asLong()).isEqualTo(1);
            assertThat(signals(app, "webspeech", "client").path("attempts").asLong()).isEqualTo(1);
            assertThat(browser.consoleErrors()).isEmpty();
        }
    }

    @Test
    void withTheServiceStoppedTheClientFallsBackToWebSpeechAndReportsTheFallbackOnceTheServiceIsBack() throws Exception {
        String session = "demo-outage";
        try (Browser browser = Browser.start(1280, 900, microphoneWav())) {
            TestApp first = TestApp.builder().env("ADMIN_TOKEN", "ops:" + ADMIN).env("EVENTS_RATE_LIMIT", "0").start();
            int port = first.port();
            Map<String, String> env = first.env();
            try {
                assertThat(new AdminApi(first, ADMIN).setPercentage("100").statusCode()).isEqualTo(200);
                first.awaitAssignment("sessionId=" + session, 2, Duration.ofSeconds(5));
                browser.open(first.baseUrl() + "/demo/?session=" + session);
                browser.awaitText(".cutover-provider-badge", "Whisper", PAGE);
                recordWithWhisper(browser, 1);
                assertThat(browser.find("#result-provider").getText()).isEqualTo("Whisper");
                awaitEventsDelivered(browser);
            } finally {
                first.close();
            }

            // The service is gone; the page still holds its whisper assignment, so the upload fails and falls back.
            recordWithWhisper(browser, 2);
            assertThat(browser.find("#result-provider").getText())
                    .startsWith("WebSpeech").contains("fell back from Whisper");
            assertThat(pendingEvents(browser)).as("the fallback waits in the queue").isPositive();
            assertThat(flushNow(browser)).as("a flush while the service is away fails").isFalse();
            String waiting = waitingBatchIds(browser);
            assertThat(flushNow(browser)).isFalse();
            assertThat(waitingBatchIds(browser)).as("a retried batch keeps its batchId").isEqualTo(waiting).isNotEqualTo("[]");

            // A service that accepts connections and never answers: getProvider gives up after its 1.5 s timeout.
            try (SilentServer silent = SilentServer.on(port)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> answer = (Map<String, Object>) browser.asyncScript(
                        "const done = arguments[arguments.length - 1]; const started = performance.now();"
                        + "window.cutoverDemo.client.getProvider({sessionId: 'demo-never-answered'})"
                        + ".then(a => done({provider: a.provider, fallback: a.fallback, ms: performance.now() - started}));");
                assertThat(answer).containsEntry("provider", "webspeech").containsEntry("fallback", true);
                assertThat(((Number) answer.get("ms")).doubleValue()).as("timed out, not refused")
                        .isBetween(1_400.0, 6_000.0);
                assertThat(silent.accepted()).isPositive();
            }

            TestClock clock = new TestClock(Instant.now());
            try (TestApp second = TestApp.builder().env(env).env("PORT", String.valueOf(port)).clock(clock).start()) {
                // The event stream reconnects by itself; the client then sends what waited, same batchIds.
                awaitEventsDelivered(browser);
                clock.advance(FLUSHED);
                JsonNode whisper = Eventually.await(Duration.ofSeconds(20), "the client's fallback counted",
                        () -> signals(second, "whisper", "client"), s -> s.path("fallbacks").asLong() >= 1);
                assertThat(whisper.path("fallbacks").asLong()).as("counted once").isEqualTo(1);
                JsonNode webspeech = signals(second, "webspeech", "client");
                assertThat(webspeech.path("attempts").asLong()).as("the Web Speech attempt after it").isEqualTo(1);
            }
            assertThat(browser.consoleErrors()).as("only the requests that failed while the service was away")
                    .filteredOn(message -> !message.contains("net::ERR_")).isEmpty();
        }
    }

    @Test
    void eventsStillWaitingWhenThePageIsLeftAreSentWithSendBeacon() {
        TestClock clock = new TestClock(Instant.now());
        try (TestApp app = TestApp.builder().env("ADMIN_TOKEN", "ops:" + ADMIN).clock(clock).start();
             Browser browser = Browser.start(1280, 900, microphoneWav())) {
            // At the baseline (0 %) the session is on WebSpeech; events would wait ten minutes for their timer.
            browser.open(app.baseUrl() + "/demo/?session=demo-beacon&flush=600000");
            browser.awaitText(".cutover-provider-badge", "WebSpeech", PAGE);
            browser.find("#record").click();
            awaitAttempts(browser, 1, PAGE);
            assertThat(pendingEvents(browser)).as("the exposure and the attempt wait").isEqualTo(2);

            browser.open("about:blank"); // pagehide: the client hands its batches to navigator.sendBeacon

            // The page cannot say when the beacon arrived: the clock moves 2 s per look until its window is flushed.
            JsonNode webspeech = Eventually.await(Duration.ofSeconds(30), "the beaconed attempt counted", () -> {
                clock.advance(Duration.ofSeconds(2));
                return signals(app, "webspeech", "client", "1h");
            }, p -> p.path("attempts").asLong() >= 1);
            assertThat(webspeech.path("attempts").asLong()).isEqualTo(1);
            assertThat(webspeech.path("exposures").asLong()).isEqualTo(1);
            assertThat(browser.consoleErrors()).isEmpty();
        }
    }

    /** Presses Record, lets the fake microphone play for two seconds of audio, presses Stop, awaits the result. */
    private static void recordWithWhisper(Browser browser, int attempt) {
        browser.find("#record").click();
        browser.await(PAGE, "recording", d -> "recording".equals(d.findElement(By.id("record")).getAttribute("data-state")));
        browser.await(PAGE, "two seconds recorded", d -> {
            String ms = d.findElement(By.id("recorded")).getAttribute("data-ms");
            return ms != null && Long.parseLong(ms) >= 2_000;
        });
        browser.find("#record").click();
        awaitAttempts(browser, attempt, TRANSCRIBED);
    }

    private static void awaitAttempts(Browser browser, int attempts, Duration timeout) {
        browser.await(timeout, attempts + " attempt(s) shown", d -> d.findElements(By.cssSelector("#history li")).size() >= attempts
                && "done".equals(d.findElement(By.id("record")).getAttribute("data-state")));
    }

    private static void awaitEventsDelivered(Browser browser) {
        browser.await(Duration.ofSeconds(60), "every event delivered", d -> pendingEvents(browser) == 0);
    }

    private static boolean flushNow(Browser browser) {
        return (Boolean) browser.asyncScript("const done = arguments[arguments.length - 1];"
                + "window.cutoverDemo.client.flush().then(done);");
    }

    /** The ids of the batches waiting in the client's queue (kept in sessionStorage), as a JSON array. */
    private static String waitingBatchIds(Browser browser) {
        return (String) browser.script("return JSON.stringify(Object.keys(sessionStorage)"
                + ".filter(k => k.startsWith('cutover:events:'))"
                + ".flatMap(k => JSON.parse(sessionStorage.getItem(k)).batches.map(b => b.batchId)))");
    }

    private static long pendingEvents(Browser browser) {
        return ((Number) browser.script("return window.cutoverDemo.client.pendingEvents()")).longValue();
    }

    private static long transcriptions(TestApp app) {
        return json(app.get("/stats")).path("total").asLong();
    }

    private static JsonNode signals(TestApp app, String provider, String source) {
        return signals(app, provider, source, "5m");
    }

    private static JsonNode signals(TestApp app, String provider, String source, String window) {
        return AdminApi.provider(new AdminApi(app, ADMIN).signals(window), provider, source);
    }

    /** Half a second of silence, two seconds of a 440 Hz tone, half a second of silence (the fake mic loops it). */
    private Path microphoneWav() {
        float[] tone = TestAudio.tone(440, 2.0, 16_000, 0.5);
        float[] padded = new float[tone.length + 16_000];
        System.arraycopy(tone, 0, padded, 8_000, tone.length);
        try {
            Path file = dir.resolve("microphone.wav");
            Files.write(file, TestAudio.wav(padded, 16_000, 1, TestAudio.Encoding.PCM_S16, false));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Listens on a port, accepts every connection and never answers: a service that hangs. */
    private static final class SilentServer implements AutoCloseable {
        private final ServerSocket socket;
        private final List<Socket> connections = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        private SilentServer(ServerSocket socket) {
            this.socket = socket;
            this.acceptor = new Thread(this::acceptAll, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        static SilentServer on(int port) throws IOException {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return new SilentServer(socket);
        }

        int accepted() {
            return connections.size();
        }

        private void acceptAll() {
            while (!socket.isClosed()) {
                try {
                    connections.add(socket.accept());
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket connection : connections) {
                connection.close();
            }
            try {
                acceptor.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
