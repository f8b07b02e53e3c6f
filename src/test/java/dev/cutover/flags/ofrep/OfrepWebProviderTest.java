package dev.cutover.flags.ofrep;

import static dev.cutover.testing.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.flags.FlagStatus;
import dev.cutover.flags.OverrideSubject;
import dev.cutover.testing.NodePackages;
import dev.cutover.testing.TestApp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official OpenFeature web SDK with {@code @openfeature/ofrep-web-provider} (src/test/node/ofrep-client, run by Node)
 * against the running app: it must see the same answer as {@code GET /api/v1/assignment}, and hear a rollback through
 * the advertised event stream. Needs {@code node} and {@code npm} on the PATH; runs {@code npm ci} when the client's
 * node_modules is missing.
 */
class OfrepWebProviderTest {
    private static Path clientDir;
    private static final Duration STARTUP = Duration.ofSeconds(30);

    private static TestApp app;

    @BeforeAll
    static void installTheClientAndStartTheAppAt50PercentWithAnAllowlistedUser() throws Exception {
        clientDir = NodePackages.installed("ofrep-client", "@openfeature/ofrep-web-provider");
        app = TestApp.builder().env("ADMIN_TOKEN", FlagWrites.ADMIN_TOKEN).start();
        FlagWrites flags = FlagWrites.on(app);
        flags.set("50.00", FlagStatus.ACTIVE);
        app.awaitAssignment("sessionId=probe", flags.allow(OverrideSubject.USER, "dev-alice"), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stopApp() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void theWebProviderSeesTheSameSplitAnswerAsTheAssignmentApi() throws Exception {
        try (NodeClient client = NodeClient.start(app.baseUrl(), "browser-tab-1", null)) {
            JsonNode ready = client.nextLine(STARTUP);
            JsonNode assignment = json(app.get("/api/v1/assignment?sessionId=browser-tab-1").body());

            assertThat(ready.get("event").asText()).isEqualTo("ready");
            assertThat(ready.get("errorCode").isNull()).as(ready.toString()).isTrue();
            assertThat(ready.get("value").asText()).isEqualTo(assignment.get("provider").asText());
            assertThat(ready.get("variant").asText()).isEqualTo(assignment.get("provider").asText());
            assertThat(ready.get("reason").asText()).isEqualTo("SPLIT");
            assertThat(ready.get("metadata").get("bucket").asInt()).isEqualTo(assignment.get("bucket").asInt());
            assertThat(ready.get("metadata").get("version").asLong()).isEqualTo(assignment.get("version").asLong());
        }
    }

    @Test
    void anAllowlistedUserGetsWhisperAndTheOpenClientHearsTheRollbackThroughTheEventStream() throws Exception {
        String query = "sessionId=browser-tab-2&userId=" + URLEncoder.encode("dev-alice", StandardCharsets.UTF_8);
        try (NodeClient client = NodeClient.start(app.baseUrl(), "browser-tab-2", "dev-alice")) {
            JsonNode ready = client.nextLine(STARTUP);
            JsonNode assignment = json(app.get("/api/v1/assignment?" + query).body());
            assertThat(ready.get("value").asText()).isEqualTo(assignment.get("provider").asText()).isEqualTo("whisper");
            assertThat(ready.get("reason").asText()).isEqualTo("TARGETING_MATCH");
            assertThat(assignment.get("reason").asText()).isEqualTo("ALLOWLIST");

            long changedAt = System.nanoTime();
            FlagWrites.on(app).set("50.00", FlagStatus.ROLLED_BACK);
            JsonNode changed = client.nextLine(Duration.ofSeconds(5));
            long millis = (System.nanoTime() - changedAt) / 1_000_000;

            System.out.println("The OFREP web provider saw the rollback " + millis + " ms after it was asked for");
            assertThat(changed.get("event").asText()).isEqualTo("changed");
            assertThat(changed.get("value").asText()).isEqualTo("webspeech");
            assertThat(changed.get("reason").asText()).isEqualTo("DISABLED");
            assertThat(json(app.get("/api/v1/assignment?" + query).body()).get("reason").asText()).isEqualTo("ROLLED_BACK");
        } finally {
            FlagWrites.on(app).set("50.00", FlagStatus.ACTIVE);
        }
    }

    /** {@code node evaluate.mjs}: one JSON line per evaluation it reports; closing stdin ends it. */
    private static final class NodeClient implements AutoCloseable {
        private final Process process;
        private final Path stderr;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        private NodeClient(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "node-client-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static NodeClient start(String baseUrl, String targetingKey, String userId) throws IOException {
            List<String> command = new ArrayList<>(List.of("node", "evaluate.mjs", baseUrl, targetingKey));
            if (userId != null) {
                command.add(userId);
            }
            Path stderr = Files.createTempFile("ofrep-client", ".log");
            Process process = new ProcessBuilder(command).directory(clientDir.toFile())
                    .redirectError(stderr.toFile()).start();
            return new NodeClient(process, stderr);
        }

        JsonNode nextLine(Duration timeout) throws Exception {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError("The OFREP web client printed nothing within " + timeout + "; stderr: "
                        + Files.readString(stderr));
            }
            return json(line);
        }

        @Override
        public void close() {
            try {
                process.getOutputStream().close();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                Files.deleteIfExists(stderr);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
