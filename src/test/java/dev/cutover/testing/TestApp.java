package dev.cutover.testing;

import dev.cutover.App;
import dev.cutover.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real application on a random port, with its own fresh database (unless the environment given names one), its
 * own data directory and the generated test model. Build with {@link #builder()}, close when done.
 */
public final class TestApp implements AutoCloseable {
    private final App app;
    private final Map<String, String> env;

    private TestApp(App app, Map<String, String> env) {
        this.app = app;
        this.env = Map.copyOf(env);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static TestApp start() {
        return builder().start();
    }

    public int port() {
        return app.port();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** The environment the app was started with, e.g. to start a second instance on the same database. */
    public Map<String, String> env() {
        return env;
    }

    /** The endpoints registered with Javalin, as {@code METHOD path} ({@link App#javalinEndpoints}). */
    public List<String> javalinEndpoints() {
        return app.javalinEndpoints();
    }

    public URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    /** A POST of {@code json} as application/json, with more headers as name, value pairs. */
    public HttpResponse<String> post(String path, String json, String... headers) {
        return send(HttpTestClient.postJson(uri(path), json, headers).build());
    }

    /** Sends on the client all tests share ({@link HttpTestClient}). */
    public HttpResponse<String> send(HttpRequest request) {
        return HttpTestClient.send(request);
    }

    /**
     * Asks {@code GET /api/v1/assignment?query} until this instance serves flag version {@code version} or later (it
     * has loaded that change) and returns that answer; an AssertionError with the last answer after {@code timeout}.
     */
    public String awaitAssignment(String query, long version, Duration timeout) {
        return Eventually.await(timeout, "GET /api/v1/assignment?" + query + " at flag version " + version,
                () -> get("/api/v1/assignment?" + query).body(),
                body -> HttpTestClient.json(body).path("version").asLong() >= version);
    }

    @Override
    public void close() {
        app.close();
    }

    public static final class Builder {
        private final Map<String, String> env = new HashMap<>();
        private Clock clock = Clock.systemUTC();

        /** The clock every part of the app reads; a {@link TestClock} lets the test move time. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        public TestApp start() {
            Map<String, String> effective = new HashMap<>(env);
            effective.putIfAbsent("PORT", "0");
            effective.putIfAbsent("DATABASE_URL", TestDatabases.createFresh());
            effective.putIfAbsent("DATA_DIR", tempDir().toString());
            // A healthy app by default: the generated test model, never whatever real model a developer downloaded.
            TestModels.env().forEach(effective::putIfAbsent);
            return new TestApp(App.start(Settings.from(effective), clock), effective);
        }

        private static Path tempDir() {
            try {
                return Files.createTempDirectory("cutover-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
