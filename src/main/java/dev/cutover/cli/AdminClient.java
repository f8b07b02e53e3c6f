package dev.cutover.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The admin API of one running instance, as the command line sees it: every answer is either the 2xx body as JSON,
 * or a {@link CliFailure} — refused (4xx: the error code, message, every {@code unmet} reason and the
 * {@code currentVersion}) or unreachable (no connection, a timeout, a 5xx). Not thread-safe; one per command.
 */
final class AdminClient {
    private static final int MAX_UNPARSED = 300;

    private final URI base;
    private final String token;
    private final Duration timeout;
    private final ObjectMapper json;
    private final HttpClient http;

    AdminClient(URI base, String token, Duration timeout, ObjectMapper json) {
        this.base = base;
        this.token = token;
        this.timeout = timeout;
        this.json = json;
        HttpClient.Builder http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout);
        if ("http".equals(base.getScheme())) {
            // Plain HTTP never uses TLS, but the client loads the default one (trust store and all) unless given
            // one: an uninitialised context costs nothing and keeps a third of the start-up time off every command.
            http.sslContext(unusedTls()).sslParameters(new SSLParameters());
        }
        this.http = http.build();
    }

    private static SSLContext unusedTls() {
        try {
            return SSLContext.getInstance("TLS");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("TLS is part of every JVM", e);
        }
    }

    /** A 2xx answer's body. */
    JsonNode get(String path) {
        return ok(send(request(path).GET()), "GET " + path);
    }

    JsonNode post(String path, JsonNode body) {
        return ok(send(request(path).header("Content-Type", "application/json").POST(publish(body))), "POST " + path);
    }

    JsonNode put(String path, JsonNode body) {
        return ok(send(request(path).header("Content-Type", "application/json").PUT(publish(body))), "PUT " + path);
    }

    /** The answer whatever its status; unreachable (exit 3) when there is none. */
    Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.body());
        } catch (HttpConnectTimeoutException e) {
            throw CliFailure.unreachable("cannot reach " + base + ": no connection within " + timeout.toMillis()
                    + " ms (--timeout)");
        } catch (HttpTimeoutException e) {
            throw CliFailure.unreachable("no answer from " + base + " within " + timeout.toMillis()
                    + " ms (--timeout)");
        } catch (ConnectException e) {
            throw CliFailure.unreachable("cannot reach " + base + ": connection refused (is Cutover running there? "
                    + "set --url or CUTOVER_URL)");
        } catch (IOException e) {
            throw CliFailure.unreachable("cannot reach " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliFailure.unreachable("interrupted while waiting for " + base);
        }
    }

    /** The 2xx body as JSON; a {@link CliFailure} for anything else. */
    JsonNode ok(Answer answer, String what) {
        JsonNode body = parse(answer.body());
        if (answer.status() >= 200 && answer.status() < 300) {
            if (body == null) {
                throw CliFailure.unreachable(what + " answered " + answer.status() + " without JSON: "
                        + excerpt(answer.body()) + " (is " + base + " a Cutover instance?)");
            }
            return body;
        }
        boolean refused = answer.status() >= 400 && answer.status() < 500;
        List<String> lines = new ArrayList<>();
        String code = body == null ? "" : " " + body.path("error").asText("");
        lines.add(what + (refused ? " refused: " : " failed: ") + answer.status() + code);
        if (body != null && body.hasNonNull("message")) {
            lines.add("  " + body.path("message").asText());
        } else if (body == null) {
            lines.add("  " + excerpt(answer.body()));
        }
        if (body != null) {
            body.path("unmet").forEach(reason -> lines.add("  unmet: " + reason.asText()));
            if (body.has("currentVersion")) {
                lines.add("  currentVersion: " + body.path("currentVersion").asText());
            }
        }
        return failWith(refused ? Cli.REFUSED : Cli.UNREACHABLE, lines, body);
    }

    private static JsonNode failWith(int exitCode, List<String> lines, JsonNode body) {
        throw new CliFailure(exitCode, lines, body != null && body.isObject() ? body : null);
    }

    private HttpRequest.Builder request(String path) {
        // Relative to the base, so an instance behind a path prefix (https://host/cutover/) is reached under it.
        return HttpRequest.newBuilder(base.resolve(path.substring(1))).timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
    }

    private HttpRequest.BodyPublisher publish(JsonNode body) {
        try {
            return HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body), StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always writes", e);
        }
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String excerpt(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() > MAX_UNPARSED ? text.substring(0, MAX_UNPARSED) + "…" : text;
    }

    /** One HTTP answer: the status and the body as text. */
    record Answer(int status, String body) {
    }
}
